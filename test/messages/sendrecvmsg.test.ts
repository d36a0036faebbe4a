// sendmsg / recvmsg / recvmsg_into: a port of CPython's SendmsgTests (with the stream and
// connectionless variants), RecvmsgGenericTests, RecvmsgTests and RecvmsgIntoTests over
// UDP (IPv4, IPv6, connected), TCP, AF_UNIX stream and AF_UNIX datagram, each in both
// forms: blocking Socket and bsdsock/aio AsyncSocket. The test bodies `await` every call,
// which for the blocking form is just the value.
//
// Where CPython's client half runs in a thread, here the client sends first: on loopback
// and AF_UNIX the data is queued by the time send returns, so the receive never waits.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { errorOf } from '../helpers/errors';
import { useSockets } from '../helpers/tracker';
import {
  type AnySock,
  checkFlags,
  type Form,
  FORMS,
  MSG,
  pair,
  runTsFixture,
  T,
  tcpPair,
  toForm,
  udp,
  unixDgram,
  doRecvmsg,
  type Method,
} from './fixtures/forms';

useSockets({ watchdog: false });

interface Env {
  serv: AnySock;
  cli: AnySock;
  /** What recvmsg on serv reports as the sender's address. */
  cliAddr: unknown;
  dgram: boolean;
  /** Unconnected datagram: sendmsg needs an address. */
  connectionless: boolean;
  sendToServer(data: Buffer): unknown;
  sendmsgToServer(buffers?: unknown, ancdata?: unknown, flags?: unknown): unknown;
}

interface Transport {
  name: string;
  stream: boolean;
  make(form: Form): Env;
}

function dgramEnv(form: Form, family: number, connect: boolean): Env {
  const { s: servB, addr: servAddr } = udp(family);
  const { s: cliB, addr: cliAddr } = udp(family);
  if (connect) cliB.connect(servAddr);
  const serv = toForm(form, servB);
  const cli = toForm(form, cliB);
  return {
    serv,
    cli,
    cliAddr,
    dgram: true,
    connectionless: !connect,
    sendToServer: (d) => (connect ? cli.send(d) : cli.sendto(d, servAddr)),
    sendmsgToServer: (b, a = [], f = 0) =>
      connect
        ? cli.sendmsg(b as any, a as any, f as any)
        : cli.sendmsg(b as any, a as any, f as any, servAddr),
  };
}

const TRANSPORTS: Transport[] = [
  { name: 'UDP', stream: false, make: (form) => dgramEnv(form, socket.AF_INET, false) },
  { name: 'UDP6', stream: false, make: (form) => dgramEnv(form, socket.AF_INET6, false) },
  { name: 'connected UDP', stream: false, make: (form) => dgramEnv(form, socket.AF_INET, true) },
  {
    name: 'AF_UNIX datagram',
    stream: false,
    make: (form) => {
      const { s: servB, addr: servAddr } = unixDgram();
      const { s: cliB, addr: cliAddr } = unixDgram();
      const serv = toForm(form, servB);
      const cli = toForm(form, cliB);
      return {
        serv,
        cli,
        cliAddr,
        dgram: true,
        connectionless: true,
        sendToServer: (d) => cli.sendto(d, servAddr),
        sendmsgToServer: (b, a = [], f = 0) => cli.sendmsg(b as any, a as any, f as any, servAddr),
      };
    },
  },
  {
    name: 'TCP',
    stream: true,
    make: (form) => {
      const { cli: c, conn } = tcpPair();
      const serv = toForm(form, conn);
      const cli = toForm(form, c);
      return {
        serv,
        cli,
        // A connected stream socket: the kernel gives no address, bsdsock gives null.
        cliAddr: null,
        dgram: false,
        connectionless: false,
        sendToServer: (d) => cli.send(d),
        sendmsgToServer: (b, a = [], f = 0) => cli.sendmsg(b as any, a as any, f as any),
      };
    },
  },
  {
    name: 'AF_UNIX stream',
    stream: true,
    make: (form) => {
      const [serv, cli] = pair(form, socket.AF_UNIX, socket.SOCK_STREAM);
      return {
        serv,
        cli,
        cliAddr: null,
        dgram: false,
        connectionless: false,
        sendToServer: (d) => cli.send(d),
        sendmsgToServer: (b, a = [], f = 0) => cli.sendmsg(b as any, a as any, f as any),
      };
    },
  },
];

const COMMON_UNSET = socket.MSG_CTRUNC | socket.MSG_OOB;

/** Python's checkFlags with the datagram/stream indicators of SendrecvmsgDgramFlagsBase. */
function flagsOk(
  env: Env,
  flags: number,
  eor: boolean | null,
  opts: { set?: number; unset?: number; ignore?: number } = {},
): void {
  let set = 0;
  let unset = COMMON_UNSET;
  if (env.dgram && eor === true) unset |= socket.MSG_TRUNC;
  if (env.dgram && eor === false) set |= socket.MSG_TRUNC;
  set = (set & ~(opts.unset ?? 0)) | (opts.set ?? 0);
  unset = (unset & ~(opts.set ?? 0)) | (opts.unset ?? 0);
  checkFlags(flags, { set, unset, ignore: opts.ignore ?? 0 });
}

function isOSErrorWithErrno(e: any, errno: number): void {
  expect(e).toBeInstanceOf(socket.OSError);
  expect(e.errno).toBe(errno);
}

// ---- SendmsgTests ------------------------------------------------------------------------------

for (const form of FORMS) {
  for (const tr of TRANSPORTS) {
    describe(`SendmsgTests over ${tr.name} (${form})`, () => {
      it('sendmsg sends one buffer (testSendmsg)', async () => {
        const env = tr.make(form);
        expect(await env.sendmsgToServer([MSG])).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
      });

      it('buffers may come from a generator (testSendmsgDataGenerator)', async () => {
        const env = tr.make(form);
        function* gen() {
          yield MSG;
        }
        expect(await env.sendmsgToServer(gen())).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
      });

      it('ancillary data may come from an (empty) generator (testSendmsgAncillaryGenerator)', async () => {
        const env = tr.make(form);
        function* gen(): Generator<[number, number, Buffer]> {
          // nothing
        }
        expect(await env.sendmsgToServer([MSG], gen())).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
      });

      it('typed arrays and DataViews are bytes-like (testSendmsgArray)', async () => {
        const env = tr.make(form);
        const u8 = new Uint8Array(MSG);
        expect(await env.sendmsgToServer([u8])).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
        const dv = new DataView(MSG.buffer, MSG.byteOffset, MSG.length);
        expect(await env.sendmsgToServer([dv])).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
      });

      it('gathers several buffers into one message (testSendmsgGather)', async () => {
        const env = tr.make(form);
        expect(await env.sendmsgToServer([MSG.subarray(0, 3), MSG.subarray(3)])).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
        // Empty pieces are fine too, and an all-empty gather sends 0 bytes.
        expect(await env.sendmsgToServer([Buffer.alloc(0), MSG, Buffer.alloc(0)])).toBe(MSG.length);
        expect(await env.serv.recv(MSG.length)).toEqual(MSG);
      });

      it('rejects invalid arguments with TypeError (testSendmsgBadArgs)', async () => {
        const env = tr.make(form);
        const cli = env.cli as any;
        const cases: [string, () => unknown][] = [
          ['no arguments', () => cli.sendmsg()],
          ['a Buffer (iterable of ints)', () => env.sendmsgToServer(Buffer.from('not in an iterable'))],
          ['a string', () => env.sendmsgToServer('not in an iterable')],
          ['an object', () => env.sendmsgToServer({})],
          ['a number', () => env.sendmsgToServer(42)],
          ['[object]', () => env.sendmsgToServer([{}])],
          ['[MSG, object]', () => env.sendmsgToServer([MSG, {}])],
          ['[MSG, string]', () => env.sendmsgToServer([MSG, 'text'])],
          ['ancdata object', () => env.sendmsgToServer([MSG], {})],
          ['ancdata number', () => env.sendmsgToServer([MSG], 7)],
          ['flags object', () => env.sendmsgToServer([MSG], [], {})],
          ['flags float', () => env.sendmsgToServer([MSG], [], 1.5)],
          ['address object', () => cli.sendmsg([MSG], [], 0, {})],
        ];
        for (const [what, fn] of cases) {
          const e = await errorOf(fn);
          expect(e, what).toBeInstanceOf(TypeError);
        }
        const e = await errorOf(() => env.sendmsgToServer(42));
        expect(e.message).toBe('sendmsg() argument 1 must be an iterable');
        const e2 = await errorOf(() => env.sendmsgToServer([MSG], 7));
        expect(e2.message).toBe('sendmsg() argument 2 must be an iterable');
        // Nothing was sent by the failed calls.
        await env.sendToServer(Buffer.from('done'));
        expect(await env.serv.recv(1000)).toEqual(Buffer.from('done'));
      });

      it('rejects invalid ancillary items with TypeError (testSendmsgBadCmsg)', async () => {
        const env = tr.make(form);
        const cases: [string, unknown][] = [
          ['object item', [{}]],
          ['level object', [[{}, 0, Buffer.from('data')]]],
          ['type object', [[0, {}, Buffer.from('data')]]],
          ['data object', [[0, 0, {}]]],
          ['data string', [[0, 0, 'data']]],
          ['data number', [[0, 0, 42]]],
          ['two items', [[0, 0]]],
          ['four items', [[0, 0, Buffer.from('data'), 42]]],
          ['[1, 2]', [[1, 2]]],
          ['level float', [[0.5, 0, Buffer.alloc(0)]]],
        ];
        for (const [what, anc] of cases) {
          const e = await errorOf(() => env.sendmsgToServer([MSG], anc));
          expect(e, what).toBeInstanceOf(TypeError);
        }
        await env.sendToServer(Buffer.from('done'));
        expect(await env.serv.recv(1000)).toEqual(Buffer.from('done'));
      });

      it('rejects a bad item among several (testSendmsgBadMultiCmsg)', async () => {
        const env = tr.make(form);
        // A flat [level, type, data] instead of a list of them.
        expect(await errorOf(() => env.sendmsgToServer([MSG], [0, 0, Buffer.alloc(0)]))).toBeInstanceOf(
          TypeError,
        );
        expect(await errorOf(() => env.sendmsgToServer([MSG], [[0, 0, Buffer.alloc(0)], {}]))).toBeInstanceOf(
          TypeError,
        );
        await env.sendToServer(Buffer.from('done'));
        expect(await env.serv.recv(1000)).toEqual(Buffer.from('done'));
      });

      it('fails with OSError EBADF on a closed socket (testSendmsgAfterClose)', async () => {
        const env = tr.make(form);
        env.cli.close();
        isOSErrorWithErrno(await errorOf(() => env.sendmsgToServer([MSG])), 9);
      });

      if (tr.stream) {
        it('an explicit null address is no address (testSendmsgExplicitNoneAddr)', async () => {
          const env = tr.make(form);
          expect(await env.cli.sendmsg([MSG], [], 0, null)).toBe(MSG.length);
          expect(await env.serv.recv(MSG.length)).toEqual(MSG);
        });

        it('a timeout bounds a sendmsg that cannot proceed (testSendmsgTimeout)', async () => {
          const env = tr.make(form);
          env.cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
          env.serv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096);
          env.cli.settimeout(0.03);
          const chunk = Buffer.alloc(512, 'a');
          let err: any = null;
          for (let i = 0; i < 200_000 && !err; i++) {
            try {
              await env.sendmsgToServer([chunk]);
            } catch (e) {
              err = e;
            }
          }
          expect(err).toBeInstanceOf(socket.TimeoutError);
          expect(await env.serv.recv(512)).toEqual(chunk);
        });

        if (form === 'sync') {
          // In blocking mode (timeout null) nothing would stop a call that waits, so this
          // one runs in a child process that the test kills if it blocks.
          it('MSG_DONTWAIT makes sendmsg non-blocking on a blocking socket: BlockingIOError once full (testSendmsgDontWait)', async () => {
            const scenario = tr.name === 'TCP' ? 'sendmsg-tcp' : 'sendmsg-unix';
            const run = await runTsFixture('dontwait-child.ts', [scenario], 8_000);
            expect(
              run.killed,
              `the child blocked in sendmsg(..., MSG_DONTWAIT) and was killed; stderr: ${run.stderr}`,
            ).toBe(false);
            const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
            expect(out.result).toMatchObject({ ok: false, name: 'BlockingIOError', errno: 11 });
            expect(out.sent).toBeGreaterThan(0);
            expect(out.first).toBe(true);
          }, 30_000);
        }
      }

      if (tr.name === 'UDP' || tr.name === 'UDP6' || tr.name === 'AF_UNIX datagram') {
        it('no destination on an unconnected socket is an OSError (UDP: 89 EDESTADDRREQ) (testSendmsgNoDestAddr)', async () => {
          const env = tr.make(form);
          // UDP says EDESTADDRREQ; Linux AF_UNIX datagram sockets say ENOTCONN (107).
          const errno = tr.name === 'AF_UNIX datagram' ? 107 : 89;
          const e1 = await errorOf(() => env.cli.sendmsg([MSG]));
          isOSErrorWithErrno(e1, errno);
          if (errno === 89) expect(e1.message).toBe('[Errno 89] Destination address required');
          isOSErrorWithErrno(await errorOf(() => env.cli.sendmsg([MSG], [], 0, null)), errno);
          isOSErrorWithErrno(await errorOf(() => env.cli.sendmsg([MSG], [], 0, undefined)), errno);
        });
      }
    });
  }
}

// ---- RecvmsgGenericTests, RecvmsgTests, RecvmsgIntoTests -------------------------------------------

for (const form of FORMS) {
  for (const tr of TRANSPORTS) {
    for (const method of ['recvmsg', 'recvmsg_into'] as Method[]) {
      const suite = method === 'recvmsg' ? 'RecvmsgTests' : 'RecvmsgIntoTests';
      describe(`${suite} over ${tr.name} (${form})`, () => {
        const recv = (s: AnySock, n: number, ...args: number[]) => doRecvmsg(method, s, n, ...args);

        it(`${method} gets data, no ancdata, flags and the peer address (testRecvmsg)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          const r = await recv(env.serv, MSG.length);
          expect(Array.isArray(r)).toBe(true);
          expect(r).toHaveLength(4);
          const [msg, anc, flags, addr] = r;
          expect(Buffer.isBuffer(msg)).toBe(true);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        it(`${method} with the defaults given explicitly (testRecvmsgExplicitDefaults)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          const [msg, anc, flags, addr] = await recv(env.serv, MSG.length, 0, 0);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        it(`${method} into a larger buffer returns just the message (testRecvmsgShorter)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          const [msg, anc, flags, addr] = await recv(env.serv, MSG.length + 42);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        it(`${method} of part of a message reports truncation (testRecvmsgTrunc)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          const [msg, anc, flags, addr] = await recv(env.serv, MSG.length - 3);
          expect(msg).toEqual(MSG.subarray(0, -3));
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, false);
        });

        it(`${method} with a 1-byte ancillary buffer and no ancillary data (testRecvmsgShortAncillaryBuf)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          const [msg, anc, flags, addr] = await recv(env.serv, MSG.length, 1);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        it(`${method} with a large ancillary buffer (testRecvmsgLongAncillaryBuf)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          const [msg, anc, flags, addr] = await recv(env.serv, MSG.length, 10240);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        it(`${method} on a closed socket is OSError EBADF (testRecvmsgAfterClose)`, async () => {
          const env = tr.make(form);
          env.serv.close();
          isOSErrorWithErrno(await errorOf(() => recv(env.serv, 1024)), 9);
        });

        it(`${method} times out (testRecvmsgTimeout)`, async () => {
          const env = tr.make(form);
          env.serv.settimeout(0.03);
          const e = await errorOf(() => recv(env.serv, MSG.length));
          expect(e).toBeInstanceOf(socket.TimeoutError);
          env.serv.settimeout(T);
        });

        it(`${method} with MSG_PEEK leaves the data queued (testRecvmsgPeek)`, async () => {
          const env = tr.make(form);
          await env.sendToServer(MSG);
          let [msg, anc, flags, addr] = await recv(env.serv, MSG.length - 3, 0, socket.MSG_PEEK);
          expect(msg).toEqual(MSG.subarray(0, -3));
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, false, { ignore: socket.MSG_TRUNC });
          [msg, anc, flags, addr] = await recv(env.serv, MSG.length, 0, socket.MSG_PEEK);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          flagsOk(env, flags, true);
          [msg, anc, flags, addr] = await recv(env.serv, MSG.length);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        it(`${method} gets what sendmsg gathered (testRecvmsgFromSendmsg)`, async () => {
          const env = tr.make(form);
          expect(await env.sendmsgToServer([MSG.subarray(0, 3), MSG.subarray(3)])).toBe(MSG.length);
          const [msg, anc, flags, addr] = await recv(env.serv, MSG.length);
          expect(msg).toEqual(MSG);
          expect(anc).toEqual([]);
          expect(addr).toEqual(env.cliAddr);
          flagsOk(env, flags, true);
        });

        if (tr.stream) {
          it(`${method} at end of stream returns no data (testRecvmsgEOF)`, async () => {
            const env = tr.make(form);
            env.cli.close();
            const [msg, anc, flags, addr] = await recv(env.serv, 1024);
            expect(msg).toEqual(Buffer.alloc(0));
            expect(anc).toEqual([]);
            expect(addr).toEqual(env.cliAddr);
            flagsOk(env, flags, null);
          });

          it(`${method} of a message in two chunks (testRecvmsgOverflow)`, async () => {
            const env = tr.make(form);
            await env.sendToServer(MSG);
            const [seg1, anc1, flags1, addr1] = await recv(env.serv, MSG.length - 3);
            expect(anc1).toEqual([]);
            expect(addr1).toEqual(env.cliAddr);
            flagsOk(env, flags1, false);
            const [seg2, anc2, flags2] = await recv(env.serv, 1024);
            expect(anc2).toEqual([]);
            flagsOk(env, flags2, true);
            expect(Buffer.concat([seg1, seg2])).toEqual(MSG);
          });
        }

        if (method === 'recvmsg') {
          it('recvmsg rejects invalid arguments, then still works (testRecvmsgBadArgs)', async () => {
            const env = tr.make(form);
            await env.sendToServer(MSG);
            const s = env.serv as any;
            const typeErrors: [string, () => unknown][] = [
              ['no arguments', () => s.recvmsg()],
              ['bufsize list', () => s.recvmsg([Buffer.alloc(10)], 0, 0)],
              ['bufsize object', () => s.recvmsg({}, 0, 0)],
              ['bufsize string', () => s.recvmsg('10', 0, 0)],
              ['bufsize float', () => s.recvmsg(1.5, 0, 0)],
              ['ancbufsize string', () => s.recvmsg(MSG.length, 'x', 0)],
              ['ancbufsize float', () => s.recvmsg(MSG.length, 0.5, 0)],
              ['flags string', () => s.recvmsg(MSG.length, 0, 'x')],
            ];
            for (const [what, fn] of typeErrors) expect(await errorOf(fn), what).toBeInstanceOf(TypeError);
            const e1 = await errorOf(() => s.recvmsg(-1, 0, 0));
            expect(e1).toBeInstanceOf(RangeError);
            expect(e1.message).toBe('negative buffer size in recvmsg()');
            const e2 = await errorOf(() => s.recvmsg(MSG.length, -1, 0));
            expect(e2).toBeInstanceOf(RangeError);
            expect(e2.message).toBe('invalid ancillary data buffer length');
            const e3 = await errorOf(() => s.recvmsg(MSG.length, 0x80000000, 0));
            expect(e3).toBeInstanceOf(RangeError);
            expect(e3.message).toBe('invalid ancillary data buffer length');

            const [msg, anc, flags, addr] = await s.recvmsg(MSG.length, 0, 0);
            expect(msg).toEqual(MSG);
            expect(anc).toEqual([]);
            expect(addr).toEqual(env.cliAddr);
            flagsOk(env, flags, true);
          });
        } else {
          it('recvmsg_into rejects invalid arguments, then still works (testRecvmsgIntoBadArgs)', async () => {
            const env = tr.make(form);
            await env.sendToServer(MSG);
            const s = env.serv as any;
            const buf = Buffer.alloc(MSG.length);
            const typeErrors: [string, () => unknown][] = [
              ['no arguments', () => s.recvmsg_into()],
              ['a number', () => s.recvmsg_into(MSG.length, 0, 0)],
              ['a bare Buffer', () => s.recvmsg_into(buf, 0, 0)],
              ['[object]', () => s.recvmsg_into([{}], 0, 0)],
              ['[string] (not writable)', () => s.recvmsg_into(["I'm not writable"], 0, 0)],
              ['[buf, object]', () => s.recvmsg_into([buf, {}], 0, 0)],
              ['ancbufsize string', () => s.recvmsg_into([buf], 'x', 0)],
              ['flags string', () => s.recvmsg_into([buf], 0, 'x')],
            ];
            for (const [what, fn] of typeErrors) expect(await errorOf(fn), what).toBeInstanceOf(TypeError);
            expect((await errorOf(() => s.recvmsg_into(MSG.length, 0, 0))).message).toBe(
              'recvmsg_into() argument 1 must be an iterable',
            );
            expect((await errorOf(() => s.recvmsg_into([{}], 0, 0))).message).toBe(
              'recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers',
            );
            const e = await errorOf(() => s.recvmsg_into([buf], -1, 0));
            expect(e).toBeInstanceOf(RangeError);
            expect(e.message).toBe('invalid ancillary data buffer length');

            const [n, anc, flags, addr] = await s.recvmsg_into([buf], 0, 0);
            expect(n).toBe(MSG.length);
            expect(buf).toEqual(MSG);
            expect(anc).toEqual([]);
            expect(addr).toEqual(env.cliAddr);
            flagsOk(env, flags, true);
          });

          it('recvmsg_into takes buffers from a generator (testRecvmsgIntoGenerator)', async () => {
            const env = tr.make(form);
            await env.sendToServer(MSG);
            const buf = Buffer.alloc(MSG.length);
            function* gen() {
              yield buf;
            }
            const [n, anc, flags, addr] = await env.serv.recvmsg_into(gen());
            expect(n).toBe(MSG.length);
            expect(buf).toEqual(MSG);
            expect(anc).toEqual([]);
            expect(addr).toEqual(env.cliAddr);
            flagsOk(env, flags, true);
          });

          it('recvmsg_into a Uint8Array and a DataView (testRecvmsgIntoArray)', async () => {
            const env = tr.make(form);
            await env.sendToServer(MSG);
            const u8 = new Uint8Array(MSG.length);
            const [n, anc, flags, addr] = await env.serv.recvmsg_into([u8]);
            expect(n).toBe(MSG.length);
            expect(Buffer.from(u8)).toEqual(MSG);
            expect(anc).toEqual([]);
            expect(addr).toEqual(env.cliAddr);
            flagsOk(env, flags, true);
            await env.sendToServer(MSG);
            const ab = new ArrayBuffer(MSG.length + 8);
            const dv = new DataView(ab, 4, MSG.length);
            const [n2] = await env.serv.recvmsg_into([dv]);
            expect(n2).toBe(MSG.length);
            expect(Buffer.from(ab, 4, MSG.length)).toEqual(MSG);
            expect(Buffer.from(ab, 0, 4)).toEqual(Buffer.alloc(4));
          });

          it('recvmsg_into scatters over several buffers (testRecvmsgIntoScatter)', async () => {
            const env = tr.make(form);
            await env.sendToServer(Buffer.from('Mary had a little lamb'));
            const b1 = Buffer.from('----');
            const b2 = Buffer.from('0123456789');
            const b3 = Buffer.from('--------------');
            const [n, anc, flags, addr] = await env.serv.recvmsg_into([b1, b2.subarray(2, 9), b3]);
            expect(n).toBe('Mary had a little lamb'.length);
            expect(b1.toString()).toBe('Mary');
            expect(b2.toString()).toBe('01 had a 9');
            expect(b3.toString()).toBe('little lamb---');
            expect(anc).toEqual([]);
            expect(addr).toEqual(env.cliAddr);
            flagsOk(env, flags, true);
          });
        }
      });
    }
  }
}

// ---- gather/scatter limits ---------------------------------------------------------------------

describe('buffer count limits (IOV_MAX = 1024)', () => {
  for (const form of FORMS) {
    it(`sendmsg and recvmsg_into take 1024 buffers; 1025 is an OSError (${form})`, async () => {
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      const pieces = Array.from({ length: 1024 }, (_, i) => Buffer.from([i & 0xff]));
      expect(await a.sendmsg(pieces)).toBe(1024);
      const outs = Array.from({ length: 1024 }, () => Buffer.alloc(1));
      const [n] = await b.recvmsg_into(outs);
      expect(n).toBe(1024);
      expect(Buffer.concat(outs)).toEqual(Buffer.concat(pieces));

      const tooMany = [...pieces, Buffer.from('x')];
      const e1 = await errorOf(() => a.sendmsg(tooMany));
      expect(e1).toBeInstanceOf(socket.OSError);
      const e2 = await errorOf(() => b.recvmsg_into(Array.from({ length: 1025 }, () => Buffer.alloc(1))));
      expect(e2).toBeInstanceOf(socket.OSError);
      // Neither sent nor consumed anything.
      await a.send(Buffer.from('after'));
      expect(await b.recv(100)).toEqual(Buffer.from('after'));
    });
  }
});

// ---- a call made from inside another call's argument conversion ---------------------------------

describe('a call of the same operation made while the arguments are read', () => {
  for (const form of FORMS) {
    it(`a sendmsg from inside another sendmsg's iterable sends each on its own socket (${form})`, async () => {
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_STREAM);
      const [c, d] = pair(form, socket.AF_UNIX, socket.SOCK_STREAM);
      const inner: unknown[] = [];
      function* outerBuffers() {
        inner.push(c.sendmsg([Buffer.from('inner')]));
        yield Buffer.from('outer');
      }
      expect(await a.sendmsg(outerBuffers())).toBe(5);
      expect(await inner[0]).toBe(5);
      expect(await b.recv(100)).toEqual(Buffer.from('outer'));
      expect(await d.recv(100)).toEqual(Buffer.from('inner'));
    });

    it(`a recvmsg_into from inside another's buffer list fills each from its own socket (${form})`, async () => {
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      const [c, d] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      await a.send(Buffer.from('first'));
      await c.send(Buffer.from('second'));
      const outer = Buffer.alloc(5);
      const innerBuf = Buffer.alloc(6);
      const inner: unknown[] = [];
      function* outerBuffers() {
        inner.push(d.recvmsg_into([innerBuf]));
        yield outer;
      }
      const [n] = await b.recvmsg_into(outerBuffers());
      expect(n).toBe(5);
      expect(outer.toString()).toBe('first');
      const [m] = (await inner[0]) as [number];
      expect(m).toBe(6);
      expect(innerBuf.toString()).toBe('second');
    });
  }
});
