// bsdsock/select: select(), poll() and epoll() objects, ported from CPython 3.12's
// Lib/test/test_select.py, test_poll.py and test_epoll.py where they apply (pipes and
// popen become socketpairs and a python3 writer), plus Python's error cases.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as socket from '../../lib/index';
import * as aio from '../../lib/aio';
import * as select from '../../lib/select';
import { repoRoot, runTsChild, sleep, within } from '../helpers/peer';

const open: { close(): void }[] = [];
const neverCollected: unknown[] = [];
function keep<T extends { close(): void }>(x: T): T {
  open.push(x);
  return x;
}
afterEach(() => {
  for (const x of open.splice(0)) {
    try {
      x.close();
    } catch {
      // closed by the test
    }
  }
});

function pair(): [socket.Socket, socket.Socket] {
  const [a, b] = socket.socketpair();
  return [keep(a), keep(b)];
}

/** Sends `data` to the peer of `sock` from a python3 process after `delay` seconds. */
function writeLater(sock: socket.Socket, data: string, delay = 0.2) {
  const child = spawn(
    'python3',
    [
      '-c',
      'import os, sys, time, socket; s = socket.socket(fileno=3); time.sleep(float(sys.argv[1])); s.send(sys.argv[2].encode()); s.detach()',
      String(delay),
      data,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', sock.fileno()] },
  );
  return new Promise<number | null>((resolve) => child.on('exit', resolve));
}

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

describe('select.select (test_select.py)', () => {
  it('test_error_conditions: wrong lists and timeouts', () => {
    const S = select.select as (...a: unknown[]) => unknown;
    expect(() => S(1, [], [])).toThrow(new TypeError('arguments 1-3 must be sequences'));
    expect(() => S([[]], [], [])).toThrow(
      new TypeError('argument must be an int, or have a fileno() method.'),
    );
    expect(() => S([], [], [], 'not a number')).toThrow(new TypeError('timeout must be a float or None'));
    expect(() => S([], [], [], -1)).toThrow(new RangeError('timeout must be non-negative'));
    expect(() => S([], [], [], NaN)).toThrow(new RangeError('Invalid value NaN (not a number)'));
    expect(() => S([], [], [], 1e30)).toThrow(new RangeError('timestamp out of range for platform time_t'));
    expect(() => S([-1], [], [], 0)).toThrow(
      new RangeError('file descriptor cannot be a negative integer (-1)'),
    );
    expect(() => S([5000], [], [], 0)).toThrow(new RangeError('filedescriptor out of range in select()'));
    expect(() => S([{ fileno: () => 'a' }], [], [], 0)).toThrow(
      new TypeError('fileno() returned a non-integer'),
    );
  });

  it('arity and keywords as CPython (positional only)', () => {
    const S = select.select as (...a: unknown[]) => unknown;
    expect(() => S([], [])).toThrow(new TypeError('select expected at least 3 arguments, got 2'));
    expect(() => S([], [], [], null, 3)).toThrow(new TypeError('select expected at most 4 arguments, got 5'));
    expect(() => S([], [], [], { timeout: 1 })).toThrow(
      new TypeError('select.select() takes no keyword arguments'),
    );
  });

  it('test_returned_list_identity: three distinct lists', () => {
    const [r, w, x] = select.select([], [], [], 0);
    expect(r).not.toBe(w);
    expect(r).not.toBe(x);
    expect(w).not.toBe(x);
  });

  it('returns the objects given: Sockets, AsyncSockets, fileno() objects and ints', () => {
    const [a, b] = pair();
    const as = keep(aio.socket(socket.AF_INET, socket.SOCK_DGRAM));
    const obj = { fileno: () => b.fileno() };
    const [r, w, x] = select.select([a, b.fileno()], [a, as, obj], [a], 0);
    expect(r).toEqual([]);
    expect(w[0]).toBe(a);
    expect(w[1]).toBe(as);
    expect(w[2]).toBe(obj);
    expect(x).toEqual([]);
    b.send(Buffer.from('x'));
    const [r2] = select.select(new Set([a, b.fileno()]), [], [], 1);
    expect(r2).toEqual([a]);
  });

  it('test_select: reads a stream to its end, waiting for each part', () => {
    const [a, b] = pair();
    const child = writeLater(b, 'hello', 0.1);
    const chunks: string[] = [];
    for (let i = 0; i < 50; i++) {
      const [r] = select.select([a], [], [], 5);
      expect(r).toEqual([a]);
      const d = a.recv(100);
      chunks.push(d.toString());
      if (chunks.join('') === 'hello') break;
    }
    expect(chunks.join('')).toBe('hello');
    b.shutdown(socket.SHUT_WR);
    return child;
  });

  it('a timeout with nothing ready returns three empty lists; a closed fd is EBADF', () => {
    const [a] = pair();
    expect(select.select([a], [], [a], 0.05)).toEqual([[], [], []]);
    const c = socket.socket();
    const fd = c.fileno();
    c.close();
    const e = catchError(() => select.select([fd], [], [], 0));
    expect(e).toBeInstanceOf(socket.OSError);
    expect((e as socket.OSError).errno).toBe(9);
  });

  it('null timeout blocks until the peer writes', async () => {
    const [a, b] = pair();
    const child = writeLater(b, 'late');
    expect(select.select([a], [], [])).toEqual([[a], [], []]);
    expect(a.recv(10).toString()).toBe('late');
    await child;
  });
});

describe('select.poll (test_poll.py)', () => {
  it('test_poll1: many socket pairs, writers then readers', () => {
    const p = select.poll();
    const NUM = 12;
    const readers = new Map<number, socket.Socket>();
    const writers = new Map<number, socket.Socket>();
    for (let i = 0; i < NUM; i++) {
      const [rd, wr] = pair();
      p.register(rd);
      p.modify(rd, select.POLLIN);
      p.register(wr, select.POLLOUT);
      readers.set(rd.fileno(), rd);
      writers.set(wr.fileno(), wr);
    }
    const msg = Buffer.from(' This is a test.');
    let remaining = NUM;
    for (let round = 0; round < 10 * NUM && remaining > 0; round++) {
      const ready = p.poll();
      expect(ready.length).toBeGreaterThan(0);
      const [fd, flags] = ready[0];
      if (writers.has(fd)) {
        expect(flags & select.POLLOUT).toBe(select.POLLOUT);
        writers.get(fd)!.send(msg);
        p.unregister(fd);
        writers.delete(fd);
      } else {
        expect(flags & select.POLLIN).toBe(select.POLLIN);
        expect(readers.get(fd)!.recv(msg.length)).toEqual(msg);
        p.unregister(fd);
        readers.delete(fd);
        remaining--;
      }
    }
    expect(remaining).toBe(0);
    expect(writers.size).toBe(0);
  });

  it('test_poll_unit_tests: closed fds, unregistered fds, fileno objects, bad types', () => {
    const c = socket.socket();
    const fd = c.fileno();
    c.close();
    const p = select.poll();
    p.register(fd);
    expect(p.poll()).toEqual([[fd, select.POLLNVAL]]);
    p.unregister(fd);
    expect(p.poll(0)).toEqual([]);
    const e = catchError(() => p.unregister(fd));
    expect(e).toBeInstanceOf(select.KeyError);
    expect(e.message).toBe(String(fd));
    const m = catchError(() => p.modify(fd, select.POLLIN));
    expect(m).toBeInstanceOf(socket.FileNotFoundError);
    expect((m as socket.OSError).errno).toBe(2);
    const [a] = pair();
    p.register({ fileno: () => a.fileno() });
    expect(p.poll(0)).toEqual([[a.fileno(), select.POLLOUT]]);
    p.unregister(a);
    const P = p as unknown as Record<string, (...x: unknown[]) => unknown>;
    expect(() => P.register('x')).toThrow(
      new TypeError('argument must be an int, or have a fileno() method.'),
    );
    expect(() => P.register(-1)).toThrow(new RangeError('file descriptor cannot be a negative integer (-1)'));
    expect(() => P.register()).toThrow(new TypeError('register expected at least 1 argument, got 0'));
    expect(() => P.modify(1)).toThrow(new TypeError('modify expected 2 arguments, got 1'));
    expect(() => P.unregister()).toThrow(
      new TypeError('poll.unregister() takes exactly one argument (0 given)'),
    );
    expect(() => P.poll(1, 2)).toThrow(new TypeError('poll expected at most 1 argument, got 2'));
    expect(() => P.poll({ timeout: 1 })).toThrow(new TypeError('poll.poll() takes no keyword arguments'));
    expect(() => P.poll('x')).toThrow(new TypeError('timeout must be an integer or None'));
    expect(() => (select.poll as (...x: unknown[]) => unknown)(1)).toThrow(
      new TypeError('select.poll() takes no arguments (1 given)'),
    );
  });

  it('test_poll3: masks and timeouts out of range', () => {
    const p = select.poll();
    expect(() => p.register(0, 2 ** 16)).toThrow(new RangeError('Python int too large for C unsigned short'));
    expect(() => p.register(0, -1)).toThrow(new RangeError('value must be positive'));
    // CPython converts to its nanosecond clock first: 1 << 64 overflows that (an int says
    // _PyTime_t; 2**64 is past JavaScript's safe integers, so it counts as a float: time_t).
    expect(() => p.poll(2 ** 64)).toThrow(new RangeError('timestamp out of range for platform time_t'));
    expect(() => p.poll(2 ** 50)).toThrow(new RangeError('timestamp too large to convert to C _PyTime_t'));
    expect(() => p.poll(1e300)).toThrow(new RangeError('timestamp out of range for platform time_t'));
    expect(() => p.poll(2 ** 40)).toThrow(new RangeError('timeout is too large'));
    expect(() => p.poll(2 ** 31)).toThrow(new RangeError('timeout is too large'));
  });

  it('test_poll_blocks_with_negative_ms: a negative or null timeout waits for the event', async () => {
    for (const t of [-1, null]) {
      const [a, b] = pair();
      const p = select.poll();
      p.register(a, select.POLLIN);
      const child = writeLater(b, 'x', 0.1);
      expect(p.poll(t)).toEqual([[a.fileno(), select.POLLIN]]);
      await child;
    }
  });

  it('a fractional millisecond timeout is rounded up and returns empty', () => {
    const [a] = pair();
    const p = select.poll();
    p.register(a, select.POLLIN);
    expect(p.poll(0.5)).toEqual([]);
  });
});

describe('select.epoll (test_epoll.py)', () => {
  function tcpPair(): [socket.Socket, socket.Socket] {
    const srv = keep(socket.create_server(['127.0.0.1', 0]));
    const client = keep(socket.create_connection(srv.getsockname() as [string, number]));
    const [server] = srv.accept();
    keep(server);
    return [client, server];
  }

  it('test_create / test_close', () => {
    const ep = select.epoll(16);
    expect(ep.fileno()).toBeGreaterThan(0);
    expect(ep.closed).toBe(false);
    ep.close();
    expect(ep.closed).toBe(true);
    expect(() => ep.fileno()).toThrow(new RangeError('I/O operation on closed epoll object'));
    ep.close();
    const ep2 = new select.epoll({ sizehint: 3, flags: select.EPOLL_CLOEXEC });
    expect(ep2).toBeInstanceOf(select.epoll);
    ep2.close();
  });

  it('test_badcreate', () => {
    const E = select.epoll as unknown as (...a: unknown[]) => unknown;
    expect(() => E(1, 2, 3)).toThrow(new TypeError('epoll() takes at most 2 arguments (3 given)'));
    expect(() => E('foo')).toThrow(new TypeError("'string' object cannot be interpreted as an integer"));
    expect(() => E(null)).toThrow(TypeError);
    expect(() => E([])).toThrow(TypeError);
    expect(() => E(0)).toThrow(new RangeError('negative sizehint'));
    expect(() => E(-2)).toThrow(new RangeError('negative sizehint'));
    const f = catchError(() => E(1, 5));
    expect(f).toBeInstanceOf(socket.OSError);
    expect(f.message).toBe('invalid flags');
    expect(() => E({ bogus: 1 })).toThrow(
      new TypeError("'bogus' is an invalid keyword argument for epoll()"),
    );
  });

  it('test_context_manager: `using` closes it', () => {
    let kept: select.Epoll;
    {
      using ep = select.epoll(16);
      kept = ep;
      expect(ep.closed).toBe(false);
    }
    expect(kept.closed).toBe(true);
    expect(() => kept.fileno()).toThrow(RangeError);
  });

  it('test_fd_non_inheritable: the epoll fd is close-on-exec', () => {
    using ep = select.epoll();
    const flags = /flags:\s+(\d+)/.exec(fs.readFileSync(`/proc/self/fdinfo/${ep.fileno()}`, 'utf8'))![1];
    expect(parseInt(flags, 8) & 0o2000000).toBe(0o2000000);
  });

  it('test_add: fds, fileno objects, bad fds, a closed epoll', () => {
    const [client, server] = tcpPair();
    using ep = select.epoll(2);
    ep.register(server.fileno(), select.EPOLLIN | select.EPOLLOUT);
    ep.register(client, select.EPOLLIN | select.EPOLLOUT);
    const dup = catchError(() => ep.register(client));
    expect(dup).toBeInstanceOf(socket.FileExistsError);
    const E = ep as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => E.register(null, select.EPOLLIN)).toThrow(TypeError);
    expect(() => E.register(-1, select.EPOLLIN)).toThrow(RangeError);
    const bad = catchError(() => ep.register(10000, select.EPOLLIN));
    expect((bad as socket.OSError).errno).toBe(9);
    expect(() => E.register()).toThrow(new TypeError("register() missing required argument 'fd' (pos 1)"));
    expect(() => E.modify(1)).toThrow(
      new TypeError("modify() missing required argument 'eventmask' (pos 2)"),
    );
    const closed = select.epoll(2);
    closed.close();
    expect(() => closed.register(server.fileno(), select.EPOLLIN)).toThrow(
      new RangeError('I/O operation on closed epoll object'),
    );
    expect(() => closed.poll(0)).toThrow(new RangeError('I/O operation on closed epoll object'));
  });

  it('test_fromfd: the new object owns the fd', () => {
    const [client, server] = tcpPair();
    const ep = select.epoll(2);
    const ep2 = select.epoll.fromfd(ep.fileno());
    ep2.register(server.fileno(), select.EPOLLIN | select.EPOLLOUT);
    ep2.register(client.fileno(), select.EPOLLIN | select.EPOLLOUT);
    expect(ep.poll(1, 4).length).toBe(2);
    expect(ep2.poll(1, 4).length).toBe(2);
    ep2.close();
    const e = catchError(() => ep.poll(1, 4));
    expect((e as socket.OSError).errno).toBe(9);
    // ep still holds the fd number ep2 closed; keep it reachable so that its finalizer
    // never closes whatever reuses that number in this process.
    neverCollected.push(ep);
    const fresh = select.epoll.fromfd(-1);
    expect(fresh.closed).toBe(false);
    fresh.close();
  });

  it('test_control_and_wait: readiness, modify, unregister', () => {
    const [client, server] = tcpPair();
    using ep = select.epoll(16);
    ep.register(server.fileno(), select.EPOLLIN | select.EPOLLOUT | select.EPOLLET);
    ep.register(client.fileno(), select.EPOLLIN | select.EPOLLOUT | select.EPOLLET);
    let events = ep.poll(1, 4).sort();
    expect(events).toEqual(
      [
        [client.fileno(), select.EPOLLOUT],
        [server.fileno(), select.EPOLLOUT],
      ].sort(),
    );
    expect(ep.poll({ timeout: 0.1, maxevents: 4 })).toEqual([]);
    client.send(Buffer.from('Hello!'));
    server.send(Buffer.from('world!!!'));
    events = ep.poll(1, 4);
    const expected = [
      [client.fileno(), select.EPOLLIN | select.EPOLLOUT],
      [server.fileno(), select.EPOLLIN | select.EPOLLOUT],
    ];
    expect(events.sort()).toEqual(expected.sort());
    ep.unregister(client.fileno());
    ep.modify(server.fileno(), select.EPOLLOUT);
    expect(ep.poll(1, 4)).toEqual([[server.fileno(), select.EPOLLOUT]]);
    expect(() => ep.poll(0, 0)).toThrow(new RangeError('maxevents must be greater than 0, got 0'));
    expect(() => ep.poll(0, -2)).toThrow(new RangeError('maxevents must be greater than 0, got -2'));
    expect(() => (ep.poll as (...a: unknown[]) => unknown)('x')).toThrow(
      new TypeError('timeout must be an integer or None'),
    );
    expect(() => ep.poll(1e30)).toThrow(RangeError);
  });

  it('test_unregister_closed: unregistering a closed fd is EBADF', () => {
    const [client] = tcpPair();
    const fd = client.fileno();
    using ep = select.epoll(16);
    ep.register(client);
    client.close();
    const e = catchError(() => ep.unregister(fd));
    expect(e).toBeInstanceOf(socket.OSError);
    expect((e as socket.OSError).errno).toBe(9);
  });

  it('a null or negative timeout waits for the event', async () => {
    const [a, b] = pair();
    using ep = select.epoll();
    ep.register(a, select.EPOLLIN);
    const child = writeLater(b, 'x', 0.1);
    expect(ep.poll(-1)).toEqual([[a.fileno(), select.EPOLLIN]]);
    await child;
  });

  it('constants are Linux values', () => {
    expect(select.POLLIN).toBe(1);
    expect(select.POLLNVAL).toBe(32);
    expect(select.EPOLLET).toBe(2147483648);
    expect(select.EPOLLEXCLUSIVE).toBe(268435456);
    expect(select.EPOLL_CLOEXEC).toBe(524288);
    expect(select.PIPE_BUF).toBe(4096);
    expect(select.error).toBe(socket.OSError);
  });
});

describe('waits in child processes and workers', () => {
  const selectPath = path.join(repoRoot, 'lib', 'select');

  it('PEP 475: select, poll and epoll keep their timeout through signals with a listener', async () => {
    const child = runTsChild(`
import * as socket from 'LIB';
import * as select from '${selectPath}';
import { spawn } from 'node:child_process';
let handled = 0;
process.on('SIGUSR2', () => { handled++; });
const [a, b] = socket.socketpair();
// A sender of its own, every 50 ms while this process lives: the signals must arrive during
// the waits below, which a test worker busy elsewhere cannot promise.
const sender = spawn('sh', ['-c', 'while kill -USR2 ' + process.pid + ' 2>/dev/null; do sleep 0.05; done'], { stdio: 'ignore' });
console.log('blocking');
function attempt(fn: () => unknown) {
  const t0 = process.hrtime.bigint();
  const result = JSON.stringify(fn());
  return { result, elapsed: Number(process.hrtime.bigint() - t0) / 1e9 };
}
const p = select.poll(); p.register(a, select.POLLIN);
const e = select.epoll(); e.register(a, select.EPOLLIN);
const res = [attempt(() => select.select([a], [], [], 0.7)), attempt(() => p.poll(700)), attempt(() => e.poll(0.7))];
sender.kill('SIGKILL');
// setImmediate inside the timer: libuv hands the signals to the listener in a poll phase,
// which comes before the check phase. A timer alone can fire before any poll phase when the
// process was descheduled for its 50 ms, as on a machine busy with the sanitizer suite.
setTimeout(() => setImmediate(() => { console.log(JSON.stringify({ res, handled })); }), 50);
`);
    try {
      expect(await child.line(15_000)).toBe('blocking');
      const out = JSON.parse(await child.line(15_000));
      expect(out.res.map((r: { result: string }) => r.result)).toEqual(['[[],[],[]]', '[]', '[]']);
      for (const r of out.res) expect(r.elapsed).toBeGreaterThanOrEqual(0.65);
      expect(out.handled).toBeGreaterThan(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('worker.terminate() ends a worker blocked in a selector wait', async () => {
    const { Worker } = await import('node:worker_threads');
    const file = path.join(os.tmpdir(), `bsdsock-select-worker-${process.pid}.js`);
    fs.writeFileSync(
      file,
      `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();
const socket = require(${JSON.stringify(path.join(repoRoot, 'lib', 'index.ts'))});
const selectors = require(${JSON.stringify(path.join(repoRoot, 'lib', 'selectors.ts'))});
const { parentPort } = require('node:worker_threads');
const [a, b] = socket.socketpair();
const sel = selectors.DefaultSelector();
sel.register(a, selectors.EVENT_READ);
parentPort.postMessage('waiting');
sel.select();
parentPort.postMessage('returned');`,
    );
    const w = new Worker(file);
    w.on('exit', () => fs.rmSync(file, { force: true }));
    const messages: string[] = [];
    w.on('message', (m) => messages.push(m));
    await within(new Promise<void>((resolve) => w.once('message', () => resolve())), 15_000, 'worker start');
    await sleep(300);
    const code = await within(w.terminate(), 5_000, 'worker.terminate()');
    expect(code).toBe(1);
    expect(messages).toEqual(['waiting']);
  });
});
