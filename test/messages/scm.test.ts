// File-descriptor passing (SCM_RIGHTS) and credentials (SCM_CREDENTIALS) over AF_UNIX:
// a port of CPython's SCMRightsTest (run with recvmsg and recvmsg_into, on stream and
// datagram socketpairs, blocking and async) and SendRecvFdsTests, send_fds/recv_fds,
// passing a file's fd to a child process (node loading dist/, and python3), and
// SO_PASSCRED. Ends by checking that /proc/self/fd holds no fd these tests left open.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as socket from '../../lib/index';
import { run as runChild } from '../helpers/children';
import { fdSnapshot, newFds } from '../helpers/fds';
import { repoRoot, tmpPath } from '../helpers/paths';
import { adoptFd, closeFd, track, useSockets } from '../helpers/tracker';
import {
  type AnySock,
  checkFlags,
  type Form,
  FORMS,
  ints,
  MSG,
  pair,
  readAll,
  readInts,
  scmFds,
  SIZEOF_INT,
  sock,
  T,
  type Anc,
  doRecvmsg,
  type Method,
  type RecvResult,
} from './fixtures/forms';

useSockets({ watchdog: false });

let baseline: Map<number, string>;

beforeAll(async () => {
  // Let lazily created fds appear before the baseline: libuv's child-process signal
  // pipe (first spawn) and the like.
  await runChild('true', [], 10_000);
  baseline = fdSnapshot();
});

/** n new temp files containing their index, open for reading and writing (CPython's newFDs). */
function newFDs(n: number): number[] {
  const fds: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = tmpPath('fd');
    fs.writeFileSync(p, String(i));
    fds.push(adoptFd(fs.openSync(p, 'r+')));
  }
  return fds;
}

/** Each fd reads back as its list index (CPython's checkFDs). */
function checkFDs(fds: number[]): void {
  fds.forEach((fd, i) => expect(readAll(fd).toString()).toBe(String(i)));
}

// ---- SCMRightsTest ---------------------------------------------------------------------------------

const KINDS: [string, number][] = [
  ['stream', socket.SOCK_STREAM],
  ['datagram', socket.SOCK_DGRAM],
];

for (const form of FORMS) {
  for (const [kindName, kind] of KINDS) {
    for (const method of ['recvmsg', 'recvmsg_into'] as Method[]) {
      describe(`SCMRightsTest with ${method} over an AF_UNIX ${kindName} socketpair (${form})`, () => {
        const dgram = kind === socket.SOCK_DGRAM;
        let serv: AnySock;
        let cli: AnySock;
        const setup = () => {
          [serv, cli] = pair(form, socket.AF_UNIX, kind);
        };
        const recv = (bufsize: number, ...args: number[]) => doRecvmsg(method, serv, bufsize, ...args);
        const sendmsgToServer = (buffers: Buffer[], anc: Anc = []) => cli.sendmsg(buffers, anc);
        const createAndSendFDs = async (n: number) => {
          expect(
            await sendmsgToServer([MSG], [[socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(...newFDs(n))]]),
          ).toBe(MSG.length);
        };
        const eorUnset = dgram ? socket.MSG_TRUNC : 0;

        /** CPython's checkRecvmsgFDs. */
        const checkRecvmsgFDs = (numfds: number, result: RecvResult, maxcmsgs = 1, ignoreflags = 0) => {
          const [msg, ancdata, flags] = result;
          expect(msg).toEqual(MSG);
          checkFlags(flags, { unset: socket.MSG_CTRUNC | eorUnset, ignore: ignoreflags });
          expect(Array.isArray(ancdata)).toBe(true);
          expect(ancdata.length).toBeLessThanOrEqual(maxcmsgs);
          const fds: number[] = [];
          for (const item of ancdata) {
            expect(Array.isArray(item)).toBe(true);
            const [level, type, data] = item;
            expect(level).toBe(socket.SOL_SOCKET);
            expect(type).toBe(socket.SCM_RIGHTS);
            expect(Buffer.isBuffer(data)).toBe(true);
            expect(data.length % SIZEOF_INT).toBe(0);
            fds.push(...readInts(data));
          }
          fds.forEach(adoptFd);
          expect(fds).toHaveLength(numfds);
          checkFDs(fds);
        };

        /** CPython's sendAncillaryIfPossible: on an OSError from the syscall, send the data alone. */
        const sendAncillaryIfPossible = async (msg: Buffer, anc: Anc) => {
          let n: number;
          try {
            n = await sendmsgToServer([msg], anc);
          } catch (e: any) {
            expect(e).toBeInstanceOf(socket.OSError);
            expect(typeof e.errno).toBe('number');
            n = await sendmsgToServer([msg]);
          }
          expect(n).toBe(msg.length);
        };

        /** CPython's checkTruncatedHeader: no items, MSG_CTRUNC set. */
        const checkTruncatedHeader = (result: RecvResult, ignoreflags = 0) => {
          const [msg, ancdata, flags] = result;
          expect(msg).toEqual(MSG);
          expect(ancdata).toEqual([]);
          checkFlags(flags, { set: socket.MSG_CTRUNC, unset: eorUnset, ignore: ignoreflags });
        };

        /** CPython's checkTruncatedArray: the fd data cut to mindata..maxdata bytes, whole fds valid. */
        const checkTruncatedArray = async (ancbuf: number, maxdata: number, mindata = 0) => {
          const [msg, ancdata, flags] = await recv(MSG.length, ancbuf);
          expect(msg).toEqual(MSG);
          checkFlags(flags, { set: socket.MSG_CTRUNC, unset: eorUnset });
          if (mindata === 0 && ancdata.length === 0) return;
          expect(ancdata).toHaveLength(1);
          const [level, type, data] = ancdata[0];
          expect(level).toBe(socket.SOL_SOCKET);
          expect(type).toBe(socket.SCM_RIGHTS);
          expect(data.length).toBeGreaterThanOrEqual(mindata);
          expect(data.length).toBeLessThanOrEqual(maxdata);
          const fds = scmFds(ancdata);
          checkFDs(fds);
        };

        it('passes one fd (testFDPassSimple)', async () => {
          setup();
          expect(
            await sendmsgToServer([MSG], [[socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(...newFDs(1))]]),
          ).toBe(MSG.length);
          checkRecvmsgFDs(1, await recv(MSG.length, 10240));
        });

        it('passes four fds in one array (testMultipleFDPass)', async () => {
          setup();
          await createAndSendFDs(4);
          checkRecvmsgFDs(4, await recv(MSG.length, 10240));
        });

        it('an ancillary buffer of CMSG_SPACE(4 * sizeof(int)) is enough (testFDPassCMSG_SPACE)', async () => {
          setup();
          await createAndSendFDs(4);
          checkRecvmsgFDs(4, await recv(MSG.length, socket.CMSG_SPACE(4 * SIZEOF_INT)));
        });

        it('an ancillary buffer of CMSG_LEN(4 * sizeof(int)) (testFDPassCMSG_LEN)', async () => {
          setup();
          await createAndSendFDs(1);
          checkRecvmsgFDs(1, await recv(MSG.length, socket.CMSG_LEN(4 * SIZEOF_INT)), 1, socket.MSG_CTRUNC);
        });

        it('passes two fds in two items (testFDPassSeparate)', async () => {
          setup();
          const [fd0, fd1] = newFDs(2);
          expect(
            await sendmsgToServer(
              [MSG],
              [
                [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd0)],
                [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd1)],
              ],
            ),
          ).toBe(MSG.length);
          checkRecvmsgFDs(2, await recv(MSG.length, 10240), 2);
        });

        it('two items into the minimum space for two arrays (testFDPassSeparateMinSpace)', async () => {
          setup();
          const [fd0, fd1] = newFDs(2);
          expect(
            await sendmsgToServer(
              [MSG],
              [
                [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd0)],
                [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd1)],
              ],
            ),
          ).toBe(MSG.length);
          checkRecvmsgFDs(
            2,
            await recv(MSG.length, socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(SIZEOF_INT * 2)),
            2,
            socket.MSG_CTRUNC,
          );
        });

        it('an empty fd array (testFDPassEmpty)', async () => {
          setup();
          await sendAncillaryIfPossible(MSG, [[socket.SOL_SOCKET, socket.SCM_RIGHTS, Buffer.alloc(0)]]);
          checkRecvmsgFDs(0, await recv(MSG.length, 10240), 1, socket.MSG_CTRUNC);
        });

        it('a truncated fd array (3 bytes) (testFDPassPartialInt)', async () => {
          setup();
          await sendAncillaryIfPossible(MSG, [
            [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(-0x5555).subarray(0, 3)],
          ]);
          const [msg, ancdata, flags] = await recv(MSG.length, 10240);
          expect(msg).toEqual(MSG);
          checkFlags(flags, { unset: eorUnset, ignore: socket.MSG_CTRUNC });
          expect(ancdata.length).toBeLessThanOrEqual(1);
          for (const [level, type, data] of ancdata) {
            expect(level).toBe(socket.SOL_SOCKET);
            expect(type).toBe(socket.SCM_RIGHTS);
            expect(data.length).toBeLessThan(SIZEOF_INT);
          }
        });

        it('two arrays, the first truncated (testFDPassPartialIntInMiddle)', async () => {
          setup();
          const [fd0, fd1] = newFDs(2);
          await sendAncillaryIfPossible(MSG, [
            [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd0, -0x5555).subarray(0, 7)],
            [socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd1)],
          ]);
          const [msg, ancdata, flags] = await recv(MSG.length, 10240);
          expect(msg).toEqual(MSG);
          checkFlags(flags, { unset: eorUnset, ignore: socket.MSG_CTRUNC });
          expect(ancdata.length).toBeLessThanOrEqual(2);
          for (const [level, type] of ancdata) {
            expect(level).toBe(socket.SOL_SOCKET);
            expect(type).toBe(socket.SCM_RIGHTS);
          }
          const fds = scmFds(ancdata);
          expect(fds.length).toBeLessThanOrEqual(2);
          checkFDs(fds);
        });

        it('no ancillary buffer: no items (testCmsgTruncNoBufSize)', async () => {
          setup();
          await createAndSendFDs(1);
          checkTruncatedHeader(await recv(MSG.length), socket.MSG_CTRUNC);
        });

        it('ancillary buffer 0: no items (testCmsgTrunc0)', async () => {
          setup();
          await createAndSendFDs(1);
          checkTruncatedHeader(await recv(MSG.length, 0), socket.MSG_CTRUNC);
        });

        it('ancillary buffer 1: no items, MSG_CTRUNC (testCmsgTrunc1)', async () => {
          setup();
          await createAndSendFDs(1);
          checkTruncatedHeader(await recv(MSG.length, 1));
        });

        it('ancillary buffer 2 * sizeof(int): no items, MSG_CTRUNC (testCmsgTrunc2Int)', async () => {
          setup();
          await createAndSendFDs(1);
          checkTruncatedHeader(await recv(MSG.length, SIZEOF_INT * 2));
        });

        it('ancillary buffer CMSG_LEN(0) - 1: no items, MSG_CTRUNC (testCmsgTruncLen0Minus1)', async () => {
          setup();
          await createAndSendFDs(1);
          checkTruncatedHeader(await recv(MSG.length, socket.CMSG_LEN(0) - 1));
        });

        it('ancillary buffer CMSG_LEN(0): no fd data (testCmsgTruncLen0)', async () => {
          setup();
          await createAndSendFDs(1);
          await checkTruncatedArray(socket.CMSG_LEN(0), 0);
        });

        it('ancillary buffer CMSG_LEN(0) + 1 (testCmsgTruncLen0Plus1)', async () => {
          setup();
          await createAndSendFDs(2);
          await checkTruncatedArray(socket.CMSG_LEN(0) + 1, 1);
        });

        it('ancillary buffer CMSG_LEN(sizeof(int)): one of two fds arrives, usable (testCmsgTruncLen1)', async () => {
          setup();
          await createAndSendFDs(2);
          await checkTruncatedArray(socket.CMSG_LEN(SIZEOF_INT), SIZEOF_INT);
        });

        it('ancillary buffer CMSG_LEN(2 * sizeof(int)) - 1 (testCmsgTruncLen2Minus1)', async () => {
          setup();
          await createAndSendFDs(2);
          await checkTruncatedArray(socket.CMSG_LEN(2 * SIZEOF_INT) - 1, 2 * SIZEOF_INT - 1);
        });
      });
    }
  }
}

// ---- send_fds / recv_fds ---------------------------------------------------------------------------

describe('send_fds / recv_fds', () => {
  /** n connected socketpairs standing in for os.pipe(): [kept end, end to pass]. */
  function pipes(n: number): [socket.Socket, socket.Socket][] {
    return Array.from({ length: n }, () => {
      const [w, r] = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM);
      track(w);
      track(r);
      return [w, r] as [socket.Socket, socket.Socket];
    });
  }

  it('passes 10 fds that stay connected to their peers (testSendAndRecvFds)', () => {
    const ps = pipes(10);
    const fds = ps.map(([, r]) => r.fileno());
    const [sock1, sock2] = pair('sync', socket.AF_UNIX, socket.SOCK_STREAM) as [socket.Socket, socket.Socket];
    expect(socket.send_fds(sock1, [MSG], fds)).toBe(MSG.length);
    // Ask for more data and more fds than were sent.
    const [msg, fds2, flags] = socket.recv_fds(sock2, MSG.length * 2, fds.length * 2);
    fds2.forEach(adoptFd);
    expect(msg).toEqual(MSG);
    expect(fds2).toHaveLength(fds.length);
    expect(flags).toBe(0);
    ps.forEach(([w], i) => w.sendall(Buffer.from(String(i))));
    fds2.forEach((fd, i) => {
      const buf = Buffer.alloc(100);
      expect(fs.readSync(fd, buf, 0, 100, null)).toBe(String(i).length);
      expect(buf.subarray(0, String(i).length).toString()).toBe(String(i));
    });
  });

  it('passes several file fds; each reads its own file', () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM) as [socket.Socket, socket.Socket];
    const fds = newFDs(5);
    expect(socket.send_fds(a, [Buffer.from('five '), Buffer.from('files')], fds)).toBe(10);
    const [msg, got, flags, addr] = socket.recv_fds(b, 100, 5);
    got.forEach(adoptFd);
    expect(msg.toString()).toBe('five files');
    expect(flags & socket.MSG_CTRUNC).toBe(0);
    expect(addr).toBeNull();
    expect(got).toHaveLength(5);
    for (const fd of got) expect(fds).not.toContain(fd);
    checkFDs(got);
  });

  it('maxfds smaller than what was sent: MSG_CTRUNC, and the fds that arrived are usable', () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_STREAM) as [socket.Socket, socket.Socket];
    const before = fdSnapshot();
    socket.send_fds(a, [MSG], newFDs(4));
    const [msg, got, flags] = socket.recv_fds(b, MSG.length, 2);
    got.forEach(adoptFd);
    expect(msg).toEqual(MSG);
    expect(flags & socket.MSG_CTRUNC).toBe(socket.MSG_CTRUNC);
    expect(got).toHaveLength(2);
    checkFDs(got);
    got.forEach(closeFd);
    // 4 files were opened by newFDs and stay open until the end of the test; the two fds the
    // kernel could not deliver were closed by the kernel, the two delivered by us.
    expect(newFds(before).filter((l) => !l.includes('bsdsock-messages-'))).toEqual([]);
    expect(newFds(before)).toHaveLength(4);
  });

  it('recv_fds with maxfds 0 gets the data, no fds, MSG_CTRUNC', () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM) as [socket.Socket, socket.Socket];
    socket.send_fds(a, [MSG], newFDs(1));
    const [msg, got, flags] = socket.recv_fds(b, MSG.length, 0);
    expect(msg).toEqual(MSG);
    expect(got).toEqual([]);
    expect(flags & socket.MSG_CTRUNC).toBe(socket.MSG_CTRUNC);
  });

  it('bad arguments: TypeError / RangeError / OSError, nothing sent', () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM) as [socket.Socket, socket.Socket];
    expect(() => socket.send_fds(a, [MSG], ['3' as any])).toThrow(TypeError);
    expect(() => socket.send_fds(a, [MSG], [1.5])).toThrow(TypeError);
    expect(() => socket.send_fds(a, [MSG], [-1])).toThrow(RangeError);
    expect(() => socket.send_fds(a, 'x' as any, [0])).toThrow(TypeError);
    expect(() => socket.recv_fds(b, 10, -1)).toThrow(RangeError);
    expect(() => socket.recv_fds(b, -1, 1)).toThrow(RangeError);
    expect(() => socket.send_fds(a, [MSG], [0x7ffffff0])).toThrow(socket.OSError);
    b.settimeout(0);
    expect(() => b.recv(10)).toThrow(socket.BlockingIOError);
  });

  it('a non-iterable fds argument is a TypeError and sends nothing', () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM) as [socket.Socket, socket.Socket];
    // Python: array.array('i', 5) -> TypeError.
    let err: unknown = null;
    try {
      socket.send_fds(a, [MSG], 5 as any);
    } catch (e) {
      err = e;
    }
    b.settimeout(0);
    let queued: Buffer | null = null;
    try {
      queued = b.recv(100);
    } catch {
      // Nothing queued: as it should be.
    }
    expect(queued, 'send_fds(sock, [MSG], 5) sent the message').toBeNull();
    expect(err).toBeInstanceOf(TypeError);
  });
});

// ---- passing an fd to another process ------------------------------------------------------------

function distIsFresh(): boolean {
  const libDir = path.join(repoRoot, 'lib');
  const newest = fs
    .readdirSync(libDir)
    .filter((f) => f.endsWith('.ts'))
    .reduce((m, f) => Math.max(m, fs.statSync(path.join(libDir, f)).mtimeMs), 0);
  return ['index.js', 'aio.js', 'functions.js', 'socket.js'].every((f) => {
    const p = path.join(repoRoot, 'dist', f);
    return fs.existsSync(p) && fs.statSync(p).mtimeMs >= newest;
  });
}

describe('passing a file descriptor to a child process', () => {
  beforeAll(() => {
    if (distIsFresh()) return;
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const r = spawnSync('npm', ['run', 'build:ts'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (r.status !== 0) throw new Error(`npm run build:ts failed (${r.status}): ${r.stdout}\n${r.stderr}`);
  }, 300_000);

  /**
   * Listens on a fresh AF_UNIX path, starts the child, accepts it, sends the fds of two
   * files (unlinked first, so the child can only reach them through the fds) and returns
   * what the child printed.
   */
  async function passTo(cmd: string, args: (p: string) => string[]): Promise<any> {
    const listener = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = tmpPath('l');
    listener.bind(p);
    listener.listen();
    const files = ['first file \u00e9', 'second file'].map((text) => {
      const f = tmpPath('secret');
      fs.writeFileSync(f, text);
      const fd = adoptFd(fs.openSync(f, 'r'));
      fs.unlinkSync(f);
      return fd;
    });
    const child = runChild(cmd, args(p), 30_000, { cwd: repoRoot });
    let conn: socket.Socket;
    try {
      // Blocks this thread until the child connects (bounded by the timeout T).
      [conn] = listener.accept();
    } catch (e) {
      const run = await child;
      throw new Error(`the child never connected: ${String(e)}; child stderr: ${run.stderr}`);
    }
    track(conn);
    expect(socket.send_fds(conn, [Buffer.from('here are your files')], files)).toBe(19);
    const run = await child;
    expect(run.killed).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').pop()!);
  }

  it('a node child (loading dist/ as the package) reads the files through the received fds', async () => {
    const out = await passTo(process.execPath, (p) => [
      path.join(__dirname, 'fixtures', 'recv-fd-child.cjs'),
      p,
    ]);
    expect(out.msg).toBe('here are your files');
    expect(out.flags).toBe(0);
    expect(out.contents).toEqual(['first file \u00e9', 'second file']);
  }, 60_000);

  it('a python3 child (socket.recv_fds) reads the files through the received fds', async () => {
    const out = await passTo('python3', (p) => [path.join(__dirname, 'fixtures', 'recv_fds_child.py'), p]);
    expect(out.msg).toBe('here are your files');
    expect(out.flags).toBe(0);
    expect(out.contents).toEqual(['first file \u00e9', 'second file']);
  }, 60_000);
});

// ---- SCM_CREDENTIALS ---------------------------------------------------------------------------------

function ucred(data: Buffer): { pid: number; uid: number; gid: number } {
  expect(data.length).toBe(12);
  return { pid: data.readInt32LE(0), uid: data.readUInt32LE(4), gid: data.readUInt32LE(8) };
}

describe('SCM_CREDENTIALS with SO_PASSCRED', () => {
  const me = () => ({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });

  for (const form of FORMS as Form[]) {
    for (const [kindName, kind] of KINDS) {
      it(`a receiver with SO_PASSCRED gets the sender's struct ucred (${kindName}, ${form})`, async () => {
        const [a, b] = pair(form, socket.AF_UNIX, kind);
        b.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1);
        expect(b.getsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED)).toBe(1);
        await a.send(MSG);
        const [msg, anc, flags] = await b.recvmsg(MSG.length, socket.CMSG_SPACE(12));
        expect(msg).toEqual(MSG);
        expect(flags & socket.MSG_CTRUNC).toBe(0);
        expect(anc).toHaveLength(1);
        const [level, type, data] = anc[0];
        expect(level).toBe(socket.SOL_SOCKET);
        expect(type).toBe(socket.SCM_CREDENTIALS);
        expect(ucred(data)).toEqual(me());
      });

      it(`credentials sent explicitly with sendmsg arrive as given (${kindName}, ${form})`, async () => {
        const [a, b] = pair(form, socket.AF_UNIX, kind);
        b.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1);
        const { pid, uid, gid } = me();
        expect(
          await a.sendmsg([MSG], [[socket.SOL_SOCKET, socket.SCM_CREDENTIALS, ints(pid, uid, gid)]]),
        ).toBe(MSG.length);
        const buf = Buffer.alloc(MSG.length);
        const [n, anc] = await b.recvmsg_into([buf], socket.CMSG_SPACE(12));
        expect(n).toBe(MSG.length);
        expect(buf).toEqual(MSG);
        expect(anc).toHaveLength(1);
        expect(anc[0][1]).toBe(socket.SCM_CREDENTIALS);
        expect(ucred(anc[0][2])).toEqual(me());
      });
    }
  }

  it('without SO_PASSCRED no credentials arrive', async () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM);
    await a.send(MSG);
    const [, anc] = await b.recvmsg(MSG.length, 1024);
    expect(anc).toEqual([]);
  });

  it('the credentials of a python3 child process: its pid, uid and gid', async () => {
    const listener = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = tmpPath('l');
    listener.bind(p);
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1);
    listener.listen();
    const child = runChild('python3', [path.join(__dirname, 'fixtures', 'send_creds_child.py'), p], 30_000);
    const [conn] = listener.accept();
    track(conn).settimeout(T);
    conn.sendall(Buffer.from('go'));
    const [msg, anc] = conn.recvmsg(5, socket.CMSG_SPACE(12));
    conn.close();
    const run = await child;
    expect(run.code, run.stderr).toBe(0);
    const childPid = Number(run.stdout.trim());
    expect(msg.toString()).toBe('hello');
    expect(anc).toHaveLength(1);
    expect(anc[0].slice(0, 2)).toEqual([socket.SOL_SOCKET, socket.SCM_CREDENTIALS]);
    expect(ucred(anc[0][2])).toEqual({ pid: childPid, uid: process.getuid!(), gid: process.getgid!() });
    expect(childPid).not.toBe(process.pid);
  }, 60_000);
});

// ---- no leaks --------------------------------------------------------------------------------------

describe('fd accounting', () => {
  it('after all the fd-passing tests, /proc/self/fd holds nothing new', async () => {
    const extra = newFds(baseline);
    expect(extra).toEqual([]);
  });
});
