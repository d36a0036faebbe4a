// Message flags on the plain receive calls: MSG_PEEK, MSG_TRUNC (API.md's decision:
// recv(n, MSG_TRUNC) returns at most n bytes, recv_into returns the kernel's full length),
// MSG_DONTWAIT on a socket in blocking mode (BlockingIOError; run in a child process that
// is killed if the call blocks instead) and MSG_WAITALL on TCP.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { errorOf } from '../helpers/errors';
import { workerPeer } from '../helpers/peer';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';
import { FORMS, pair, runTsFixture, sock, tcpPair, toForm, udp } from './fixtures/forms';

useSockets({ watchdog: false });

const DATA = Buffer.from(Array.from({ length: 100 }, (_, i) => 33 + (i % 90)));

for (const form of FORMS) {
  describe(`MSG_PEEK (${form})`, () => {
    it('UDP: recv and recvfrom with MSG_PEEK leave the datagram queued', async () => {
      const r = udp();
      const w = udp();
      const rs = toForm(form, r.s);
      w.s.sendto(DATA, r.addr);
      expect(await rs.recv(10, socket.MSG_PEEK)).toEqual(DATA.subarray(0, 10));
      expect(await rs.recvfrom(1000, socket.MSG_PEEK)).toEqual([DATA, w.addr]);
      const buf = Buffer.alloc(1000);
      expect(await rs.recv_into(buf, 0, socket.MSG_PEEK)).toBe(DATA.length);
      expect(await rs.recv(1000)).toEqual(DATA);
      rs.settimeout(0);
      expect(await errorOf(() => rs.recv(1000))).toBeInstanceOf(socket.BlockingIOError);
    });

    it('TCP: a peek sees the bytes that the next recv returns', async () => {
      const { cli, conn } = tcpPair();
      const c = toForm(form, conn);
      cli.sendall(DATA);
      expect(await c.recv(5, socket.MSG_PEEK)).toEqual(DATA.subarray(0, 5));
      expect(await c.recv(5, socket.MSG_PEEK)).toEqual(DATA.subarray(0, 5));
      expect(await c.recv(5)).toEqual(DATA.subarray(0, 5));
      expect(await c.recv(1000, socket.MSG_PEEK)).toEqual(DATA.subarray(5));
      expect(await c.recv(1000)).toEqual(DATA.subarray(5));
    });
  });

  describe(`MSG_TRUNC on UDP (${form})`, () => {
    it('recv(n, MSG_TRUNC) returns at most n bytes, never memory beyond them', async () => {
      const r = udp();
      const w = udp();
      const rs = toForm(form, r.s);
      w.s.sendto(DATA, r.addr);
      const got = await rs.recv(10, socket.MSG_TRUNC);
      expect(got.length).toBe(10);
      expect(got).toEqual(DATA.subarray(0, 10));
    });

    it("recv_into(buf, n, MSG_TRUNC) returns the kernel's full length and writes n bytes", async () => {
      const r = udp();
      const w = udp();
      const rs = toForm(form, r.s);
      w.s.sendto(DATA, r.addr);
      const buf = Buffer.alloc(50, 0xee);
      expect(await rs.recv_into(buf, 10, socket.MSG_TRUNC)).toBe(DATA.length);
      expect(buf.subarray(0, 10)).toEqual(DATA.subarray(0, 10));
      expect(buf.subarray(10)).toEqual(Buffer.alloc(40, 0xee));
    });

    it('recvfrom(n, MSG_TRUNC) returns at most n bytes and the sender', async () => {
      const r = udp();
      const w = udp();
      const rs = toForm(form, r.s);
      w.s.sendto(DATA, r.addr);
      const [d, addr] = await rs.recvfrom(10, socket.MSG_TRUNC);
      expect(d).toEqual(DATA.subarray(0, 10));
      expect(addr).toEqual(w.addr);
    });

    it('recvmsg reports MSG_TRUNC in msg_flags for a cut datagram, with or without the MSG_TRUNC flag', async () => {
      const r = udp();
      const w = udp();
      const rs = toForm(form, r.s);
      w.s.sendto(DATA, r.addr);
      w.s.sendto(DATA, r.addr);
      const [d1, , f1] = await rs.recvmsg(10);
      expect(d1).toEqual(DATA.subarray(0, 10));
      expect(f1 & socket.MSG_TRUNC).toBe(socket.MSG_TRUNC);
      const [d2, , f2] = await rs.recvmsg(10, 0, socket.MSG_TRUNC);
      expect(d2).toEqual(DATA.subarray(0, 10));
      expect(f2 & socket.MSG_TRUNC).toBe(socket.MSG_TRUNC);
    });

    it("recvmsg_into with MSG_TRUNC returns the kernel's full length", async () => {
      const r = udp();
      const w = udp();
      const rs = toForm(form, r.s);
      w.s.sendto(DATA, r.addr);
      const a = Buffer.alloc(4);
      const b = Buffer.alloc(6);
      const [n, , flags] = await rs.recvmsg_into([a, b], 0, socket.MSG_TRUNC);
      expect(n).toBe(DATA.length);
      expect(flags & socket.MSG_TRUNC).toBe(socket.MSG_TRUNC);
      expect(Buffer.concat([a, b])).toEqual(DATA.subarray(0, 10));
    });
  });
}

describe('MSG_DONTWAIT on a socket in blocking mode (timeout null)', () => {
  // Each case runs in a child process: if the call waited, nothing in the process could
  // stop it, so the test kills the child after a few seconds and reports that.
  for (const [scenario, what] of [
    ['recv-udp', 'recv'],
    ['recvfrom-udp', 'recvfrom'],
    ['recvmsg-udp', 'recvmsg'],
    ['recv-tcp', 'recv on TCP'],
  ] as [string, string][]) {
    it(`${what}(n, MSG_DONTWAIT) with nothing queued is BlockingIOError (errno 11)`, async () => {
      const run = await runTsFixture('dontwait-child.ts', [scenario], 8_000);
      expect(
        run.killed,
        `the child blocked in ${what}(..., MSG_DONTWAIT) and was killed after 8 s; stderr: ${run.stderr}`,
      ).toBe(false);
      const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
      expect(out.result).toMatchObject({ ok: false, name: 'BlockingIOError', errno: 11 });
      if (scenario === 'recv-tcp') expect(out.after).toEqual({ ok: true, value: 'x' });
    }, 30_000);
  }

  it('a non-blocking socket with MSG_DONTWAIT and data queued returns it', async () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_STREAM) as [socket.Socket, socket.Socket];
    b.setblocking(false);
    expect(() => b.recv(10, socket.MSG_DONTWAIT)).toThrow(socket.BlockingIOError);
    a.sendall(Buffer.from('abc'));
    expect(b.recv(10, socket.MSG_DONTWAIT)).toEqual(Buffer.from('abc'));
  });
});

describe('MSG_WAITALL on TCP (blocking)', () => {
  /** A worker that connects to `port` and writes `pieces` 100 ms apart, then closes. */
  function slowWriter(port: number, pieces: string[]) {
    return workerPeer(
      `
const net = require('node:net');
const c = net.connect(workerData.port, '127.0.0.1', async () => {
  ready(true);
  for (const p of workerData.pieces) {
    await sleep(100);
    c.write(p);
  }
  await sleep(100);
  c.end(() => done(true));
});
c.on('error', (e) => { throw e; });
`,
      { port, pieces },
    );
  }

  function listener(): [socket.Socket, number] {
    const l = sock(socket.AF_INET, socket.SOCK_STREAM);
    l.bind(['127.0.0.1', 0]);
    l.listen();
    return [l, (l.getsockname() as [string, number])[1]];
  }

  it('one recv(n, MSG_WAITALL) gets all n bytes the peer sends in several pieces', async () => {
    const [l, port] = listener();
    const pieces = ['first-', 'second-', 'third-', 'fourth'];
    const total = pieces.join('');
    const peer = slowWriter(port, pieces);
    const [conn] = l.accept();
    track(conn);
    // Blocking mode: the worker finishes and closes within a second, so this cannot hang.
    conn.settimeout(null);
    const got = conn.recv(total.length, socket.MSG_WAITALL);
    expect(got.toString()).toBe(total);
    await within(peer.result, 10_000, 'the writer');
  });

  it('recv_into(buf, n, MSG_WAITALL) fills n bytes from several pieces', async () => {
    const [l, port] = listener();
    const pieces = ['aaaa', 'bbbb', 'cccc'];
    const peer = slowWriter(port, pieces);
    const [conn] = l.accept();
    track(conn);
    conn.settimeout(null);
    const buf = Buffer.alloc(12);
    expect(conn.recv_into(buf, 12, socket.MSG_WAITALL)).toBe(12);
    expect(buf.toString()).toBe('aaaabbbbcccc');
    await within(peer.result, 10_000, 'the writer');
  });

  it('the peer closing early ends MSG_WAITALL with what arrived', async () => {
    const [l, port] = listener();
    const peer = slowWriter(port, ['only', 'this']);
    const [conn] = l.accept();
    track(conn);
    conn.settimeout(null);
    const chunks: Buffer[] = [];
    // Bounded: the writer closes after ~300 ms, after which recv returns b''.
    for (let i = 0; i < 10; i++) {
      const d = conn.recv(1000, socket.MSG_WAITALL);
      if (d.length === 0) break;
      chunks.push(d);
    }
    expect(Buffer.concat(chunks).toString()).toBe('onlythis');
    expect(chunks).toHaveLength(1);
    await within(peer.result, 10_000, 'the writer');
  });
});
