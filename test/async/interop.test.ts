// AsyncSockets talking to peers nobody here wrote: Node's own `net`, CPython's asyncio,
// and an fd handed over to net.Socket. Plus UDP on both loopbacks, the _into variants,
// a large sendall, hostname resolution in connect and the async create_connection.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as socket from '../../lib/index';
import {
  aio,
  pattern,
  recvAll,
  recvExactly,
  rejection,
  runPython,
  tcpListener,
  tcpPair,
  useAsync,
  within,
} from './fixtures/util';

const track = useAsync();

function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

describe("Node's net", () => {
  it('a net.Server (echo) talking to an AsyncSocket client', async () => {
    const server = net.createServer((c) => c.pipe(c));
    track(() => server.close());
    const port = await listen(server);
    const c = track(aio.socket());
    await within(c.connect(['127.0.0.1', port]), 5000);
    const msg = pattern(1 << 20, 3);
    const [, back] = await Promise.all([c.sendall(msg), recvExactly(c, msg.length, 15_000)]);
    expect(back.equals(msg)).toBe(true);
    c.shutdown(aio.SHUT_WR);
    expect((await within(c.recv(10), 5000)).length).toBe(0);
  });

  it('a net.Socket client talking to an AsyncSocket server', async () => {
    const [l, [host, port]] = await tcpListener(track);
    const client = net.connect(port, host);
    track(client);
    const [conn, peer] = await within(l.accept(), 5000);
    track(conn);
    expect((peer as [string, number])[0]).toBe('127.0.0.1');
    const received: Buffer[] = [];
    client.on('data', (d) => received.push(d));
    const ended = new Promise<void>((r) => client.once('end', () => r()));
    client.write('hello from net');
    expect((await within(conn.recv(100), 5000)).toString()).toBe('hello from net');
    const big = pattern(2 << 20, 9);
    await within(conn.sendall(big), 15_000);
    conn.shutdown(aio.SHUT_WR);
    await within(ended, 15_000, "net.Socket 'end'");
    expect(Buffer.concat(received).equals(big)).toBe(true);
    client.end();
    expect((await within(conn.recv(10), 5000)).length).toBe(0);
  });

  it('a connected stream socket handed over with new net.Socket({ fd: sock.detach() }) works', async () => {
    const [c, s] = await tcpPair(track);
    const fd = c.detach();
    expect(c.fileno()).toBe(-1);
    const ns = new net.Socket({ fd, readable: true, writable: true });
    track(ns);
    const got: Buffer[] = [];
    ns.on('data', (d) => got.push(d));
    const ended = new Promise<void>((r) => ns.once('end', () => r()));
    const closed = new Promise((r) => ns.once('close', r));
    ns.write('via net');
    expect((await within(s.recv(100), 5000)).toString()).toBe('via net');
    await s.sendall(Buffer.from('back to net'));
    s.shutdown(aio.SHUT_WR);
    await within(ended, 5000, "net.Socket 'end'");
    expect(Buffer.concat(got).toString()).toBe('back to net');
    ns.end();
    expect((await within(s.recv(10), 5000)).length).toBe(0);
    ns.destroy();
    await within(closed, 5000, "net.Socket 'close'");
  });

  it('an AF_UNIX socketpair end handed to net.Socket({ fd }) works too', async () => {
    const [a, b] = aio.socketpair().map(track);
    const ns = new net.Socket({ fd: a.detach(), readable: true, writable: true });
    track(ns);
    const got = new Promise<Buffer>((r) => ns.once('data', r));
    await b.send(Buffer.from('unix'));
    expect((await within(got, 5000)).toString()).toBe('unix');
    ns.write('back');
    expect((await within(b.recv(10), 5000)).toString()).toBe('back');
  });
});

describe("CPython's asyncio", () => {
  it('an asyncio echo server (python3) talking to an AsyncSocket client', async () => {
    const py = runPython(`
import asyncio
async def handle(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()
async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await asyncio.wait_for(server.serve_forever(), 30)
try:
    asyncio.run(main())
except asyncio.TimeoutError:
    pass
`);
    track(() => py.kill());
    const port = Number(await py.line(15_000));
    expect(port).toBeGreaterThan(0);
    const c = track(aio.socket());
    await within(c.connect(['127.0.0.1', port]), 5000);
    const msg = pattern(3 << 20, 5);
    const [, back] = await Promise.all([c.sendall(msg), recvExactly(c, msg.length, 20_000)]);
    expect(back.equals(msg)).toBe(true);
    c.shutdown(aio.SHUT_WR);
    expect((await recvAll(c, 5000)).length).toBe(0);
  }, 30_000);
});

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

describe('resolution and the connection helpers', () => {
  it("connect(['localhost', port]) resolves the name asynchronously", async () => {
    const [l, [, port]] = await tcpListener(track);
    const c = track(aio.socket());
    const p = c.connect(['localhost', port]);
    expect(p).toBeInstanceOf(Promise);
    await within(p, 10_000);
    expect(c.getpeername()).toEqual(['127.0.0.1', port]);
    const [conn] = await l.accept();
    track(conn);
    await c.send(Buffer.from('hi'));
    expect((await conn.recv(2)).toString()).toBe('hi');
  });

  it('create_connection resolves, connects and keeps its timeout; create_server listens', async () => {
    const server = track(await aio.create_server(['127.0.0.1', 0]));
    expect(server).toBeInstanceOf(aio.AsyncSocket);
    const [, port] = server.getsockname() as [string, number];
    const c = track(await within(aio.create_connection(['localhost', port], 5), 10_000));
    expect(c).toBeInstanceOf(aio.AsyncSocket);
    expect(c.gettimeout()).toBe(5);
    const [conn] = await within(server.accept(), 5000);
    track(conn);
    await conn.sendall(Buffer.from('welcome'));
    expect((await c.recv(100)).toString()).toBe('welcome');
  });

  it('create_connection to a closed port rejects with ConnectionRefusedError (AggregateError with all_errors)', async () => {
    const [l, [, port]] = await tcpListener(track);
    l.close();
    const e = await rejection(aio.create_connection(['127.0.0.1', port]), 10_000);
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    const agg = await rejection(
      aio.create_connection(['127.0.0.1', port], undefined, undefined, { all_errors: true }),
      10_000,
    );
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0]).toBeInstanceOf(socket.ConnectionRefusedError);
  });

  it('create_server on ::1 and an AF_INET6 client', async () => {
    const server = track(await aio.create_server(['::1', 0], { family: aio.AF_INET6 }));
    const [, port] = server.getsockname() as [string, number];
    const c = track(aio.socket(aio.AF_INET6));
    const [[conn, peer]] = await within(Promise.all([server.accept(), c.connect(['::1', port])]), 5000);
    track(conn);
    expect(peer).toEqual(c.getsockname());
    expect(conn.family).toBe(aio.AF_INET6);
  });
});
