// AsyncSockets talking to peers nobody here wrote: Node's own `net` (also taking over an
// AsyncSocket's fd with net.Socket({ fd })) and CPython's asyncio in a python3 process.
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { aio, pattern, recvAll, recvExactly, tcpListener, tcpPair } from '../helpers/aio';
import { pythonPeer } from '../helpers/children';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

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
    const [l, [host, port]] = await tcpListener();
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
    const [c, s] = await tcpPair();
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
    const py = pythonPeer(`
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
