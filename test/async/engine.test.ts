// The readiness engine (native/engine.h, lib/aio/readiness.ts): one epoll instance per
// environment, one batch per wake-up, receives and accepts armed in native code, slots
// reused after close, and teardown of a worker that ends with registered sockets.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { constants } from 'node:os';
import { OSError } from '../../lib/index';
import { native } from '../../lib/native';
import { aio, tcpListener, type ASock } from '../helpers/aio';
import { fdCount, fdSnapshot } from '../helpers/fds';
import { isPending, sleep, within } from '../helpers/timing';
import { pair, sock, track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

/** [slots in use, slots with a waiter, handle referenced, batches, entries, epoll fd, harvests, wake-ups]. */
const stats = () => native.engine_stats();
const osErrno = constants.errno;

/** A blocking client connected to `addr` (loopback: the handshake is over when connect returns). */
const client = (addr: [string, number]) => {
  const c = sock(aio.AF_INET, aio.SOCK_STREAM);
  c.connect(addr);
  return c;
};

describe('readiness engine', () => {
  it('delivers many ready sockets in one batch (one crossing into JS per wake-up)', async () => {
    const n = 64;
    const pairs = Array.from({ length: n }, () => {
      const [a, b] = aio.socketpair();
      track(a);
      track(b);
      return [a, b] as const;
    });
    const pending = pairs.map(([, b], i) => b.recv(16).then((d) => [i, d.toString()] as const));
    expect(await isPending(pending[0])).toBe(true);
    expect(stats()[1]).toBeGreaterThanOrEqual(n);
    const [, , , batches0, entries0] = stats();
    // All the sends happen in one synchronous stretch, so every receiver is readable
    // before the loop polls again: one wake-up must deliver all of them.
    for (const [a] of pairs) a.sendall(Buffer.from('m')).catch(() => {});
    const got = await within(Promise.all(pending), 5000);
    expect(got).toEqual(pairs.map((_, i) => [i, 'm']));
    const [, , , batches1, entries1] = stats();
    expect(batches1 - batches0).toBe(1);
    expect(entries1 - entries0).toBe(n);
  });

  it('an armed receive fills the caller buffer in native code and resolves to the count', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const buf = Buffer.alloc(8, 0x2e);
    const p = b.recv_into(buf, 5);
    expect(await isPending(p)).toBe(true);
    await a.send(Buffer.from('abcdefgh'));
    expect(await within(p, 5000)).toBe(5);
    expect(buf.toString()).toBe('abcde...');
    expect(await b.recv(8)).toEqual(Buffer.from('fgh'));
  });

  it('an armed receive whose buffer is detached while it waits rejects with EFAULT, writes nowhere, and the socket goes on', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const ab = new ArrayBuffer(64);
    const p = b.recv_into(new Uint8Array(ab), 16);
    expect(await isPending(p)).toBe(true);
    // Transferring the ArrayBuffer detaches it: its memory now belongs to the clone.
    const moved = structuredClone(ab, { transfer: [ab] });
    expect(ab.byteLength).toBe(0);
    await a.send(Buffer.from('payload'));
    await expect(within(p, 5000)).rejects.toMatchObject({ errno: 14 });
    expect(Buffer.from(moved).subarray(0, 7).toString('latin1')).toBe('\0'.repeat(7));
    // The data is still queued and the next receive (armed, with a live buffer) gets it.
    const buf = Buffer.alloc(16);
    expect(await within(b.recv_into(buf), 5000)).toBe(7);
    expect(buf.subarray(0, 7).toString()).toBe('payload');
  });

  it('a socket closed by a continuation of the batch that delivered it: the rest of the batch is unaffected', async () => {
    const pairs = Array.from({ length: 8 }, () => {
      const [a, b] = aio.socketpair();
      track(a);
      track(b);
      return [a, b] as const;
    });
    const results: string[] = [];
    const calls = pairs.map(([, b], i) =>
      b.recv(4).then(
        (d) => {
          // The first to run closes every other receiver, whose events are in this batch.
          if (results.length === 0) for (const [, other] of pairs) if (other !== b) other.close();
          results.push(`${i}:${d.toString()}`);
        },
        (e: any) => results.push(`${i}:${e.code}`),
      ),
    );
    expect(await isPending(calls[0])).toBe(true);
    for (const [a] of pairs) a.sendall(Buffer.from('x')).catch(() => {});
    await within(Promise.all(calls), 5000);
    // Each call settled once, with its own data: the batch had completed them all.
    expect(results.length).toBe(8);
    for (const r of results) expect(r).toMatch(/^\d:x$/);
    // The engine still works for new sockets.
    const [c, d] = aio.socketpair();
    track(c);
    track(d);
    const q = d.recv(4);
    await c.send(Buffer.from('ok'));
    expect(await within(q, 5000)).toEqual(Buffer.from('ok'));
  });

  it('an fd number reused within one batch gets none of the old socket’s events', async () => {
    const [a, b] = aio.socketpair();
    const [c, d] = aio.socketpair();
    track(a);
    track(c);
    track(d);
    const bFd = b.fileno();
    let reused: [ASock, ASock] | null = null;
    let early: unknown = 'pending';
    // d's continuation runs inside the batch that also reported b: it closes b and opens a
    // new pair that takes b's fd number, whose receive must wait for its own data.
    const pd = d.recv(4).then(() => {
      b.close();
      const pair = aio.socketpair();
      reused = pair;
      track(pair[0]);
      track(pair[1]);
      const s = pair.find((x) => x.fileno() === bFd) ?? pair[0];
      s.recv(4).then(
        (v: unknown) => (early = v),
        (e: unknown) => (early = e),
      );
    });
    const pb = b.recv(4).catch((e: unknown) => e as any);
    expect(await isPending(pd)).toBe(true);
    c.sendall(Buffer.from('1')).catch(() => {});
    a.sendall(Buffer.from('2')).catch(() => {});
    await within(pd, 5000);
    const rb = await within(pb, 5000);
    expect(reused).not.toBeNull();
    expect(reused!.map((x: ASock) => x.fileno())).toContain(bFd);
    // b was served in the batch (its data) or rejected by the close (EBADF), never both.
    if (Buffer.isBuffer(rb)) expect(rb.toString()).toBe('2');
    else expect(rb.code).toBe('EBADF');
    await sleep(20);
    expect(early).toBe('pending');
  });

  it('registration after close-and-reopen with the same fd number, while a dup keeps the old file alive', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    const fd = b.fileno();
    // Register b (a wait that is served), keep its open file description alive in a dup,
    // then close b: the engine must have unregistered it before close(2).
    const p = b.recv(4);
    await a.send(Buffer.from('1'));
    expect(await within(p, 5000)).toEqual(Buffer.from('1'));
    const keep = track(aio.fromfd(fd, aio.AF_UNIX, aio.SOCK_STREAM));
    b.close();
    const [c, d] = aio.socketpair();
    track(c);
    track(d);
    const again = [c, d].find((x) => x.fileno() === fd);
    expect(again, 'the fd number was reused').toBeDefined();
    const peer = again === c ? d : c;
    const q = again!.recv(4);
    // Data for the old file (readable through the dup) must not wake the new socket.
    await a.send(Buffer.from('old'));
    await sleep(20);
    expect(await isPending(q)).toBe(true);
    await peer.send(Buffer.from('new'));
    expect(await within(q, 5000)).toEqual(Buffer.from('new'));
    expect(await keep.recv(8)).toEqual(Buffer.from('old'));
  });

  it('only a waiter references the handle; the epoll fd is made at load and outlives every socket', async () => {
    const before = stats();
    const epolls = () => [...fdSnapshot().values()].filter((t) => t === 'anon_inode:[eventpoll]').length;
    const cycle = async () => {
      const [a, b] = aio.socketpair();
      const p = b.recv(4);
      expect(stats()[2]).toBe(true); // a waiter: the handle keeps the loop alive
      await a.send(Buffer.from('z'));
      await within(p, 5000);
      expect(stats()[1]).toBe(before[1]);
      expect(stats()[2]).toBe(before[2]); // no waiter left: no reference
      a.close();
      b.close();
      expect(stats()[0]).toBe(before[0]);
    };
    await cycle();
    const epfd = stats()[5];
    expect(epfd).toBeGreaterThanOrEqual(0); // kept after the last socket closed
    const n = epolls();
    // One socket at a time, opened, waited on and closed: no epoll instance per socket.
    for (let i = 0; i < 20; i++) await cycle();
    expect(stats()[5]).toBe(epfd);
    expect(epolls()).toBe(n);
  });

  it('a receive that finds data at once is not armed: no waiter, no batch', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    await a.send(Buffer.from('ready'));
    const [, waiting0, , batches0] = stats();
    const buf = Buffer.alloc(8);
    expect(await b.recv_into(buf)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('ready');
    const [, waiting1, , batches1] = stats();
    expect(batches1).toBe(batches0);
    expect(waiting1).toBe(waiting0);
    // Nothing left: the next one is armed (a waiter), and closing rejects it with EBADF.
    const p = b.recv(8);
    expect(await isPending(p)).toBe(true);
    expect(stats()[1]).toBe(waiting0 + 1);
    b.close();
    expect((await p.catch((x) => x)).errno).toBe(osErrno.EBADF);
    expect(stats()[1]).toBe(waiting0);
  });

  it('a socket gets an engine slot only when a receive must wait, and gives it back at close', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const used0 = stats()[0];
    await a.send(Buffer.from('now'));
    expect(await b.recv(8)).toEqual(Buffer.from('now'));
    expect(stats()[0]).toBe(used0); // found data: no slot
    const p = b.recv(8);
    expect(await isPending(p)).toBe(true);
    expect(stats()[0]).toBe(used0 + 1); // must wait: armed in a new slot
    await a.send(Buffer.from('later'));
    expect(await within(p, 5000)).toEqual(Buffer.from('later'));
    const q = b.recv(8);
    expect(await isPending(q)).toBe(true);
    expect(stats()[0]).toBe(used0 + 1); // the same slot again
    b.close();
    expect((await q.catch((x) => x)).errno).toBe(osErrno.EBADF);
    expect(stats()[0]).toBe(used0);
    expect(() => native.engine_recv(-1 - a.fileno(), Buffer.alloc(1), 1, 0, false)).toThrow(RangeError);
  });

  it('a receive that fails at once rejects with recv’s OSError and arms nothing', async () => {
    const s = track(aio.socket(aio.AF_INET, aio.SOCK_STREAM));
    const waiting0 = stats()[1];
    const e = await s.recv_into(Buffer.alloc(4)).catch((x) => x);
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(osErrno.ENOTCONN);
    expect(stats()[1]).toBe(waiting0);
    // The socket stays usable: a second call fails the same way.
    expect((await s.recv(4).catch((x) => x)).errno).toBe(osErrno.ENOTCONN);
  });

  it('a receive into a buffer over 2 GiB (beyond the engine’s int32 count) works at once and after a wait', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    // allocUnsafe does not touch the pages: this costs address space, not memory.
    const big = Buffer.allocUnsafe(2 ** 31 + 16);
    await a.send(Buffer.from('now'));
    expect(await b.recv_into(big)).toBe(3);
    expect(big.subarray(0, 3).toString()).toBe('now');
    const p = b.recv_into(big);
    expect(await isPending(p)).toBe(true);
    await a.send(Buffer.from('later'));
    expect(await within(p, 5000)).toBe(5);
    expect(big.subarray(0, 5).toString()).toBe('later');
  });

  it('a sole armed receive is served without a harvest; other waiters bring the harvest back', async () => {
    const [a, b] = aio.socketpair();
    const [c, d] = aio.socketpair();
    for (const s of [a, b, c, d]) track(s);
    // The only waiter in this environment: the wake-up needs no epoll_wait.
    const p = b.recv(8);
    expect(await isPending(p)).toBe(true);
    expect(stats()[1]).toBe(1);
    const h0 = stats()[6];
    await a.send(Buffer.from('one'));
    expect(await within(p, 5000)).toEqual(Buffer.from('one'));
    expect(stats()[6]).toBe(h0);
    // Two waiters: harvested as before.
    const q = b.recv(8);
    const r = d.recv(8);
    expect(await isPending(q)).toBe(true);
    await a.send(Buffer.from('two'));
    expect(await within(q, 5000)).toEqual(Buffer.from('two'));
    expect(stats()[6]).toBeGreaterThan(h0);
    await c.send(Buffer.from('three'));
    expect(await within(r, 5000)).toEqual(Buffer.from('three'));
  });

  it('a wake-up for a direction nobody waits for any more, beside a sole armed receive, does not spin', async () => {
    const [a, b] = aio.socketpair();
    const [c] = aio.socketpair();
    for (const s of [a, b, c]) track(s);
    // c stays registered for writing after this wait (directions are dropped lazily), and
    // is always writable: its next report is dropped by the harvest that follows the sole
    // waiter's empty try.
    await within(c.wait_writable(), 5000);
    const p = b.recv(8);
    const [, , , batches0, , , h0, w0] = stats();
    await sleep(100);
    const [, , , batches1, , , h1, w1] = stats();
    expect(batches1).toBe(batches0); // nothing was delivered
    // c's report was harvested and dropped once; the loop did not spin on its readiness.
    expect(h1 - h0).toBeGreaterThanOrEqual(1);
    expect(w1 - w0).toBeLessThanOrEqual(2);
    expect(await isPending(p)).toBe(true);
    await a.send(Buffer.from('late'));
    expect(await within(p, 5000)).toEqual(Buffer.from('late'));
  });

  for (const [mode, accept] of [
    ['return', false],
    ['exit', false],
    ['terminate', false],
    ['exit', true],
    ['terminate', true],
  ] as const) {
    const what = accept ? ' and an accept armed' : '';
    it(`a worker ending with registered sockets${what} (${mode}): its engine and fds are torn down`, async () => {
      const w = new Worker(path.join(__dirname, 'fixtures', 'engine-worker.cjs'), {
        workerData: { n: 32, mode, accept },
      });
      const exited = new Promise<number>((resolve) => w.once('exit', resolve));
      const m = await within(
        new Promise<any>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        }),
        20_000,
        'the worker',
      );
      expect(m.error).toBeUndefined();
      expect(m.ok).toBe(true);
      expect(m.stats[0]).toBe(accept ? 33 : 32); // every receiver (and the listener) holds a slot
      if (mode === 'terminate') await w.terminate();
      const code = await within(exited, 20_000, 'the worker to exit');
      expect(code).toBe(mode === 'terminate' ? 1 : 0);
      // The teardown closed every socket of the worker.
      let open: [number, string][] = [];
      for (let i = 0; i < 50; i++) {
        const now = fdSnapshot();
        open = (m.fds as [number, string][]).filter(([fd, link]) => now.get(fd) === link);
        if (open.length === 0) break;
        await sleep(20);
      }
      expect(open).toEqual([]);
      // This thread's engine is unaffected.
      const [a, b] = aio.socketpair();
      track(a);
      track(b);
      const q = b.recv(4);
      await a.send(Buffer.from('main'));
      expect(await within(q, 5000)).toEqual(Buffer.from('main'));
    }, 60_000);
  }
});

describe('armed accept', () => {
  it('an accept that must wait is armed: the engine accepts, with no harvest, and hands over fd and peer', async () => {
    const [l, addr] = await tcpListener();
    const fds = fdCount();
    const p = l.accept();
    expect(await isPending(p)).toBe(true);
    expect(stats()[1]).toBe(1); // the armed accept is the only waiter
    const h0 = stats()[6];
    const c = client(addr);
    const [conn, peer] = await within(p, 5000);
    track(conn);
    expect(stats()[6]).toBe(h0); // the sole waiter: accept4 without epoll_wait
    expect(peer).toEqual(c.getsockname());
    expect(conn.getpeername()).toEqual(c.getsockname());
    expect(conn.getblocking()).toBe(true);
    expect(conn.gettimeout()).toBeNull();
    // The new fd is non-blocking and close-on-exec, as the async accept makes it.
    const flags = parseInt(
      /flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${conn.fileno()}`, 'utf8'))![1],
      8,
    );
    expect(flags & 0o4000).toBeTruthy(); // O_NONBLOCK
    expect(flags & 0o2000000).toBeTruthy(); // O_CLOEXEC
    expect(fdCount()).toBe(fds + 2);
    c.sendall(Buffer.from('hi'));
    expect(await conn.recv(8)).toEqual(Buffer.from('hi'));
    expect(stats()[1]).toBe(0);
  });

  it('an AF_UNIX accept that must wait gets its peer address from the engine', async () => {
    const l = track(aio.socket(aio.AF_UNIX, aio.SOCK_STREAM));
    const name = `\0bsdsock-armacc-${process.pid}`;
    await l.bind(name);
    l.listen();
    const p = l.accept();
    expect(await isPending(p)).toBe(true);
    const c = sock(aio.AF_UNIX, aio.SOCK_STREAM);
    c.bind(`\0bsdsock-armacc-peer-${process.pid}`);
    c.connect(name);
    const [conn, peer] = await within(p, 5000);
    track(conn);
    expect(peer).toEqual(c.getsockname());
  });

  it('an armed accept that is aborted, timed out or closed rejects and accepts nothing', async () => {
    const [l, addr] = await tcpListener();
    const fds = fdCount();
    const ac = new AbortController();
    const p = l.accept({ signal: ac.signal });
    expect(await isPending(p)).toBe(true);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(stats()[1]).toBe(0);
    l.settimeout(0.05);
    await expect(l.accept()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(stats()[1]).toBe(0);
    l.settimeout(null);
    // A connection arriving now waits in the backlog for the next accept: none was made.
    const c = client(addr);
    expect(fdCount()).toBe(fds + 1);
    const [conn, peer] = await within(l.accept(), 5000);
    track(conn);
    expect(peer).toEqual(c.getsockname());
    // Close with an accept armed (and one queued behind it): both reject with EBADF.
    const q1 = l.accept().catch((e: any) => e);
    const q2 = l.accept().catch((e: any) => e);
    expect(await isPending(q1)).toBe(true);
    l.close();
    expect((await q1).errno).toBe(osErrno.EBADF);
    expect((await q2).errno).toBe(osErrno.EBADF);
    expect(stats()[1]).toBe(0);
  });

  it('queued accepts are served in call order, many connections in one batch', async () => {
    const [l, addr] = await tcpListener(64);
    const n = 16;
    const order: number[] = [];
    const calls = Array.from({ length: n }, (_, i) =>
      l.accept().then(([conn, peer]) => {
        track(conn);
        order.push(i);
        return peer;
      }),
    );
    expect(await isPending(calls[0])).toBe(true);
    const [, , , batches0] = stats();
    // Every connection is in the backlog before the loop polls again.
    const clients = Array.from({ length: n }, () => client(addr));
    const peers = await within(Promise.all(calls), 5000);
    expect(stats()[3] - batches0).toBe(1);
    expect(order).toEqual([...Array(n).keys()]);
    expect(peers).toEqual(clients.map((c) => c.getsockname()));
  });

  it('accepts on several listeners complete in one batch; one closed by a continuation leaks nothing', async () => {
    const ls = await Promise.all(Array.from({ length: 4 }, () => tcpListener()));
    const fds = fdCount();
    const results: string[] = [];
    const calls = ls.map(([l], i) =>
      l.accept().then(
        ([conn]) => {
          track(conn);
          // The first to run closes every other listener, whose accepts are in this batch.
          if (results.length === 0) for (const [other] of ls) if (other !== l) other.close();
          results.push(`${i}:ok`);
        },
        (e: any) => results.push(`${i}:${e.code}`),
      ),
    );
    expect(await isPending(calls[0])).toBe(true);
    const [, , , batches0] = stats();
    for (const [, addr] of ls) client(addr);
    await within(Promise.all(calls), 5000);
    expect(stats()[3] - batches0).toBe(1);
    // Each accept settled once: the batch had completed them all before any continuation.
    expect(results.sort()).toEqual(['0:ok', '1:ok', '2:ok', '3:ok']);
    // 4 clients and 4 accepted sockets more, 3 listeners fewer.
    expect(fdCount()).toBe(fds + 8 - 3);
  });

  it('an fd the engine accepted for a slot nobody waits on any more is closed after the batch', async () => {
    const [l, addr] = await tcpListener();
    const fds = fdCount();
    // A slot armed behind lib's back: the batch entry reaches no waiter, as when the
    // waiter or the listener went away between the accept and its delivery.
    const slot = native.engine_open(l.fileno());
    try {
      expect(native.engine_accept(slot, false)).toBe(native.WOULD_BLOCK);
      const [, , , batches0] = stats();
      const c = client(addr);
      c.settimeout(5);
      const buf = Buffer.alloc(4);
      // The engine closed the connection it accepted: the client reads EOF.
      const wait = async () => {
        for (let i = 0; i < 100 && stats()[3] === batches0; i++) await sleep(10);
      };
      await wait();
      expect(stats()[3]).toBe(batches0 + 1);
      expect(c.recv_into(buf)).toBe(0);
      expect(fdCount()).toBe(fds + 1); // the client only
    } finally {
      native.engine_close(slot);
    }
  });

  it('after an accept that had to wait, the next still takes a queued connection at once', async () => {
    const [l, addr] = await tcpListener(16);
    const p = l.accept();
    expect(await isPending(p)).toBe(true); // its try found nothing: the next try polls first
    client(addr);
    track((await within(p, 5000))[0]);
    const queued = [client(addr), client(addr), client(addr)];
    const [, waiting0, , batches0] = stats();
    for (const c of queued) {
      const q = l.accept();
      // Taken by the try itself: never armed, no batch needed.
      expect(stats()[1]).toBe(waiting0);
      const [conn, peer] = await q;
      track(conn);
      expect(peer).toEqual(c.getsockname());
    }
    expect(stats()[3]).toBe(batches0);
    // Nothing queued now: the next one waits again.
    const r = l.accept();
    expect(await isPending(r)).toBe(true);
    expect(stats()[1]).toBe(waiting0 + 1);
    const last = client(addr);
    expect((await within(r, 5000))[1]).toEqual(last.getsockname());
    track((await r)[0]);
  });

  it('an accept that fails at once rejects with accept’s OSError and arms nothing', async () => {
    const s = track(aio.socket(aio.AF_INET, aio.SOCK_STREAM));
    const e = await s.accept().catch((x) => x);
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(osErrno.EINVAL);
    expect(stats()[1]).toBe(0);
  });

  it('engine_accept checks its arguments', () => {
    expect(() => native.engine_accept(1e6, true)).toThrow(RangeError);
    expect(() => native.engine_peer(1e6)).toThrow(RangeError);
  });
});

/** Counts the calls of native function `name` while `body` runs (lib looks it up at each call). */
async function counting<T>(
  name: 'engine_recv' | 'engine_disarm',
  body: () => Promise<T>,
): Promise<[T, number]> {
  const table = native as unknown as Record<string, (...a: unknown[]) => unknown>;
  const orig = table[name];
  let calls = 0;
  table[name] = (...a: unknown[]) => {
    calls++;
    return orig(...a);
  };
  try {
    return [await body(), calls];
  } finally {
    table[name] = orig;
  }
}

/** Sends at once (an async send is tried before the call returns); a failure shows as missing data. */
const sendNow = (s: ASock, data: Buffer) => void s.sendall(data).catch(() => {});

/** n socketpairs, tracked. */
const pairsOf = (n: number) =>
  Array.from({ length: n }, () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    return [a, b] as const;
  });

describe('receives re-armed during a dispatch (the arm queue)', () => {
  it('a receive re-armed by a continuation of its batch is armed without engine_recv, and every round arrives in order', async () => {
    const n = 16;
    const rounds = 20;
    const pairs = pairsOf(n);
    const got: string[][] = pairs.map(() => []);
    let done = 0;
    let wake: () => void = () => {};
    const readers = pairs.map(async ([, b], i) => {
      const buf = Buffer.alloc(32);
      for (let r = 0; r < rounds; r++) {
        const k = await b.recv_into(buf);
        got[i].push(buf.subarray(0, k).toString());
        if (++done % n === 0) wake();
      }
    });
    const [, calls] = await counting('engine_recv', async () => {
      for (let r = 0; r < rounds; r++) {
        const all = new Promise<void>((resolve) => (wake = resolve));
        // One synchronous stretch of sends: every receiver is in the same batch.
        for (const [a] of pairs) sendNow(a, Buffer.from(`r${r}`));
        await within(all, 5000, `round ${r}`);
      }
      await within(Promise.all(readers), 5000);
    });
    for (const g of got) expect(g).toEqual(Array.from({ length: rounds }, (_, r) => `r${r}`));
    // Without the queue every re-arm is a crossing: n per round. With it, only a batch of
    // one socket (none here) or the first arms make one.
    expect(calls).toBeLessThan(n * 2);
  });

  it('an arm queued in a dispatch and aborted in the same dispatch takes no data', async () => {
    const [[a1, b1], [a2, b2]] = pairsOf(2);
    const ac = new AbortController();
    const spare = Buffer.alloc(16, 0x2e);
    let aborted: Promise<string> | null = null;
    let arms = -1;
    const first = b1.recv(8).then(() => {
      // In the batch's continuation: queued (no crossing), then aborted at once.
      aborted = b1.recv_into(spare, 2, { signal: ac.signal }).then(
        () => 'resolved',
        (e: Error) => e.name,
      );
      ac.abort();
    });
    const second = b2.recv(8);
    expect(await isPending(first)).toBe(true);
    const [, disarms] = await counting('engine_disarm', async () => {
      [, arms] = await counting('engine_recv', async () => {
        sendNow(a1, Buffer.from('one'));
        sendNow(a2, Buffer.from('two'));
        await within(Promise.all([first, second]), 5000);
      });
    });
    expect(arms).toBe(0);
    expect(disarms).toBe(1);
    expect(await within(aborted!, 5000)).toBe('AbortError');
    // The aborted arm was applied before the disarm, not after it: once the dispatch is
    // over nothing is armed, the next data goes whole to the next receive (not 2 bytes of
    // it), and the aborted call's buffer stays untouched.
    await sleep(10);
    expect(stats()[1]).toBe(0);
    const next = b1.recv(16);
    sendNow(a1, Buffer.from('after'));
    expect(await within(next, 5000)).toEqual(Buffer.from('after'));
    expect(spare.toString()).toBe('.'.repeat(16));
  });

  it('random aborts, timeouts and closes around re-arms: every call settles and nothing is left in the engine', async () => {
    // A fixed-seed mix over 24 socketpairs and 60 rounds: receives aborted before their data,
    // re-armed in the continuation of their batch and then aborted, timed out or closed at
    // once, and receives with a per-call timeout.
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const [slots0, waiting0] = stats();
    const n = 24;
    const owned: ASock[] = [];
    const fresh = () => {
      const p = aio.socketpair().map(track) as [ASock, ASock];
      owned.push(...p);
      return p;
    };
    const pairs = Array.from({ length: n }, fresh);
    let started = 0;
    let settled = 0;
    const odd: unknown[] = [];
    const follow = (p: Promise<unknown>) => {
      started++;
      return p.then(
        () => void settled++,
        (e: any) => {
          settled++;
          if (!['AbortError', 'TimeoutError'].includes(e.name) && e.errno !== osErrno.EBADF) odd.push(e);
        },
      );
    };
    const later = (ms: number) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), ms);
      return ac;
    };
    for (let round = 0; round < 60; round++) {
      const calls: Promise<unknown>[] = [];
      pairs.forEach(([a, b], i) => {
        const x = rnd();
        const buf = Buffer.alloc(1 + Math.floor(rnd() * 32));
        if (x < 0.3) {
          const first = new AbortController();
          const p = b.recv_into(buf, { signal: first.signal }).then(() => {
            const y = rnd();
            const ac = later(20);
            const q = follow(b.recv_into(Buffer.alloc(8), { signal: ac.signal }));
            if (y < 0.4) ac.abort();
            else if (y < 0.7) {
              b.close();
              a.close();
              pairs[i] = fresh();
            }
            return q;
          });
          calls.push(follow(p));
          if (rnd() < 0.3) first.abort();
        } else if (x < 0.45) {
          b.settimeout(0.001 + rnd() * 0.004);
          calls.push(follow(b.recv_into(buf)).then(() => b.settimeout(null)));
        } else {
          calls.push(follow(b.recv_into(buf, { signal: later(50).signal })));
        }
      });
      for (const [a] of pairs)
        if (a.fileno() >= 0) sendNow(a, Buffer.alloc(1 + Math.floor(rnd() * 24), 0x41));
      await within(Promise.all(calls), 5000, `round ${round}`);
      // What a round left unread must not be taken by the next round's aborted calls.
      for (const [, b] of pairs) {
        b.setblocking(false);
        try {
          for (let k = 0; k < 100; k++) await b.recv(4096);
        } catch {
          // BlockingIOError: drained
        }
        b.settimeout(null);
      }
    }
    expect(odd).toEqual([]);
    expect(settled).toBe(started);
    for (const s of owned) s.close();
    expect(stats()[0]).toBe(slots0);
    expect(stats()[1]).toBe(waiting0);
  });

  it('a socket closed in the dispatch that queued its receive: EBADF, and the engine keeps no waiter or slot', async () => {
    const [slots0, waiting0] = stats();
    const pairs = pairsOf(3);
    let rearmed: Promise<Buffer> | null = null;
    const calls = pairs.map(([, b], i) =>
      b.recv(8).then(() => {
        if (i !== 0) return;
        rearmed = b.recv(8);
        b.close();
      }),
    );
    expect(await isPending(calls[0])).toBe(true);
    for (const [a] of pairs) sendNow(a, Buffer.from('x'));
    await within(Promise.all(calls), 5000);
    await expect(within(rearmed!, 5000)).rejects.toMatchObject({ errno: osErrno.EBADF });
    // The two others are served, and once they are closed nothing of them is left.
    const more = pairs.slice(1).map(([, b]) => b.recv(8));
    for (const [a] of pairs.slice(1)) sendNow(a, Buffer.from('y'));
    expect(await within(Promise.all(more), 5000)).toEqual([Buffer.from('y'), Buffer.from('y')]);
    for (const [, b] of pairs.slice(1)) b.close();
    expect(stats()[0]).toBe(slots0);
    expect(stats()[1]).toBe(waiting0);
  });
});

describe('a socket shut down for reading while a call is armed', () => {
  // Such a socket stays readable while a non-blocking recv(2) or accept4(2) says EAGAIN; the
  // armed call must complete as the blocking call would, not wake the loop forever.
  const wakeupsOver = async (ms: number) => {
    const w0 = stats()[7];
    await sleep(ms);
    return stats()[7] - w0;
  };

  it('an armed accept on an AF_UNIX listener that is shut down rejects with EINVAL, as accept() does', async () => {
    for (const how of [aio.SHUT_RD, aio.SHUT_RDWR]) {
      const l = track(aio.socket(aio.AF_UNIX, aio.SOCK_STREAM));
      await l.bind(`\0bsdsock-shut-accept-${process.pid}-${how}`);
      l.listen();
      const p = l.accept();
      expect(await isPending(p)).toBe(true);
      l.shutdown(how);
      const e = await within(
        p.then(
          () => null,
          (err: unknown) => err,
        ),
        5000,
      );
      expect(e).toBeInstanceOf(OSError);
      expect((e as OSError).errno).toBe(osErrno.EINVAL);
      // Nothing is left armed that keeps waking the loop.
      expect(await wakeupsOver(100)).toBeLessThan(5);
      const blocking = sock(aio.AF_UNIX, aio.SOCK_STREAM);
      blocking.bind(`\0bsdsock-shut-accept-b-${process.pid}-${how}`);
      blocking.listen();
      blocking.shutdown(how);
      expect(() => blocking.accept()).toThrow(expect.objectContaining({ errno: osErrno.EINVAL }) as Error);
    }
  });

  it('an armed receive on a datagram socket shut down for reading resolves to 0 bytes, as recv() does', async () => {
    for (const family of [aio.AF_INET, aio.AF_UNIX]) {
      const [a, b] =
        family === aio.AF_UNIX
          ? aio.socketpair(aio.AF_UNIX, aio.SOCK_DGRAM)
          : await (async () => {
              const x = aio.socket(aio.AF_INET, aio.SOCK_DGRAM);
              const y = aio.socket(aio.AF_INET, aio.SOCK_DGRAM);
              await x.bind(['127.0.0.1', 0]);
              await y.bind(['127.0.0.1', 0]);
              await x.connect(y.getsockname());
              await y.connect(x.getsockname());
              return [x, y] as const;
            })();
      track(a);
      track(b);
      const buf = Buffer.alloc(8);
      const p = b.recv_into(buf);
      expect(await isPending(p)).toBe(true);
      b.shutdown(aio.SHUT_RD);
      expect(await within(p, 5000)).toBe(0);
      expect(await wakeupsOver(100)).toBeLessThan(5);
    }
  });

  it('every other waiting receive on a datagram socket shut down for reading gets what the blocking call gets', async () => {
    /** A datagram socket of `family` that a receive can wait on, and a blocking twin. */
    const pairOf = async (family: number) => {
      if (family === aio.AF_UNIX) {
        const [x] = aio.socketpair(aio.AF_UNIX, aio.SOCK_DGRAM).map(track);
        return [x, pair(aio.AF_UNIX, aio.SOCK_DGRAM)[0]] as const;
      }
      const x = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
      await x.bind(['127.0.0.1', 0]);
      await x.connect(x.getsockname());
      const b = sock(aio.AF_INET, aio.SOCK_DGRAM);
      b.bind(['127.0.0.1', 0]);
      b.connect(b.getsockname() as [string, number]);
      return [x, b] as const;
    };
    const calls: [string, (s: any) => unknown][] = [
      ['recvfrom', (s) => s.recvfrom(16)],
      ['recvfrom_into', (s) => s.recvfrom_into(Buffer.alloc(16))],
      ['recvmsg', (s) => s.recvmsg(16, 64)],
      ['recvmsg_into', (s) => s.recvmsg_into([Buffer.alloc(8), Buffer.alloc(8)], 64)],
      ['recvmmsg', (s) => s.recvmmsg(4, 16)],
      [
        'recvmmsg_into',
        (s) => {
          const sizes = new Int32Array(4).fill(7);
          const r = s.recvmmsg_into(Buffer.alloc(64), 16, sizes);
          return r instanceof Promise ? r.then((n: number) => [n, [...sizes]]) : [r, [...sizes]];
        },
      ],
    ];
    for (const family of [aio.AF_INET, aio.AF_UNIX]) {
      for (const [name, call] of calls) {
        const [a, b] = await pairOf(family);
        // Waiting when the shutdown comes (a reader loop that a shutdown must end) ...
        const p = call(a) as Promise<unknown>;
        expect(await isPending(p)).toBe(true);
        a.shutdown(aio.SHUT_RD);
        b.shutdown(aio.SHUT_RD);
        const want = call(b);
        expect([family, name, await within(p, 5000, name)]).toEqual([family, name, want]);
        // ... and a call made afterwards, which waits a loop turn first.
        expect(await within(call(a) as Promise<unknown>, 5000, name)).toEqual(want);
        expect(await wakeupsOver(50)).toBeLessThan(5);
      }
    }
  });
});

// epoll keys a registration by fd and file, so a second socket object over a live socket's
// fd (socket(fileno=)) cannot hold a registration of its own (native/engine.cc TakeOver).
describe('two socket objects over one fd', () => {
  /** A socketpair whose first socket has a twin over the same fd (detached at the end). */
  const twins = () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const twin = aio.socket(aio.AF_UNIX, aio.SOCK_STREAM, 0, a.fileno());
    return { a, b, twin, done: () => twin.detach() };
  };

  it('waits made in turn through either object are all served', async () => {
    const { a, b, twin, done } = twins();
    // A second waiter elsewhere, so that wake-ups harvest (a sole armed receive is served
    // without asking epoll which socket is ready).
    const [c, d] = aio.socketpair();
    track(c);
    track(d);
    const other = d.recv(8);
    const readers = [a, twin, a, twin, twin, a];
    for (const [i, r] of readers.entries()) {
      const p = r.recv(8);
      await sleep(5);
      expect(await isPending(p), `wait ${i} waits`).toBe(true);
      await b.send(Buffer.from(`m${i}`));
      expect(await within(p, 5000, `wait ${i}`)).toEqual(Buffer.from(`m${i}`));
    }
    // Writability, through both.
    await within(twin.sendall(Buffer.from('w')), 5000);
    await within(a.sendall(Buffer.from('x')), 5000);
    expect(await b.recv(8)).toEqual(Buffer.from('wx'));
    await c.send(Buffer.from('end'));
    expect(await within(other, 5000)).toEqual(Buffer.from('end'));
    done();
  });

  it('a wait while the other object waits is refused with EBUSY, and the waiting one is served', async () => {
    const { a, b, twin, done } = twins();
    const p = a.recv(8);
    await sleep(5);
    const err = await twin.recv(8).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OSError);
    expect((err as OSError).errno).toBe(osErrno.EBUSY);
    expect((err as OSError).message).toMatch(/another socket object over this fd is waiting/);
    await b.send(Buffer.from('one'));
    expect(await within(p, 5000)).toEqual(Buffer.from('one'));
    // Once the first is idle the twin can wait, and the first is refused in turn.
    const q = twin.recv(8);
    await sleep(5);
    await expect(a.recv(8)).rejects.toMatchObject({ errno: osErrno.EBUSY });
    await b.send(Buffer.from('two'));
    expect(await within(q, 5000)).toEqual(Buffer.from('two'));
    done();
  });

  it('a twin that waits inside the dispatch that served the other: no receive is left hanging', async () => {
    const { a, b, twin, done } = twins();
    const outcomes: string[] = [];
    const settle = (p: Promise<Buffer>, who: string) =>
      p.then(
        (d) => outcomes.push(`${who}:${d.toString()}`),
        (e: { code?: string; errno?: number }) => outcomes.push(`${who}:errno ${e.errno}`),
      );
    // a's receive is served in a batch; its continuation makes the twin wait (the twin
    // takes the registration) and then a waits again in the same dispatch, which would
    // have queued its arm for a slot that is no longer registered.
    // Another socket in the same batch, so that a's receive in the continuation is queued,
    // not tried (see tryReadFirst).
    const [c, e] = aio.socketpair();
    track(c);
    track(e);
    const beside = e.recv(8);
    const first = a.recv(8).then(async (d) => {
      const t = settle(twin.recv(8), 'twin');
      const again = settle(a.recv(8), 'a');
      return [d, t, again] as const;
    });
    await sleep(5);
    sendNow(b, Buffer.from('go'));
    sendNow(c, Buffer.from('too'));
    const [d, t, again] = await within(first, 5000);
    expect(await within(beside, 5000)).toEqual(Buffer.from('too'));
    expect(d).toEqual(Buffer.from('go'));
    await sleep(5);
    await b.send(Buffer.from('next'));
    await within(Promise.all([t, again]), 5000, 'both later receives');
    expect(outcomes.sort()).toEqual(['a:errno ' + osErrno.EBUSY, 'twin:next']);
    done();
  });
});

// A read of the error queue (MSG_ERRQUEUE) waits for EPOLLERR (native/engine.h kErr), not
// for readability: unread ordinary data, or a datagram socket shut down for reading, would
// otherwise wake it on every loop turn while its retry says EAGAIN.
describe('a read of the error queue that waits', () => {
  /** Wake-ups of the engine over `ms` while `p` waits. */
  const wakeupsWhile = async (ms: number) => {
    const before = stats()[7];
    await sleep(ms);
    return stats()[7] - before;
  };

  /** An AF_INET datagram socket with IP_RECVERR and one ordinary datagram queued, unread. */
  const withPendingData = async () => {
    const a = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    a.setsockopt(aio.IPPROTO_IP, aio.IP_RECVERR, 1);
    await a.bind(['127.0.0.1', 0]);
    const peer = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await peer.sendto(Buffer.from('ordinary'), a.getsockname());
    return a;
  };

  /** A loopback UDP port nobody listens on (sending there brings ICMP port unreachable). */
  const deadPort = async (): Promise<[string, number]> => {
    const t = aio.socket(aio.AF_INET, aio.SOCK_DGRAM);
    await t.bind(['127.0.0.1', 0]);
    const addr = t.getsockname() as [string, number];
    t.close();
    return addr;
  };

  it('does not wake the loop while ordinary data is queued, and ends with its signal', async () => {
    const a = await withPendingData();
    const ac = new AbortController();
    const p = a.recvmsg(64, 512, aio.MSG_ERRQUEUE, { signal: ac.signal });
    expect(await wakeupsWhile(150)).toBeLessThan(5);
    ac.abort();
    await expect(within(p, 5000)).rejects.toMatchObject({ name: 'AbortError' });
    expect((await a.recvfrom(64))[0]).toEqual(Buffer.from('ordinary'));
  });

  for (const call of ['recvmsg', 'recv_into', 'recvfrom'] as const) {
    it(`${call} with MSG_ERRQUEUE completes when an error arrives, with ordinary data queued`, async () => {
      const a = await withPendingData();
      const dead = await deadPort();
      const p: Promise<unknown> =
        call === 'recvmsg'
          ? a.recvmsg(64, 512, aio.MSG_ERRQUEUE)
          : call === 'recv_into'
            ? a.recv_into(Buffer.alloc(64), 64, aio.MSG_ERRQUEUE)
            : a.recvfrom(64, aio.MSG_ERRQUEUE);
      expect(await wakeupsWhile(50)).toBeLessThan(5);
      expect(await isPending(p)).toBe(true);
      await a.sendto(Buffer.from('x'), dead);
      const r = await within(p, 5000, `${call}(MSG_ERRQUEUE)`);
      if (call === 'recvmsg') {
        const [data, anc, flags] = r as [Buffer, [number, number, Buffer][], number];
        expect(data).toEqual(Buffer.from('x'));
        expect(anc.map(([level, type]) => [level, type])).toEqual([[aio.IPPROTO_IP, aio.IP_RECVERR]]);
        expect(flags & aio.MSG_ERRQUEUE).toBe(aio.MSG_ERRQUEUE);
      } else if (call === 'recv_into') expect(r).toBe(1);
      else expect((r as [Buffer, unknown])[0]).toEqual(Buffer.from('x'));
      // The ordinary datagram was left where it was.
      expect((await a.recvfrom(64))[0]).toEqual(Buffer.from('ordinary'));
    });
  }

  it('an error queued after its reader left does not wake the loop', async () => {
    const a = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    a.setsockopt(aio.IPPROTO_IP, aio.IP_RECVERR, 1);
    await a.bind(['127.0.0.1', 0]);
    const dead = await deadPort();
    const p = a.recvmsg(64, 512, aio.MSG_ERRQUEUE);
    await sleep(20);
    await a.sendto(Buffer.from('1'), dead);
    expect((await within(p, 5000))[0]).toEqual(Buffer.from('1'));
    // Nobody reads the error queue now; the next error stays queued, and epoll reports
    // EPOLLERR for it whatever the socket's mask.
    await a.sendto(Buffer.from('2'), dead);
    expect(await wakeupsWhile(150)).toBeLessThan(5);
    expect((await a.recvmsg(64, 512, aio.MSG_ERRQUEUE))[0]).toEqual(Buffer.from('2'));
  });

  it('does not wake the loop on a datagram socket shut down for reading', async () => {
    const a = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await a.bind(['127.0.0.1', 0]);
    await a.connect(a.getsockname()); // shutdown(2) wants a connected socket
    a.shutdown(aio.SHUT_RD);
    const ac = new AbortController();
    const p = a.recvmsg(64, 512, aio.MSG_ERRQUEUE, { signal: ac.signal });
    expect(await wakeupsWhile(150)).toBeLessThan(5);
    ac.abort();
    await expect(within(p, 5000)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
