// recvmmsg / sendmmsg (Beyond Python): batches in one syscall, in both forms. recvmmsg has
// MSG_WAITFORONE semantics (waits for the first datagram, returns what is queued, up to
// vlen); sendmmsg returns how many went out, possibly fewer than given; the async
// sendmmsg copies its payloads when it has to wait.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { errorOf } from '../helpers/errors';
import { workerPeer } from '../helpers/peer';
import { sleep, within } from '../helpers/timing';
import { useSockets } from '../helpers/tracker';
import { type AnySock, FORMS, pair, T, toForm, udp, unixDgram } from './fixtures/forms';

useSockets({ watchdog: false });

const payload = (i: number) => Buffer.from(`datagram #${i} ${'x'.repeat(i)}`);

/** Sends small datagrams on `s` (timeout 0 meanwhile) until it would block; returns how many went. */
async function fill(s: AnySock, msg = Buffer.alloc(512, 'f')): Promise<number> {
  const saved = s.gettimeout();
  s.settimeout(0);
  let n = 0;
  try {
    for (let i = 0; i < 100_000; i++) {
      await s.send(msg);
      n += 1;
    }
  } catch (e) {
    expect(e).toBeInstanceOf(socket.BlockingIOError);
  } finally {
    s.settimeout(saved);
  }
  return n;
}

for (const form of FORMS) {
  describe(`recvmmsg (${form})`, () => {
    it('one recvmmsg(64, ...) returns exactly the 32 queued datagrams, with payloads and addresses', async () => {
      const r = udp();
      r.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20);
      const rs = toForm(form, r.s);
      const w1 = udp();
      const w2 = udp();
      for (let i = 0; i < 32; i++) (i % 2 ? w2 : w1).s.sendto(payload(i), r.addr);
      // Loopback queues each datagram before sendto returns; a short pause covers a busy machine.
      await sleep(50);
      const got = await rs.recvmmsg(64, 2048);
      expect(got).toHaveLength(32);
      got.forEach(([data, addr], i) => {
        expect(Buffer.isBuffer(data)).toBe(true);
        expect(data).toEqual(payload(i));
        expect(addr).toEqual(i % 2 ? w2.addr : w1.addr);
      });
      // Nothing is left.
      rs.settimeout(0);
      expect(await errorOf(() => rs.recvmmsg(64, 2048))).toBeInstanceOf(socket.BlockingIOError);
    });

    it('returns what is queued, without waiting for vlen datagrams (MSG_WAITFORONE)', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      const w = udp();
      for (let i = 0; i < 5; i++) w.s.sendto(payload(i), r.addr);
      await sleep(20);
      const got = await within(
        Promise.resolve(rs.recvmmsg(1024, 256)),
        5000,
        'recvmmsg with 5 of 1024 queued',
      );
      expect(got.map(([d]) => d.toString())).toEqual([0, 1, 2, 3, 4].map((i) => payload(i).toString()));
    });

    it('vlen caps the batch; the rest stays queued', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      const w = udp();
      for (let i = 0; i < 10; i++) w.s.sendto(payload(i), r.addr);
      await sleep(20);
      const a = await rs.recvmmsg(4, 256);
      expect(a.map(([d]) => d)).toEqual([0, 1, 2, 3].map(payload));
      const b = await rs.recvmmsg(100, 256);
      expect(b.map(([d]) => d)).toEqual([4, 5, 6, 7, 8, 9].map(payload));
    });

    it('a datagram larger than bufsize is cut to bufsize', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      const w = udp();
      w.s.sendto(Buffer.alloc(3000, 'a'), r.addr);
      w.s.sendto(Buffer.from('short'), r.addr);
      await sleep(20);
      const got = await rs.recvmmsg(8, 100);
      expect(got.map(([d]) => d.length)).toEqual([100, 5]);
      expect(got[0][0]).toEqual(Buffer.alloc(100, 'a'));
      expect(got[1][0]).toEqual(Buffer.from('short'));
    });

    it('bufsize 0 returns empty payloads with the senders', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      const w = udp();
      w.s.sendto(Buffer.from('abc'), r.addr);
      await sleep(20);
      const got = await rs.recvmmsg(4, 0);
      expect(got).toEqual([[Buffer.alloc(0), w.addr]]);
    });

    it('AF_UNIX datagrams from bound senders carry their paths', async () => {
      const r = unixDgram();
      const rs = toForm(form, r.s);
      const a = unixDgram();
      const b = unixDgram();
      a.s.sendto(Buffer.from('from a'), r.addr);
      b.s.sendto(Buffer.from('from b'), r.addr);
      const got = await rs.recvmmsg(10, 100);
      expect(got).toEqual([
        [Buffer.from('from a'), a.addr],
        [Buffer.from('from b'), b.addr],
      ]);
    });

    it('with nothing queued: TimeoutError with a timeout, BlockingIOError when non-blocking', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      rs.settimeout(0.1);
      expect(await errorOf(() => rs.recvmmsg(8, 100))).toBeInstanceOf(socket.TimeoutError);
      rs.settimeout(0);
      const e = await errorOf(() => rs.recvmmsg(8, 100));
      expect(e).toBeInstanceOf(socket.BlockingIOError);
      expect(e.errno).toBe(11);
      rs.settimeout(T);
    });

    it('bad arguments are TypeError / RangeError; a closed socket is EBADF', async () => {
      const r = udp();
      const rs = toForm(form, r.s) as any;
      const cases: [string, () => unknown, any, string?][] = [
        ['vlen 0', () => rs.recvmmsg(0, 100), RangeError, 'recvmmsg(): vlen must be 1-1024'],
        ['vlen 1025', () => rs.recvmmsg(1025, 100), RangeError, 'recvmmsg(): vlen must be 1-1024'],
        ['vlen -1', () => rs.recvmmsg(-1, 100), RangeError],
        ['bufsize -1', () => rs.recvmmsg(4, -1), RangeError, 'negative buffersize in recvmmsg'],
        [
          'vlen * bufsize too large',
          () => rs.recvmmsg(1024, 0x7fffffff),
          RangeError,
          'recvmmsg(): vlen * bufsize is too large',
        ],
        ['vlen string', () => rs.recvmmsg('4', 100), TypeError],
        ['bufsize float', () => rs.recvmmsg(4, 1.5), TypeError],
        ['flags string', () => rs.recvmmsg(4, 100, 'x'), TypeError],
        ['no arguments', () => rs.recvmmsg(), TypeError],
      ];
      for (const [what, fn, cls, msg] of cases) {
        const e = await errorOf(fn);
        expect(e, what).toBeInstanceOf(cls);
        if (msg) expect(e.message, what).toBe(msg);
      }
      rs.close();
      const e = await errorOf(() => rs.recvmmsg(4, 100));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(9);
    });
  });
}

describe('recvmmsg waits for the first datagram', () => {
  it('async: pending until one datagram arrives, then resolves with just that one', async () => {
    const r = udp();
    const rs = toForm('async', r.s);
    const w = udp();
    let settled = false;
    const p = Promise.resolve(rs.recvmmsg(64, 256)).finally(() => (settled = true));
    await sleep(100);
    expect(settled).toBe(false);
    w.s.sendto(Buffer.from('first'), r.addr);
    const got = await within(p, 5000, 'recvmmsg after one datagram');
    expect(got).toEqual([[Buffer.from('first'), w.addr]]);
  });

  it('blocking: waits (bounded by the timeout) until a peer sends, then returns the queued ones', async () => {
    const r = udp();
    const peer = workerPeer(
      `
const dgram = require('node:dgram');
const s = dgram.createSocket('udp4');
s.bind(0, '127.0.0.1', async () => {
  ready(s.address().port);
  await sleep(300);
  for (const m of ['one', 'two', 'three']) s.send(Buffer.from(m), workerData.port, '127.0.0.1');
  await sleep(100);
  s.close();
  done(true);
});
`,
      { port: r.addr[1] },
    );
    const port = await peer.ready;
    const start = Date.now();
    const got = r.s.recvmmsg(64, 256);
    expect(Date.now() - start).toBeGreaterThanOrEqual(100);
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThanOrEqual(3);
    await peer.result;
    const rest = got.length < 3 ? r.s.recvmmsg(64, 256) : [];
    expect([...got, ...rest].map(([d, a]) => [d.toString(), a])).toEqual(
      ['one', 'two', 'three'].map((m) => [m, ['127.0.0.1', port]]),
    );
  });
});

for (const form of FORMS) {
  describe(`sendmmsg (${form})`, () => {
    it('Buffer[] on a connected socket: the exact count, in order', async () => {
      const r = udp();
      const w = udp();
      w.s.connect(r.addr);
      const ws = toForm(form, w.s);
      const msgs = Array.from({ length: 20 }, (_, i) => payload(i));
      expect(await ws.sendmmsg(msgs)).toBe(20);
      const got = r.s.recvmmsg(64, 256);
      expect(got.map(([d, a]) => [d, a])).toEqual(msgs.map((m) => [m, w.addr]));
    });

    it('[data, address][] on an unconnected socket: the exact count, each to its address', async () => {
      const r1 = udp();
      const r2 = udp();
      const w = udp();
      const ws = toForm(form, w.s);
      const msgs: [Buffer, any][] = Array.from({ length: 10 }, (_, i) => [
        payload(i),
        i % 2 ? r2.addr : r1.addr,
      ]);
      expect(await ws.sendmmsg(msgs)).toBe(10);
      expect(r1.s.recvmmsg(64, 256).map(([d]) => d)).toEqual([0, 2, 4, 6, 8].map(payload));
      expect(r2.s.recvmmsg(64, 256).map(([d]) => d)).toEqual([1, 3, 5, 7, 9].map(payload));
    });

    it('typed arrays are accepted; an empty batch sends nothing and returns 0', async () => {
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      expect(await a.sendmmsg([])).toBe(0);
      expect(
        await a.sendmmsg([new Uint8Array([1, 2]), new DataView(new ArrayBuffer(3)), Buffer.alloc(0)]),
      ).toBe(3);
      expect(await b.recv(10)).toEqual(Buffer.from([1, 2]));
      expect(await b.recv(10)).toEqual(Buffer.alloc(3));
      expect(await b.recv(10)).toEqual(Buffer.alloc(0));
    });

    it('Buffer[] on an unconnected UDP socket: OSError 89 EDESTADDRREQ', async () => {
      const w = udp();
      const ws = toForm(form, w.s);
      const e = await errorOf(() => ws.sendmmsg([Buffer.from('x')]));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(89);
    });

    it('bad arguments are TypeError / RangeError and send nothing', async () => {
      const r = udp();
      const w = udp();
      const ws = toForm(form, w.s) as any;
      const cases: [string, () => unknown, any][] = [
        ['not an array', () => ws.sendmmsg(Buffer.from('x')), TypeError],
        ['a Set', () => ws.sendmmsg(new Set([Buffer.from('x')])), TypeError],
        ['a string element', () => ws.sendmmsg(['text']), TypeError],
        ['a number element', () => ws.sendmmsg([1]), TypeError],
        [
          '1025 messages',
          () => ws.sendmmsg(Array.from({ length: 1025 }, () => [Buffer.from('x'), r.addr])),
          RangeError,
        ],
        [
          'pairs then a bare Buffer',
          () => ws.sendmmsg([[Buffer.from('x'), r.addr], Buffer.from('y')]),
          TypeError,
        ],
        ['a pair of 3', () => ws.sendmmsg([[Buffer.from('x'), r.addr, 0]]), TypeError],
        ['a bad address', () => ws.sendmmsg([[Buffer.from('x'), '127.0.0.1']]), TypeError],
        ['a bad port', () => ws.sendmmsg([[Buffer.from('x'), ['127.0.0.1', 70000]]]), RangeError],
        ['a string payload in a pair', () => ws.sendmmsg([['x', r.addr]]), TypeError],
        ['flags string', () => ws.sendmmsg([[Buffer.from('x'), r.addr]], 'x'), TypeError],
      ];
      for (const [what, fn, cls] of cases) expect(await errorOf(fn), what).toBeInstanceOf(cls);
      r.s.settimeout(0);
      expect(() => r.s.recv(10)).toThrow(socket.BlockingIOError);
    });

    it('partial count in non-blocking mode: fewer than given once the send buffer fills', async () => {
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
      a.settimeout(0);
      const msgs = Array.from({ length: 64 }, (_, i) =>
        Buffer.concat([Buffer.from(`${i}:`), Buffer.alloc(1000, i)]),
      );
      const n = await a.sendmmsg(msgs);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(64);
      // Full now: nothing more goes.
      const e = await errorOf(() => a.sendmmsg(msgs));
      expect(e).toBeInstanceOf(socket.BlockingIOError);
      expect(e.errno).toBe(11);
      // Exactly the first n arrived, in order.
      b.settimeout(0);
      const got: Buffer[] = [];
      for (let i = 0; i < 100; i++) {
        try {
          got.push(await b.recv(2000));
        } catch (err) {
          expect(err).toBeInstanceOf(socket.BlockingIOError);
          break;
        }
      }
      expect(got).toEqual(msgs.slice(0, n));
    });

    it('partial count with a timeout: the first call returns what fit without waiting', async () => {
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096);
      const msgs = Array.from({ length: 64 }, () => Buffer.alloc(1000, 'p'));
      const n = await within(
        Promise.resolve(a.sendmmsg(msgs)),
        5000,
        'sendmmsg on a socket with room for a few',
      );
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(64);
      b.settimeout(0);
      let count = 0;
      for (let i = 0; i < 100; i++) {
        try {
          await b.recv(2000);
          count += 1;
        } catch {
          break;
        }
      }
      expect(count).toBe(n);
    });
  });
}

describe('async sendmmsg that has to wait', () => {
  it('resolves once the peer drains, and sends the payloads as they were at the call (mutation-safe)', async () => {
    const [a, b] = pair('async', socket.AF_UNIX, socket.SOCK_DGRAM);
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192);
    const fillers = await fill(a, Buffer.alloc(256, 'f'));
    expect(fillers).toBeGreaterThan(0);
    const bufs = [Buffer.from('original payload one'), Buffer.from('original payload two')];
    const originals = bufs.map((x) => Buffer.from(x));
    let settled = false;
    const p = Promise.resolve(a.sendmmsg(bufs)).finally(() => (settled = true));
    await sleep(50);
    expect(settled).toBe(false);
    // Change the caller's buffers while the call waits.
    bufs[0].fill('X');
    bufs[1].fill('Y');
    for (let i = 0; i < fillers; i++) expect(await b.recv(1000)).toEqual(Buffer.alloc(256, 'f'));
    const n = await within(p, 5000, 'the waiting sendmmsg');
    expect(n).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < n; i++) expect(await b.recv(1000)).toEqual(originals[i]);
  });

  it('several waiting sendmmsg calls complete in call order', async () => {
    const [a, b] = pair('async', socket.AF_UNIX, socket.SOCK_DGRAM);
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192);
    const fillers = await fill(a, Buffer.alloc(256, 'f'));
    const p1 = a.sendmmsg([Buffer.from('A1')]);
    const p2 = a.sendmmsg([Buffer.from('B1')]);
    const p3 = a.sendmmsg([Buffer.from('C1')]);
    for (let i = 0; i < fillers; i++) await b.recv(1000);
    expect(await within(Promise.all([p1, p2, p3]), 5000, 'three waiting sendmmsg')).toEqual([1, 1, 1]);
    expect([await b.recv(10), await b.recv(10), await b.recv(10)].map(String)).toEqual(['A1', 'B1', 'C1']);
  });
});

for (const form of FORMS) {
  describe(`recvmmsg_into (${form})`, () => {
    it('fills the buffer at bufsize strides and writes each length; returns the count', async () => {
      const r = udp();
      r.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20);
      const rs = toForm(form, r.s);
      const w = udp();
      for (let i = 0; i < 5; i++) w.s.sendto(payload(i), r.addr);
      await sleep(50);
      const buf = Buffer.alloc(8 * 64, 0xff);
      const sizes = new Int32Array(8).fill(-1);
      const k = await rs.recvmmsg_into(buf, 64, sizes);
      expect(k).toBe(5);
      for (let i = 0; i < 5; i++) {
        expect(sizes[i]).toBe(payload(i).length);
        expect(buf.subarray(i * 64, i * 64 + sizes[i])).toEqual(payload(i));
      }
      expect(Array.from(sizes.subarray(5))).toEqual([-1, -1, -1]); // untouched past the count
    });

    it('takes at most sizes.length datagrams; a long one is cut, and MSG_TRUNC reports its full length', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      const w = udp();
      for (const n of [10, 100, 20]) w.s.sendto(Buffer.alloc(n, 'a'), r.addr);
      await sleep(50);
      const sizes = new Uint32Array(1);
      const buf = Buffer.alloc(32);
      expect(await rs.recvmmsg_into(buf, 32, sizes)).toBe(1);
      expect(sizes[0]).toBe(10);
      expect(await rs.recvmmsg_into(buf, 32, sizes, socket.MSG_TRUNC)).toBe(1);
      expect(sizes[0]).toBe(100);
      expect(buf).toEqual(Buffer.alloc(32, 'a'));
      expect(await rs.recvmmsg_into(buf, 32, sizes)).toBe(1);
      expect(sizes[0]).toBe(20);
    });

    it('rejects bad arguments with TypeError/RangeError', async () => {
      const r = udp();
      const rs = toForm(form, r.s);
      const buf = Buffer.alloc(64);
      const bad: [unknown[], unknown][] = [
        [[buf, 8, [0, 0]], TypeError],
        [[buf, 8, new Float64Array(2)], TypeError],
        [['x', 8, new Int32Array(2)], TypeError],
        [[buf, 8, new Int32Array(0)], RangeError],
        [[buf, 8, new Int32Array(1025)], RangeError],
        [[buf, 40, new Int32Array(2)], RangeError],
        [[buf, -1, new Int32Array(2)], RangeError],
      ];
      for (const [args, cls] of bad) {
        const e = await errorOf(() => (rs.recvmmsg_into as (...a: unknown[]) => unknown)(...args));
        expect(e).toBeInstanceOf(cls);
      }
    });
  });
}

describe('recvmmsg_into in non-blocking mode', () => {
  it('raises BlockingIOError with nothing queued (sync) and rejects with it (async)', async () => {
    const r = udp();
    r.s.settimeout(0);
    expect(() => r.s.recvmmsg_into(Buffer.alloc(64), 64, new Int32Array(1))).toThrow(socket.BlockingIOError);
    const a = toForm('async', udp().s);
    a.settimeout(0);
    await expect(a.recvmmsg_into(Buffer.alloc(64), 64, new Int32Array(1))).rejects.toBeInstanceOf(
      socket.BlockingIOError,
    );
  });
});
