// sendfile(file, offset = 0, count = null): a port of CPython's SendfileUsingSendfileTest
// (and SendfileUsingSendTest's non-regular-file case), blocking and async, with a file
// descriptor and with a fs.promises.FileHandle: offset/count honoured, the count
// returned, the file position left at offset + sent, the read/send fallback for inputs
// sendfile(2) cannot read (a FIFO, a socket), and the argument errors.
//
// A blocking sendfile of 10 MiB cannot finish unless someone reads meanwhile, so in the
// blocking form the receiver is a worker thread (node:net) that collects the stream.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { errorOf } from '../helpers/errors';
import { tmpPath } from '../helpers/paths';
import { tcpSink } from '../helpers/peer';
import { within } from '../helpers/timing';
import { adoptFd, onCleanup, track, useSockets } from '../helpers/tracker';
import { type ASock, sock, type Sock, T, tcpPair, toForm } from './fixtures/forms';

useSockets({ watchdog: false });

const FILESIZE = 10 * 1024 * 1024;
let FILEDATA: Buffer;
let FILE: string;
let EMPTY: string;

beforeAll(() => {
  const letters = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');
  FILEDATA = crypto.randomBytes(FILESIZE);
  for (let i = 0; i < FILESIZE; i++) FILEDATA[i] = letters[FILEDATA[i] % letters.length];
  FILE = tmpPath('sendfile-data');
  fs.writeFileSync(FILE, FILEDATA);
  EMPTY = tmpPath('sendfile-empty');
  fs.writeFileSync(EMPTY, '');
});

/** The file position of `fd`: what a positionless read gets next, compared with FILEDATA. */
function expectPosition(fd: number, pos: number): void {
  const b = Buffer.alloc(16);
  const n = fs.readSync(fd, b, 0, 16, null);
  expect(n, `bytes readable at the file position (expected position ${pos})`).toBe(
    Math.min(16, FILESIZE - pos),
  );
  expect(b.subarray(0, n).equals(FILEDATA.subarray(pos, pos + n)), `data at the file position ${pos}`).toBe(
    true,
  );
}

async function expectHandlePosition(fh: fs.promises.FileHandle, pos: number): Promise<void> {
  const b = Buffer.alloc(16);
  const { bytesRead } = await fh.read(b, 0, 16, null);
  expect(bytesRead).toBe(Math.min(16, FILESIZE - pos));
  expect(b.subarray(0, bytesRead).equals(FILEDATA.subarray(pos, pos + bytesRead))).toBe(true);
}

interface Outcome {
  ret: unknown;
  err: any;
  data: Buffer;
}

/**
 * Blocking form: connects to a worker sink, runs `fn(cli)` (which blocks while the worker
 * reads), closes the connection and returns what the sink received.
 */
async function viaSink(fn: (cli: Sock) => unknown): Promise<Outcome> {
  const sink = tcpSink();
  const port = await sink.ready;
  const cli = track(socket.create_connection(['127.0.0.1', port], T));
  let ret: unknown;
  let err: any = null;
  try {
    ret = fn(cli);
  } catch (e) {
    err = e;
  } finally {
    cli.close();
  }
  const data = Buffer.from(await within(sink.result, 60_000, 'the sink worker'));
  return { ret, err, data };
}

/** Async form: an AsyncSocket pair on loopback; the receiver reads to the end meanwhile. */
async function viaAsync(fn: (cli: ASock) => Promise<unknown>): Promise<Outcome> {
  const { cli: c, conn: s } = tcpPair();
  const cli = toForm('async', c) as ASock;
  const conn = toForm('async', s) as ASock;
  const reader = (async () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const d = await conn.recv(1 << 16);
      if (d.length === 0) break;
      chunks.push(d);
    }
    return Buffer.concat(chunks);
  })();
  reader.catch(() => {});
  let ret: unknown;
  let err: any = null;
  try {
    ret = await fn(cli);
  } catch (e) {
    err = e;
  } finally {
    cli.close();
  }
  const data = await within(reader, 60_000, 'the async reader');
  return { ret, err, data };
}

function expectOk(o: Outcome): void {
  if (o.err) throw o.err;
}

function openFd(path = FILE): number {
  return adoptFd(fs.openSync(path, 'r'));
}

async function openHandle(path = FILE): Promise<fs.promises.FileHandle> {
  const fh = await fs.promises.open(path, 'r');
  onCleanup(() => fh.close().catch(() => {}));
  return fh;
}

// ---- SendfileUsingSendfileTest, blocking ------------------------------------------------------------

describe('SendfileUsingSendfileTest (blocking)', () => {
  it('sends a whole regular file by fd; the position ends at the end (testRegularFile)', async () => {
    const fd = openFd();
    const o = await viaSink((cli) => cli.sendfile(fd));
    expectOk(o);
    expect(o.ret).toBe(FILESIZE);
    expect(o.data.length).toBe(FILESIZE);
    expect(o.data.equals(FILEDATA)).toBe(true);
    expectPosition(fd, FILESIZE);
  }, 60_000);

  it('sends a whole regular file through a fs.promises.FileHandle (testRegularFile)', async () => {
    const fh = await openHandle();
    const o = await viaSink((cli) => cli.sendfile(fh));
    expectOk(o);
    expect(o.ret).toBe(FILESIZE);
    expect(o.data.equals(FILEDATA)).toBe(true);
    await expectHandlePosition(fh, FILESIZE);
  }, 60_000);

  it('an empty file sends 0 bytes; the position stays 0 (testEmptyFileSend)', async () => {
    const fd = openFd(EMPTY);
    const o = await viaSink((cli) => cli.sendfile(fd));
    expectOk(o);
    expect(o.ret).toBe(0);
    expect(o.data.length).toBe(0);
    expect(fs.readSync(fd, Buffer.alloc(1), 0, 1, null)).toBe(0);
  });

  it('offset 5000: the rest of the file (testOffset)', async () => {
    const fd = openFd();
    const o = await viaSink((cli) => cli.sendfile(fd, 5000));
    expectOk(o);
    expect(o.ret).toBe(FILESIZE - 5000);
    expect(o.data.equals(FILEDATA.subarray(5000))).toBe(true);
    expectPosition(fd, FILESIZE);
  }, 60_000);

  it('count 5000007: exactly that many, position at count (testCount)', async () => {
    const fh = await openHandle();
    const o = await viaSink((cli) => cli.sendfile(fh, 0, 5000007));
    expectOk(o);
    expect(o.ret).toBe(5000007);
    expect(o.data.equals(FILEDATA.subarray(0, 5000007))).toBe(true);
    await expectHandlePosition(fh, 5000007);
  }, 60_000);

  it('count 1 (testCountSmall)', async () => {
    const fd = openFd();
    const o = await viaSink((cli) => cli.sendfile(fd, 0, 1));
    expectOk(o);
    expect(o.ret).toBe(1);
    expect(o.data).toEqual(FILEDATA.subarray(0, 1));
    expectPosition(fd, 1);
  });

  it('offset 2007 and count 100007: position at offset + count (testCountWithOffset)', async () => {
    const fd = openFd();
    const o = await viaSink((cli) => {
      cli.settimeout(2);
      return cli.sendfile(fd, 2007, 100007);
    });
    expectOk(o);
    expect(o.ret).toBe(100007);
    expect(o.data.equals(FILEDATA.subarray(2007, 2007 + 100007))).toBe(true);
    expectPosition(fd, 2007 + 100007);
  });

  it('an offset past the end sends nothing', async () => {
    const fd = openFd();
    const o = await viaSink((cli) => cli.sendfile(fd, FILESIZE + 10));
    expectOk(o);
    expect(o.ret).toBe(0);
    expect(o.data.length).toBe(0);
  });

  it("a non-blocking socket is a RangeError 'non-blocking sockets are not supported'; nothing is sent (testNonBlocking)", async () => {
    const fd = openFd();
    const o = await viaSink((cli) => {
      cli.setblocking(false);
      return cli.sendfile(fd);
    });
    expect(o.err).toBeInstanceOf(RangeError);
    expect(o.err.message).toBe('non-blocking sockets are not supported');
    expect(o.data.length).toBe(0);
  });

  it('with a timeout that does not fire, the whole file goes (testWithTimeout)', async () => {
    const fd = openFd();
    const o = await viaSink((cli) => {
      cli.settimeout(T);
      return cli.sendfile(fd);
    });
    expectOk(o);
    expect(o.ret).toBe(FILESIZE);
    expect(o.data.equals(FILEDATA)).toBe(true);
  }, 60_000);

  it('a timeout fires when the peer does not read (testWithTimeoutTriggeredSend)', () => {
    const { cli } = tcpPair(socket.AF_INET, (listener, c) => {
      listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384);
      c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384);
    });
    const fd = openFd();
    cli.settimeout(0.01);
    let err: any = null;
    try {
      cli.sendfile(fd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(socket.TimeoutError);
  });

  it('argument errors: SOCK_DGRAM, count 0 / -1 / 0.1 / "x" (test_errors)', () => {
    const fd = openFd();
    const d = sock(socket.AF_INET, socket.SOCK_DGRAM);
    expect(() => d.sendfile(fd)).toThrow(RangeError);
    expect(() => d.sendfile(fd)).toThrow('only SOCK_STREAM type sockets are supported');
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    const cases: [unknown, any, string][] = [
      ['2', TypeError, "count must be a positive integer (got '2')"],
      ['x', TypeError, "count must be a positive integer (got 'x')"],
      [0.1, TypeError, 'count must be a positive integer (got 0.1)'],
      [0, RangeError, 'count must be a positive integer (got 0)'],
      [-1, RangeError, 'count must be a positive integer (got -1)'],
    ];
    for (const [count, cls, msg] of cases) {
      let err: any = null;
      try {
        s.sendfile(fd, 0, count as any);
      } catch (e) {
        err = e;
      }
      expect(err, `count ${String(count)}`).toBeInstanceOf(cls);
      expect(err.message).toBe(msg);
    }
  });

  it('file argument errors: not a file, a negative fd, a closed fd; a negative offset', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect(() => s.sendfile('file' as any)).toThrow(TypeError);
    expect(() => s.sendfile({} as any)).toThrow(TypeError);
    expect(() => s.sendfile(null as any)).toThrow(TypeError);
    // A socket is not a FileHandle, although its state record has a numeric fd field.
    const other = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect(() => s.sendfile(other as any)).toThrow(
      'sendfile() file must be a file descriptor or a FileHandle, not Socket',
    );
    expect(() => s.sendfile(socket.aio.from_stdlib_socket(other) as any)).toThrow(TypeError);
    expect(() => s.sendfile(-1)).toThrow(RangeError);
    const fd = openFd();
    expect(() => s.sendfile(fd, -1)).toThrow(RangeError);
    expect(() => s.sendfile(fd, 1.5)).toThrow(TypeError);
  });

  it('an fd number that is not open is OSError EBADF', () => {
    const { cli } = tcpPair();
    let err: any = null;
    try {
      cli.sendfile(0x7ffffff0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(socket.OSError);
    expect(err.errno).toBe(9);
  });
});

// ---- SendfileUsingSendfileTest, async ------------------------------------------------------------------

describe('SendfileUsingSendfileTest (async)', () => {
  it('sends a whole regular file by fd (testRegularFile)', async () => {
    const fd = openFd();
    const o = await viaAsync((cli) => cli.sendfile(fd));
    expectOk(o);
    expect(o.ret).toBe(FILESIZE);
    expect(o.data.equals(FILEDATA)).toBe(true);
    expectPosition(fd, FILESIZE);
  }, 60_000);

  it('sends a whole regular file through a FileHandle (testRegularFile)', async () => {
    const fh = await openHandle();
    const o = await viaAsync((cli) => cli.sendfile(fh));
    expectOk(o);
    expect(o.ret).toBe(FILESIZE);
    expect(o.data.equals(FILEDATA)).toBe(true);
    await expectHandlePosition(fh, FILESIZE);
  }, 60_000);

  it('an empty file sends 0 bytes (testEmptyFileSend)', async () => {
    const fd = openFd(EMPTY);
    const o = await viaAsync((cli) => cli.sendfile(fd));
    expectOk(o);
    expect(o.ret).toBe(0);
    expect(o.data.length).toBe(0);
  });

  it('offset 5000 (testOffset)', async () => {
    const fd = openFd();
    const o = await viaAsync((cli) => cli.sendfile(fd, 5000));
    expectOk(o);
    expect(o.ret).toBe(FILESIZE - 5000);
    expect(o.data.equals(FILEDATA.subarray(5000))).toBe(true);
    expectPosition(fd, FILESIZE);
  }, 60_000);

  it('count 5000007 (testCount)', async () => {
    const fd = openFd();
    const o = await viaAsync((cli) => cli.sendfile(fd, 0, 5000007));
    expectOk(o);
    expect(o.ret).toBe(5000007);
    expect(o.data.equals(FILEDATA.subarray(0, 5000007))).toBe(true);
    expectPosition(fd, 5000007);
  }, 60_000);

  it('count 1 (testCountSmall)', async () => {
    const fh = await openHandle();
    const o = await viaAsync((cli) => cli.sendfile(fh, 0, 1));
    expectOk(o);
    expect(o.ret).toBe(1);
    expect(o.data).toEqual(FILEDATA.subarray(0, 1));
    await expectHandlePosition(fh, 1);
  });

  it('offset 2007 and count 100007 (testCountWithOffset)', async () => {
    const fd = openFd();
    const o = await viaAsync((cli) => cli.sendfile(fd, 2007, 100007));
    expectOk(o);
    expect(o.ret).toBe(100007);
    expect(o.data.equals(FILEDATA.subarray(2007, 2007 + 100007))).toBe(true);
    expectPosition(fd, 2007 + 100007);
  });

  it('a timeout on the async socket bounds a sendfile the peer does not read (testWithTimeoutTriggeredSend)', async () => {
    const { cli: c } = tcpPair(socket.AF_INET, (listener, cl) => {
      listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384);
      cl.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384);
    });
    const cli = toForm('async', c);
    cli.settimeout(0.05);
    const e = await errorOf(() => cli.sendfile(openFd()));
    expect(e).toBeInstanceOf(socket.TimeoutError);
    expect(typeof e.bytes_sent).toBe('number');
    expect(e.bytes_sent).toBeGreaterThan(0);
  });

  it('argument errors: SOCK_DGRAM, bad counts (test_errors)', async () => {
    const fd = openFd();
    const d = toForm('async', sock(socket.AF_INET, socket.SOCK_DGRAM));
    const e = await errorOf(() => d.sendfile(fd));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('only SOCK_STREAM type sockets are supported');
    const s = toForm('async', sock(socket.AF_INET, socket.SOCK_STREAM));
    for (const [count, cls, msg] of [
      ['x', TypeError, "count must be a positive integer (got 'x')"],
      [0.1, TypeError, 'count must be a positive integer (got 0.1)'],
      [0, RangeError, 'count must be a positive integer (got 0)'],
      [-1, RangeError, 'count must be a positive integer (got -1)'],
    ] as [unknown, any, string][]) {
      const err = await errorOf(() => s.sendfile(fd, 0, count as any));
      expect(err, `count ${String(count)}`).toBeInstanceOf(cls);
      expect(err.message).toBe(msg);
    }
  });
});

// ---- inputs sendfile(2) cannot read: the read/send fallback ------------------------------------------

const PIPE_DATA = crypto.randomBytes(40_000);

/** The read end of a FIFO (made with mkfifo) holding PIPE_DATA, writer closed (EOF after the data). */
function fifoWithData(): number {
  const p = tmpPath('fifo');
  execFileSync('mkfifo', [p]);
  // O_NONBLOCK so the open does not wait for a writer; the data is all there before we read.
  const r = adoptFd(fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
  const w = fs.openSync(p, 'w');
  expect(fs.writeSync(w, PIPE_DATA)).toBe(PIPE_DATA.length);
  fs.closeSync(w);
  return r;
}

/** One end of an AF_UNIX socketpair holding PIPE_DATA, the other end shut for writing. */
function socketWithData(): number {
  const [a, b] = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM);
  track(a);
  track(b);
  a.sendall(PIPE_DATA);
  a.shutdown(socket.SHUT_WR);
  return b.fileno();
}

const NON_SEEKABLE: [string, () => number][] = [
  ['a FIFO (mkfifo) opened with fs.openSync', fifoWithData],
  ['an AF_UNIX socketpair fd', socketWithData],
];

describe('sendfile from a non-seekable input falls back to read/send (testNonRegularFile)', () => {
  for (const [name, make] of NON_SEEKABLE) {
    it(`blocking: ${name}, everything is sent`, async () => {
      const fd = make();
      const o = await viaSink((cli) => cli.sendfile(fd));
      expectOk(o);
      expect(o.ret).toBe(PIPE_DATA.length);
      expect(o.data.equals(PIPE_DATA)).toBe(true);
    });

    it(`blocking: ${name}, count honoured`, async () => {
      const fd = make();
      const o = await viaSink((cli) => cli.sendfile(fd, 0, 1000));
      expectOk(o);
      expect(o.ret).toBe(1000);
      expect(o.data.equals(PIPE_DATA.subarray(0, 1000))).toBe(true);
    });

    it(`async: ${name}, everything is sent`, async () => {
      const fd = make();
      const o = await viaAsync((cli) => cli.sendfile(fd));
      expectOk(o);
      expect(o.ret).toBe(PIPE_DATA.length);
      expect(o.data.equals(PIPE_DATA)).toBe(true);
    });
  }
});
