// Async UDP on both loopbacks, the _into receive variants, and sendall of a large buffer
// (intact, or rejecting with bytes_sent when the peer goes away).
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { aio, pattern, recvExactly } from '../helpers/aio';
import { rejection } from '../helpers/errors';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

describe('datagrams and buffers', () => {
  for (const [family, host] of [
    [aio.AF_INET, '127.0.0.1'],
    [aio.AF_INET6, '::1'],
  ] as const) {
    it(`UDP sendto/recvfrom on ${host}, async, both directions`, async () => {
      const a = track(aio.socket(family, aio.SOCK_DGRAM));
      const b = track(aio.socket(family, aio.SOCK_DGRAM));
      await a.bind([host, 0]);
      await b.bind([host, 0]);
      const pending = b.recvfrom(100);
      expect(await a.sendto(Buffer.from('ping'), b.getsockname() as any)).toBe(4);
      const [data, from] = await within(pending, 5000);
      expect(data.toString()).toBe('ping');
      expect(from).toEqual(a.getsockname());
      if (family === aio.AF_INET6) expect((from as unknown[]).length).toBe(4);
      await b.sendto(Buffer.from('pong'), from as any);
      const [d2, f2] = await within(a.recvfrom(100), 5000);
      expect([d2.toString(), f2]).toEqual(['pong', b.getsockname()]);
      // Datagram boundaries are kept, order on loopback too.
      for (let i = 0; i < 20; i++) await a.sendto(Buffer.from(`d${i}`), b.getsockname() as any);
      for (let i = 0; i < 20; i++) expect((await within(b.recvfrom(100), 5000))[0].toString()).toBe(`d${i}`);
    });
  }

  it('recv_into and recvfrom_into, async, with nbytes and a pending wait', async () => {
    const [a, b] = aio.socketpair().map(track);
    const buf = Buffer.alloc(16, 0xee);
    const p = b.recv_into(buf, 4);
    await a.send(Buffer.from('abcdefgh'));
    expect(await within(p, 5000)).toBe(4);
    expect(buf.subarray(0, 5)).toEqual(Buffer.from([0x61, 0x62, 0x63, 0x64, 0xee]));
    const view = new Uint8Array(8);
    expect(await b.recv_into(view)).toBe(4);
    expect(Buffer.from(view.subarray(0, 4)).toString()).toBe('efgh');
    await expect(b.recv_into(Buffer.alloc(2), 3)).rejects.toThrow(RangeError);

    const u1 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    const u2 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await u1.bind(['127.0.0.1', 0]);
    await u2.bind(['127.0.0.1', 0]);
    const into = Buffer.alloc(10);
    const q = u2.recvfrom_into(into, 5);
    await u1.sendto(Buffer.from('0123456789'), u2.getsockname() as any);
    const [n, from] = await within(q, 5000);
    expect(n).toBe(5);
    expect(into.subarray(0, 5).toString()).toBe('01234');
    expect(from).toEqual(u1.getsockname());
  });

  it('recv_into and sendall count a view in bytes, whatever its element size, on both APIs', async () => {
    const [a, b] = aio.socketpair().map(track);
    const [c, d] = socket.socketpair().map(track);
    const payload = pattern(24);
    const copy = (from: number, to: number) =>
      payload.buffer.slice(payload.byteOffset + from, payload.byteOffset + to);
    // sendall of an Int16Array (12 bytes in 6 elements) and a Float64Array (8 bytes in 1) sends every byte.
    await a.sendall(new Int16Array(copy(0, 12)));
    await a.sendall(new Float64Array(copy(12, 20)));
    c.sendall(new Int16Array(copy(0, 12)));
    c.sendall(new Float64Array(copy(12, 20)));
    // recv_into an Int32Array (8 bytes in 2 elements), a DataView, then a Float64Array: whole views.
    for (const [recvInto, name] of [
      [(v: ArrayBufferView) => within(b.recv_into(v), 5000), 'async'],
      [(v: ArrayBufferView) => Promise.resolve(d.recv_into(v)), 'blocking'],
    ] as const) {
      const i32 = new Int32Array(2);
      expect([name, await recvInto(i32)]).toEqual([name, 8]);
      expect(Buffer.from(i32.buffer)).toEqual(payload.subarray(0, 8));
      const dv = new DataView(new ArrayBuffer(8), 4, 4);
      expect(await recvInto(dv)).toBe(4);
      expect(Buffer.from(dv.buffer, 4)).toEqual(payload.subarray(8, 12));
      const f64 = new Float64Array(1);
      expect(await recvInto(f64)).toBe(8);
      expect(Buffer.from(f64.buffer)).toEqual(payload.subarray(12, 20));
    }
    // nbytes is checked against the size in bytes, not the element count.
    await expect(b.recv_into(new Int16Array(2), 5)).rejects.toThrow(RangeError);
    expect(() => d.recv_into(new Int16Array(2), 5)).toThrow(RangeError);
    await a.sendall(Buffer.from('xyzw'));
    expect(await within(b.recv_into(new Int16Array(2), 4), 5000)).toBe(4);

    // A Uint8Array whose `length` claims more than its memory: native checks the real size.
    class Liar extends Uint8Array {
      override get length(): number {
        return 1 << 20;
      }
    }
    await a.sendall(Buffer.from('12345678'));
    c.sendall(Buffer.from('12345678'));
    await expect(b.recv_into(new Liar(4))).rejects.toThrow(RangeError);
    expect(() => d.recv_into(new Liar(4))).toThrow(RangeError);
    expect(await within(b.recv_into(Buffer.alloc(8)), 5000)).toBe(8);
    expect(d.recv_into(Buffer.alloc(8))).toBe(8);
  });

  it('sendall of 16 MiB over a socketpair with a concurrent reader arrives intact', async () => {
    const [a, b] = aio.socketpair().map(track);
    const big = pattern(16 << 20, 11);
    const reader = recvExactly(b, big.length, 30_000);
    await within(a.sendall(big), 30_000, 'sendall 16 MiB');
    const got = await reader;
    expect(got.length).toBe(big.length);
    expect(got.equals(big)).toBe(true);
  }, 40_000);

  it('sendall to a peer that goes away rejects with BrokenPipeError / ConnectionResetError and bytes_sent', async () => {
    const [a, b] = aio.socketpair().map(track);
    const p = a.sendall(Buffer.alloc(8 << 20));
    await within(b.recv(1000), 5000);
    b.close();
    const e = await rejection(p, 10_000);
    expect(e).toBeInstanceOf(socket.ConnectionError);
    expect(typeof e.bytes_sent).toBe('number');
    expect(e.bytes_sent).toBeGreaterThan(0);
    expect(e.bytes_sent).toBeLessThan(8 << 20);
  });
});
