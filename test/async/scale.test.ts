// Many sockets at once in one process: readiness waiting costs no thread per call
// (API.md: "thousands of sockets wait at no thread cost").
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { aio, type ASock, recvExactly } from '../helpers/aio';
import { fdCount, nofileLimit } from '../helpers/fds';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

const N = 1000;
const limit = nofileLimit();
// N client sockets + N accepted sockets + the listener + what the process already has.
const enoughFds = limit >= 2100;

describe('1,000 concurrent loopback connections', () => {
  it.skipIf(!enoughFds)(
    `echo over ${N} connections at once in one process` +
      (enoughFds ? '' : ` (skipped: RLIMIT_NOFILE is ${limit}, below 2100)`),
    async () => {
      const fdsBefore = fdCount();
      const server = track(await aio.create_server(['127.0.0.1', 0], { backlog: 1024 }));
      const addr = server.getsockname() as [string, number];
      const accepted: ASock[] = [];
      let echoed = 0;

      // The server: one accept loop, one echo task per connection.
      const echo = async (conn: ASock) => {
        for (let i = 0; i < 1000; i++) {
          const d = await conn.recv(4096);
          if (d.length === 0) break;
          await conn.sendall(d);
        }
        echoed++;
        conn.close();
      };
      const echoTasks: Promise<void>[] = [];
      const acceptLoop = (async () => {
        for (let i = 0; i < N; i++) {
          const [conn] = await server.accept();
          accepted.push(track(conn));
          echoTasks.push(echo(conn));
        }
      })();

      // The clients: all connect, then all talk, concurrently.
      const clients = Array.from({ length: N }, () => track(aio.socket(aio.AF_INET, aio.SOCK_STREAM)));
      const client = async (c: ASock, i: number) => {
        await c.connect(addr);
        const msg = Buffer.from(`hello from client ${i} `.repeat(4));
        await c.sendall(msg);
        const back = await recvExactly(c, msg.length, 15_000);
        expect(back.equals(msg)).toBe(true);
        c.shutdown(aio.SHUT_WR);
        expect((await c.recv(10)).length).toBe(0); // the server closed after our EOF
        c.close();
      };
      await within(Promise.all(clients.map(client)), 18_000, `${N} echo round trips`);
      await within(acceptLoop, 2000, 'the accept loop');
      await within(Promise.all(echoTasks), 5000, 'the echo tasks');
      expect(accepted.length).toBe(N);
      expect(echoed).toBe(N);
      server.close();
      // Everything closed again (the poll handles too: they hold no fd, but the sockets do).
      expect(fdCount()).toBeLessThanOrEqual(fdsBefore);
    },
    25_000,
  );

  it('2,000 sockets with a pending recv each, then all served by one burst of sends', async () => {
    const pairs = Array.from({ length: 1000 }, () => aio.socketpair().map(track) as [ASock, ASock]);
    const pending = pairs.map(([, b]) => b.recv(16));
    const back = pairs.map(([a]) => a.recv(16));
    await Promise.all(pairs.map(([a], i) => a.send(Buffer.from(`m${i}`))));
    const got = await within(Promise.all(pending), 10_000, '1000 recvs');
    got.forEach((g, i) => expect(g.toString()).toBe(`m${i}`));
    await Promise.all(pairs.map(([, b], i) => b.send(Buffer.from(`r${i}`))));
    const got2 = await within(Promise.all(back), 10_000, '1000 replies');
    got2.forEach((g, i) => expect(g.toString()).toBe(`r${i}`));
    for (const [a, b] of pairs) {
      a.close();
      b.close();
    }
    expect(pairs[0][0].fileno()).toBe(-1);
    await expect(pairs[0][0].recv(1)).rejects.toThrow(socket.OSError);
  });
});
