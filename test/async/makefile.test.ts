// makefile() on both socket kinds returns a Node stream.Duplex driven by the async path
// (API.md: "makefile() returns a Node stream.Duplex over the socket"): pipeline works,
// backpressure is respected, end of stream and errors propagate.
import { describe, expect, it } from 'vitest';
import { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import * as socket from '../../lib/index';
import { aio, type ASock, pattern, tcpPair } from '../helpers/aio';
import { sleep, within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

function pair(): [ASock, ASock] {
  const [a, b] = aio.socketpair();
  return [track(a), track(b)];
}

/** Collects a readable stream with a slow consumer; resolves with what came, in order. */
async function slowCollect(r: Readable, onChunk: (n: number) => void, everyMs = 1): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of r) {
    parts.push(chunk as Buffer);
    onChunk((chunk as Buffer).length);
    await sleep(everyMs);
  }
  return Buffer.concat(parts);
}

describe('makefile() → stream.Duplex', () => {
  it('AsyncSocket.makefile returns a Duplex with the mode asked for', () => {
    const [a] = pair();
    const rw = track(a.makefile('rwb'));
    expect(rw).toBeInstanceOf(Duplex);
    expect(rw.readable).toBe(true);
    expect(rw.writable).toBe(true);
    const r = track(a.makefile('rb'));
    expect(r.readable).toBe(true);
    expect(r.writable).toBe(false);
    const w = track(a.makefile('wb'));
    expect(w.readable).toBe(false);
    expect(w.writable).toBe(true);
    expect(() => a.makefile('x')).toThrow(RangeError);
  });

  it('backpressure: several MB written through a socketpair makefile to a slow reader arrive in order, memory bounded', async () => {
    const [a, b] = pair();
    const out = track(a.makefile('wb'));
    const inp = track(b.makefile('rb'));
    const total = 6 << 20;
    const data = pattern(total, 21);
    const chunk = 64 * 1024;
    let produced = 0;
    let consumed = 0;
    let maxGap = 0;
    let maxWritableLength = 0;
    const reader = slowCollect(inp, (n) => (consumed += n), 1);
    const writer = (async () => {
      for (let off = 0; off < total; off += chunk) {
        const ok = out.write(data.subarray(off, off + chunk));
        produced += Math.min(chunk, total - off);
        maxGap = Math.max(maxGap, produced - consumed);
        maxWritableLength = Math.max(maxWritableLength, out.writableLength);
        if (!ok) await within(once(out, 'drain'), 10_000, "'drain'");
      }
      out.end();
      await within(once(out, 'finish'), 10_000, "'finish'");
    })();
    const [got] = await within(Promise.all([reader, writer]), 30_000, 'the transfer');
    expect(got.length).toBe(total);
    expect(got.equals(data)).toBe(true);
    // The writer waited for 'drain': what is in flight stays around the kernel buffers
    // plus the streams' high-water marks, never the whole payload.
    expect(maxWritableLength).toBeLessThanOrEqual(out.writableHighWaterMark + chunk);
    expect(maxGap).toBeLessThan(2 << 20);
  }, 40_000);

  it('stream.pipeline through makefile streams on both ends (echo through a socketpair)', async () => {
    const [a, b] = pair();
    const client = track(a.makefile('rwb'));
    const server = track(b.makefile('rwb'));
    const total = 3 << 20;
    const data = pattern(total, 4);
    // server: echo everything back (server → server), ending its writable side at EOF.
    const echo = pipeline(server, server);
    const src = Readable.from(
      (function* () {
        for (let off = 0; off < total; off += 100_000) yield data.subarray(off, off + 100_000);
      })(),
    );
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(c, _e, cb) {
        parts.push(c);
        setImmediate(cb); // a slow-ish sink
      },
    });
    await within(Promise.all([pipeline(src, client), pipeline(client, sink), echo]), 30_000, 'the pipelines');
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  }, 40_000);

  it('the blocking Socket.makefile returns a Duplex on the async path and leaves the socket blocking', async () => {
    const [s1, s2] = socket.socketpair();
    track(s1);
    track(s2);
    expect(s1.gettimeout()).toBe(null);
    const f1 = track(s1.makefile('rwb'));
    const f2 = track(s2.makefile('rwb'));
    expect(f1).toBeInstanceOf(Duplex);
    expect(s1.gettimeout()).toBe(null);
    expect(s1.getblocking()).toBe(true);
    const data = pattern(2 << 20, 7);
    const parts: Buffer[] = [];
    f2.on('data', (c: Buffer) => parts.push(c));
    const ended = once(f2, 'end');
    await within(pipeline(Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]), f1), 15_000);
    await within(ended, 15_000, "'end' after the writer's end()");
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    // Still a blocking socket, usable directly.
    s2.sendall(Buffer.from('direct'));
    expect(s1.recv(6)).toEqual(Buffer.from('direct'));
  });

  it("end of stream propagates: the peer's close gives 'end'", async () => {
    const [a, b] = pair();
    const r = track(a.makefile('rb'));
    const parts: Buffer[] = [];
    r.on('data', (c: Buffer) => parts.push(c));
    const ended = once(r, 'end');
    await b.sendall(Buffer.from('last words'));
    b.close();
    await within(ended, 5000, "'end'");
    expect(Buffer.concat(parts).toString()).toBe('last words');
  });

  it('ending the writable side shuts down writing: the peer sees EOF, reading still works', async () => {
    const [a, b] = pair();
    const f = track(a.makefile('rwb'));
    f.end(Buffer.from('bye'));
    await within(once(f, 'finish'), 5000, "'finish'");
    expect((await within(b.recv(10), 5000)).toString()).toBe('bye');
    expect((await within(b.recv(10), 5000)).length).toBe(0);
    const got = once(f, 'data');
    await b.send(Buffer.from('still open'));
    expect(((await within(got, 5000))[0] as Buffer).toString()).toBe('still open');
  });

  it("errors propagate: a peer reset gives 'error' with ConnectionResetError", async () => {
    const [c, s] = await tcpPair();
    const r = track(s.makefile('rb'));
    r.resume();
    const err = once(r, 'error').then(([e]) => e);
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    linger.writeInt32LE(0, 4);
    c.setsockopt(aio.SOL_SOCKET, aio.SO_LINGER, linger);
    c.close();
    const e: any = await within(err, 5000, "'error'");
    expect(e).toBeInstanceOf(socket.ConnectionResetError);
    expect(e.errno).toBe(104);
  });

  it("a write to a closed peer gives 'error' (BrokenPipeError or ConnectionResetError)", async () => {
    const [a, b] = pair();
    const w = track(a.makefile('wb'));
    b.close();
    const err = once(w, 'error').then(([e]) => e);
    w.write(Buffer.alloc(1024));
    const e: any = await within(err, 5000, "'error'");
    expect(e).toBeInstanceOf(socket.ConnectionError);
  });

  it('text mode decodes utf8, also a character split across two reads', async () => {
    const [a, b] = pair();
    const r = track(a.makefile('r'));
    const euro = Buffer.from('€', 'utf8');
    const chunks: unknown[] = [];
    r.on('data', (c) => chunks.push(c));
    const ended = once(r, 'end');
    await b.send(Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)]));
    await sleep(30);
    await b.send(Buffer.concat([euro.subarray(1), Buffer.from('5')]));
    b.shutdown(aio.SHUT_WR);
    await within(ended, 5000, "'end'");
    expect(chunks.every((c) => typeof c === 'string')).toBe(true);
    expect(chunks.join('')).toBe('price: €5');
  });

  it('destroying the stream aborts its pending read without losing data and leaves the socket open', async () => {
    const [a, b] = pair();
    const r = a.makefile('rb');
    r.resume();
    await sleep(20); // a read is pending now
    r.destroy();
    await within(once(r, 'close'), 5000, "'close'");
    expect(a.fileno()).toBeGreaterThanOrEqual(0);
    await b.send(Buffer.from('for the socket'));
    expect((await within(a.recv(100), 5000)).toString()).toBe('for the socket');
  });
});
