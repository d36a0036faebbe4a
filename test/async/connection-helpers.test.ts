// Async connect resolving host names, and the async create_connection / create_server helpers.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { aio, tcpListener } from '../helpers/aio';
import { rejection } from '../helpers/errors';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

describe('resolution and the connection helpers', () => {
  it("connect(['localhost', port]) resolves the name asynchronously", async () => {
    const [l, [, port]] = await tcpListener();
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
    const [l, [, port]] = await tcpListener();
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
    const [, port] = server.getsockname();
    const c = track(aio.socket(aio.AF_INET6));
    const [[conn, peer]] = await within(Promise.all([server.accept(), c.connect(['::1', port])]), 5000);
    track(conn);
    expect(peer).toEqual(c.getsockname());
    expect(conn.family).toBe(aio.AF_INET6);
  });
});
