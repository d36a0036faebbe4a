// How AsyncSocket calls wait (API.md, "The async twin"): FIFO order per direction,
// AbortSignal cancellation, settimeout bounds, close()/detach() with calls pending,
// and fairness between sockets.
import { describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import * as socket from '../../lib/index';
import {
  aio,
  type ASock,
  fillSendBuffer,
  pattern,
  recvExactly,
  stuckConnectTarget,
  tcpListener,
  tcpPair,
} from '../helpers/aio';
import { rejection } from '../helpers/errors';
import { repoRoot } from '../helpers/paths';
import { isPending, sleep, within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

function pair(): [ASock, ASock] {
  const [a, b] = aio.socketpair();
  return [track(a), track(b)];
}

function expectAbortError(e: any): void {
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('AbortError');
  expect(e.code).toBe('ABORT_ERR');
}

function expectEBADF(e: any): void {
  expect(e).toBeInstanceOf(socket.OSError);
  expect(e.errno).toBe(9);
  expect(e.code).toBe('EBADF');
}

describe('order of concurrent calls', () => {
  it('two pending recvs are served in call order', async () => {
    const [a, b] = pair();
    const first = b.recv(1);
    const second = b.recv(1);
    expect(await isPending(first)).toBe(true);
    await a.send(Buffer.from('1'));
    expect(await within(first, 5000)).toEqual(Buffer.from('1'));
    expect(await isPending(second)).toBe(true);
    await a.send(Buffer.from('2'));
    expect(await within(second, 5000)).toEqual(Buffer.from('2'));
  });

  it('many pending recvs get the bytes in call order when the data comes at once', async () => {
    const [a, b] = pair();
    const n = 50;
    const calls = Array.from({ length: n }, () => b.recv(1));
    await sleep(20);
    await a.send(Buffer.from(Array.from({ length: n }, (_, i) => i)));
    const got = await within(Promise.all(calls), 5000);
    expect(got.map((d) => d[0])).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('a new recv queues behind pending ones even when data is already there (no overtaking)', async () => {
    const [a, b] = pair();
    const first = b.recv(3);
    await sleep(20);
    await a.send(Buffer.from('abc'));
    const second = b.recv(3); // called after the data arrived, but after `first` too
    await a.send(Buffer.from('def'));
    expect(await within(first, 5000)).toEqual(Buffer.from('abc'));
    expect(await within(second, 5000)).toEqual(Buffer.from('def'));
  });

  it('two pending accepts are served in call order', async () => {
    const [l, addr] = await tcpListener();
    const acc1 = l.accept();
    const acc2 = l.accept();
    const c1 = track(aio.socket());
    await c1.connect(addr);
    const [s1] = await within(acc1, 5000);
    track(s1);
    expect(s1.getpeername()).toEqual(c1.getsockname());
    const c2 = track(aio.socket());
    await c2.connect(addr);
    const [s2] = await within(acc2, 5000);
    track(s2);
    expect(s2.getpeername()).toEqual(c2.getsockname());
  });

  it('concurrent sendalls do not interleave: each call goes out whole, in call order', async () => {
    const [a, b] = pair();
    const parts = [pattern(300_000, 1), pattern(300_000, 2), pattern(300_000, 3)];
    const sends = parts.map((p) => a.sendall(p));
    const got = await recvExactly(b, 900_000, 15_000);
    await within(Promise.all(sends), 5000);
    expect(got.equals(Buffer.concat(parts))).toBe(true);
  });
});

describe('AbortSignal', () => {
  it('recv(n, { signal }): abort rejects with AbortError and the socket stays usable', async () => {
    const [a, b] = pair();
    const ac = new AbortController();
    const p = b.recv(10, { signal: ac.signal });
    expect(await isPending(p)).toBe(true);
    ac.abort();
    expectAbortError(await rejection(p));
    await a.send(Buffer.from('after'));
    expect(await within(b.recv(10), 5000)).toEqual(Buffer.from('after'));
  });

  it('recv(n, flags, { signal }) takes the signal after flags', async () => {
    const [a, b] = pair();
    const ac = new AbortController();
    const p = b.recv(10, aio.MSG_PEEK, { signal: ac.signal });
    expect(await isPending(p)).toBe(true);
    ac.abort();
    expectAbortError(await rejection(p));
    await a.send(Buffer.from('xy'));
    // flags still honoured once not aborted
    expect(await within(b.recv(10, aio.MSG_PEEK, { signal: new AbortController().signal }), 5000)).toEqual(
      Buffer.from('xy'),
    );
    expect(await b.recv(10)).toEqual(Buffer.from('xy'));
  });

  it('accept({ signal }): abort rejects with AbortError, a later accept still works', async () => {
    const [l, addr] = await tcpListener();
    const ac = new AbortController();
    const p = l.accept({ signal: ac.signal });
    expect(await isPending(p)).toBe(true);
    ac.abort();
    expectAbortError(await rejection(p));
    const c = track(aio.socket());
    const [[s]] = await within(Promise.all([l.accept(), c.connect(addr)]), 5000);
    track(s);
    expect(s.getpeername()).toEqual(c.getsockname());
  });

  it('aborting the first of two pending recvs hands the data to the second', async () => {
    const [a, b] = pair();
    const ac = new AbortController();
    const first = b.recv(10, { signal: ac.signal });
    const second = b.recv(10);
    await sleep(20);
    ac.abort();
    expectAbortError(await rejection(first));
    await a.send(Buffer.from('data'));
    expect(await within(second, 5000)).toEqual(Buffer.from('data'));
  });

  it('an already-aborted signal rejects at once without consuming data', async () => {
    const [a, b] = pair();
    await a.send(Buffer.from('keep'));
    await sleep(10);
    const reason = new Error('why');
    const e = await rejection(b.recv(10, { signal: AbortSignal.abort(reason) }));
    expectAbortError(e);
    expect(e.cause).toBe(reason);
    expectAbortError(await rejection(b.recv_into(Buffer.alloc(10), { signal: AbortSignal.abort() })));
    expectAbortError(await rejection(b.recvfrom(10, 0, { signal: AbortSignal.abort() })));
    expectAbortError(await rejection(a.send(Buffer.from('no'), { signal: AbortSignal.abort() })));
    expectAbortError(await rejection(a.sendall(Buffer.from('no'), 0, { signal: AbortSignal.abort() })));
    expect(await within(b.recv(10), 5000)).toEqual(Buffer.from('keep'));
    // and nothing of the aborted sends went out
    b.setblocking(false);
    expect(await rejection(b.recv(10))).toBeInstanceOf(socket.BlockingIOError);
  });

  it('abort of a pending send on a full buffer sends nothing more and leaves the socket usable', async () => {
    const [a, b] = pair();
    const queued = await fillSendBuffer(a);
    const ac = new AbortController();
    const p = a.send(Buffer.from('late'), { signal: ac.signal });
    expect(await isPending(p)).toBe(true);
    ac.abort();
    expectAbortError(await rejection(p));
    const drained = await recvExactly(b, queued, 10_000);
    expect(drained.length).toBe(queued);
    await a.send(Buffer.from('next'));
    expect(await within(b.recv(10), 5000)).toEqual(Buffer.from('next'));
  });

  it('aborted connect (pending on a full accept queue) closes the socket, as trio', async () => {
    const target = await stuckConnectTarget();
    const s = track(aio.socket());
    const ac = new AbortController();
    const p = s.connect(target, { signal: ac.signal });
    expect(await isPending(p, 100)).toBe(true);
    ac.abort();
    expectAbortError(await rejection(p));
    expect(s.fileno()).toBe(-1);
  });

  it('connect with an already-aborted signal rejects with AbortError', async () => {
    const [, addr] = await tcpListener();
    const s = track(aio.socket());
    expectAbortError(await rejection(s.connect(addr, { signal: AbortSignal.abort() })));
  });

  it('a signal that is never aborted leaves no listener behind once the call completes', async () => {
    const [a, b] = pair();
    const ac = new AbortController();
    for (let i = 0; i < 200; i++) {
      const p = b.recv(1, { signal: ac.signal });
      await a.send(Buffer.from([i & 0xff]));
      expect((await within(p, 5000))[0]).toBe(i & 0xff);
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    // aborting now affects nothing (no stale waiter is rejected, no error is thrown)
    ac.abort();
    await a.send(Buffer.from('z'));
    expect(await within(b.recv(1), 5000)).toEqual(Buffer.from('z'));
  });

  it('one signal shared by many waiting calls: one listener, no leak warning, each settles on its own', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const pairs = Array.from({ length: 40 }, () => pair());
      const ac = new AbortController();
      const waits = pairs.map(([, b]) => b.recv(4, { signal: ac.signal }));
      // trio's cancel scope around many calls: Node warns past 10 listeners on one signal.
      expect(getEventListeners(ac.signal, 'abort').length).toBeLessThanOrEqual(1);
      // Half of them complete; the other half are still aborted by the signal, in order.
      for (let i = 0; i < 20; i++) await pairs[i][0].send(Buffer.from(`d${i}`));
      for (let i = 0; i < 20; i++) expect(await within(waits[i], 5000)).toEqual(Buffer.from(`d${i}`));
      const order: number[] = [];
      const rest = waits.slice(20).map((p, i) =>
        p.then(
          () => -1,
          (e) => {
            expectAbortError(e);
            order.push(i);
            return i;
          },
        ),
      );
      ac.abort();
      expect(await within(Promise.all(rest), 5000)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
      // The sockets stay usable.
      await pairs[39][0].send(Buffer.from('ok'));
      expect(await within(pairs[39][1].recv(2), 5000)).toEqual(Buffer.from('ok'));
      await sleep(10); // process warnings are emitted on a later tick
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('settimeout on an async socket', () => {
  it('settimeout(t) bounds each waiting recv with TimeoutError("timed out"), socket stays usable', async () => {
    const [a, b] = pair();
    b.settimeout(0.2);
    expect(b.gettimeout()).toBe(0.2);
    const t0 = Date.now();
    const e = await rejection(b.recv(10), 5000);
    expect(e).toBeInstanceOf(socket.TimeoutError);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe('timed out');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    // Each call gets its own bound, and a timely one succeeds.
    const p = b.recv(10);
    await sleep(20);
    await a.send(Buffer.from('ok'));
    expect(await within(p, 5000)).toEqual(Buffer.from('ok'));
    expect(await rejection(b.recv(10), 5000)).toBeInstanceOf(socket.TimeoutError);
    await a.send(Buffer.from('again'));
    expect(await within(b.recv(10), 5000)).toEqual(Buffer.from('again'));
  });

  it('settimeout(t) bounds accept, send on a full buffer and connect', async () => {
    const [l] = await tcpListener();
    l.settimeout(0.1);
    expect(await rejection(l.accept(), 5000)).toBeInstanceOf(socket.TimeoutError);

    const [a] = pair();
    await fillSendBuffer(a);
    a.settimeout(0.1);
    const e = await rejection(a.sendall(Buffer.alloc(100_000)), 5000);
    expect(e).toBeInstanceOf(socket.TimeoutError);
    expect(e.message).toBe('timed out');
    expect(typeof e.bytes_sent).toBe('number');

    const target = await stuckConnectTarget();
    const c = track(aio.socket());
    c.settimeout(0.2);
    expect(await rejection(c.connect(target), 5000)).toBeInstanceOf(socket.TimeoutError);
  });

  it('settimeout(0) makes a call that would wait reject with BlockingIOError (EAGAIN)', async () => {
    const [a, b] = pair();
    b.settimeout(0);
    expect(b.getblocking()).toBe(false);
    const e = await rejection(b.recv(10), 2000);
    expect(e).toBeInstanceOf(socket.BlockingIOError);
    expect(e.errno).toBe(11);
    // data that is there is still returned at once
    await a.send(Buffer.from('now'));
    await sleep(10);
    expect(await b.recv(10)).toEqual(Buffer.from('now'));

    const [l] = await tcpListener();
    l.setblocking(false);
    expect(await rejection(l.accept(), 2000)).toBeInstanceOf(socket.BlockingIOError);

    await fillSendBuffer(a);
    a.settimeout(0);
    expect(await rejection(a.send(Buffer.alloc(10)), 2000)).toBeInstanceOf(socket.BlockingIOError);
    a.settimeout(null);
    expect(a.gettimeout()).toBe(null);
    expect(a.getblocking()).toBe(true);
  });

  it('settimeout validates its argument like Socket.settimeout', () => {
    const s = track(aio.socket());
    expect(() => s.settimeout(-1)).toThrow(RangeError);
    expect(() => (s as any).settimeout()).toThrow(TypeError);
    s.close();
    expect(() => s.settimeout(1)).toThrow(socket.OSError);
  });
});

describe('close() and detach() with calls pending', () => {
  it('close() rejects a pending recv, send, accept and connect with EBADF; nothing hangs', async () => {
    const [a] = pair();
    await fillSendBuffer(a);
    const recv = a.recv(1);
    const send = a.send(Buffer.alloc(65536));
    const sendall = a.sendall(Buffer.alloc(65536));
    const [l] = await tcpListener();
    const acc = l.accept();
    const target = await stuckConnectTarget();
    const c = track(aio.socket());
    const conn = c.connect(target);
    for (const p of [recv, send, sendall, acc, conn]) expect(await isPending(p, 20)).toBe(true);
    a.close();
    l.close();
    c.close();
    for (const p of [recv, send, sendall, acc, conn]) expectEBADF(await rejection(p, 5000));
    expect(a.fileno()).toBe(-1);
    // later calls fail at once with EBADF
    await expect(a.recv(1)).rejects.toThrow(socket.OSError);
    await expect(Promise.resolve().then(() => a.recv(1))).rejects.toMatchObject({ errno: 9 });
  });

  it('close() from inside a resolution handler of another pending call is safe', async () => {
    const [a, b] = pair();
    const first = b.recv(1);
    const second = b.recv(1);
    const third = b.recv(1);
    const done = first.then((d) => {
      b.close();
      return d;
    });
    await sleep(10);
    await a.send(Buffer.from('x'));
    expect(await within(done, 5000)).toEqual(Buffer.from('x'));
    expectEBADF(await rejection(second));
    expectEBADF(await rejection(third));
  });

  it('detach() rejects pending calls with EBADF and the returned fd still works', async () => {
    const [a, b] = pair();
    const r1 = b.recv(5);
    const r2 = b.recv_into(Buffer.alloc(5));
    expect(await isPending(r1)).toBe(true);
    const fd = b.detach();
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(b.fileno()).toBe(-1);
    expectEBADF(await rejection(r1));
    expectEBADF(await rejection(r2));
    // The fd is open and still a working socket: wrap it again and use it.
    const again = track(aio.socket(undefined, undefined, undefined, fd));
    await a.send(Buffer.from('hello'));
    expect(await within(again.recv(5), 5000)).toEqual(Buffer.from('hello'));
    await again.send(Buffer.from('back'));
    expect(await within(a.recv(4), 5000)).toEqual(Buffer.from('back'));
  });

  it('a dup of a socket keeps working after the original is closed with calls pending', async () => {
    const [a, b] = pair();
    const b2 = track(b.dup());
    const p = b.recv(1);
    await sleep(10);
    b.close();
    expectEBADF(await rejection(p));
    await a.send(Buffer.from('d'));
    expect(await within(b2.recv(1), 5000)).toEqual(Buffer.from('d'));
  });

  it('closing many sockets with pending calls, repeatedly, leaves no watcher running (process stays responsive)', async () => {
    for (let round = 0; round < 20; round++) {
      const socks = Array.from({ length: 25 }, () => pair());
      const ps = socks.flatMap(([x, y]) => [x.recv(1), y.recv(1), x.recv(1)]);
      await sleep(1);
      for (const [x, y] of socks) {
        x.close();
        y.close();
      }
      const res = await within(Promise.allSettled(ps), 5000);
      expect(res.every((r) => r.status === 'rejected' && (r.reason as any).errno === 9)).toBe(true);
    }
  });
});

describe('fairness', () => {
  it('a flooded socket does not starve timers or another socket', async () => {
    const [a, b] = pair();
    // The flood comes from another thread: a worker does blocking sendall()s on a dup of
    // `a` for as long as the test runs, so `b` almost always has data.
    const fd = a.dup().detach();
    const w = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads');
      require(workerData.tsx).register();
      const socket = require(workerData.lib);
      const s = socket.socket(undefined, undefined, undefined, workerData.fd);
      const chunk = Buffer.alloc(65536, 0x61);
      parentPort.postMessage('go');
      const end = Date.now() + 8000;
      try { while (Date.now() < end) s.sendall(chunk); } catch (e) {}
      s.close();
      parentPort.postMessage('done');
      `,
      {
        eval: true,
        workerData: { fd, tsx: require.resolve('tsx/cjs/api'), lib: path.join(repoRoot, 'lib', 'index.ts') },
      },
    );
    const exited = new Promise((r) => w.once('exit', r));
    track(() => void w.terminate());
    await within(new Promise((r) => w.once('message', r)), 15_000, 'flood worker start');
    a.close();

    const [c, d] = pair();
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      d.send(Buffer.from('t')).catch(() => {});
    }, 10);
    track(() => clearInterval(timer));
    let otherRecvs = 0;
    const stopAt = Date.now() + 1500;
    const other = (async () => {
      while (Date.now() < stopAt) {
        const got = await c.recv(100);
        otherRecvs += got.length > 0 ? 1 : 0;
      }
    })();
    let flooded = 0;
    let iterations = 0;
    // Bounded by wall clock, checked inside the loop (it needs no timer to stop).
    while (Date.now() < stopAt && iterations < 5_000_000) {
      iterations++;
      flooded += (await b.recv(65536)).length;
    }
    clearInterval(timer);
    await d.send(Buffer.from('last')); // let `other` see its deadline
    await within(other, 5000, 'the other socket loop');
    // Closing our end makes the worker's blocking sendall fail (EPIPE) and the worker
    // end by itself (terminate() is not used: it cannot interrupt a blocking call).
    b.close();
    await within(exited, 10_000, 'flood worker exit');
    expect(flooded).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThan(10);
    expect(otherRecvs).toBeGreaterThan(5);
  }, 30_000);

  it('a loop retrying a call that fails at once still lets a timer run (an accept under EMFILE)', async () => {
    // What ends such a failure (a timer, another socket's close freeing an fd) needs the
    // event loop to turn; a rejection must not keep it from turning any more than a result.
    const ls = aio.socket(aio.AF_INET, aio.SOCK_STREAM);
    await ls.bind(['127.0.0.1', 0]);
    ls.listen();
    ls.close();
    const empty = Buffer.alloc(0);
    const [a] = pair();
    for (const attempt of [
      () => ls.accept(),
      () => ls.recv_into(Buffer.alloc(4)),
      () => a.recv_into(empty),
    ]) {
      let fired = false;
      const timer = setTimeout(() => (fired = true), 0);
      track(() => clearTimeout(timer));
      let calls = 0;
      // Bounded: the loop ends once the timer has run, or after 100,000 calls.
      while (!fired && calls < 100_000) {
        calls++;
        try {
          await attempt();
        } catch {
          // EBADF each time (the empty receive resolves 0 at once instead)
        }
      }
      expect(fired).toBe(true);
      expect(calls).toBeLessThan(100_000);
    }
  });

  it('an in-process flood between two sockets of a pair lets a timer and a third socket run', async () => {
    const [a, b] = pair();
    const [c, d] = pair();
    const stopAt = Date.now() + 1000;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    track(() => clearInterval(timer));
    const chunk = Buffer.alloc(65536, 1);
    const writer = (async () => {
      let n = 0;
      while (Date.now() < stopAt && n < 1_000_000) {
        n++;
        await a.send(chunk);
      }
      a.shutdown(aio.SHUT_WR);
    })();
    const reader = (async () => {
      let total = 0;
      for (let i = 0; i < 10_000_000; i++) {
        const got = await b.recv(65536);
        if (got.length === 0) return total;
        total += got.length;
      }
      return total;
    })();
    const pingpong = (async () => {
      let n = 0;
      while (Date.now() < stopAt && n < 100_000) {
        await d.send(Buffer.from('p'));
        await c.recv(1);
        n++;
        await sleep(5);
      }
      return n;
    })();
    const [, total, rounds] = await within(Promise.all([writer, reader, pingpong]), 10_000);
    clearInterval(timer);
    expect(total).toBeGreaterThan(0);
    expect(rounds).toBeGreaterThan(5);
    expect(ticks).toBeGreaterThan(10);
  });
});

describe('misc waiting behaviour', () => {
  it('the pending-call machinery survives EOF: every queued recv then resolves with b""', async () => {
    const [a, b] = pair();
    const ps = [b.recv(1), b.recv(1), b.recv(1)];
    await sleep(10);
    a.close();
    const got = await within(Promise.all(ps), 5000);
    expect(got.every((g) => g.length === 0)).toBe(true);
  });

  it('a peer reset rejects the pending recv with ConnectionResetError', async () => {
    const [c, s] = await tcpPair();
    const p = s.recv(10);
    expect(await isPending(p)).toBe(true);
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    linger.writeInt32LE(0, 4);
    c.setsockopt(aio.SOL_SOCKET, aio.SO_LINGER, linger);
    c.close();
    const e = await rejection(p, 5000);
    expect(e).toBeInstanceOf(socket.ConnectionResetError);
    expect(e.errno).toBe(104);
  });
});
