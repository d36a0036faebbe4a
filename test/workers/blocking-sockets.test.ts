// Blocking bsdsock sockets in worker_threads (API.md: blocking servers in workers): a
// worker may block in accept/recv while the main thread's blocking client talks to it.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { workerPeer } from '../helpers/peer';
import { within } from '../helpers/timing';
import { sock, useSockets } from '../helpers/tracker';

useSockets();

describe('blocking sockets in a worker_thread', () => {
  it('a blocking bsdsock server in a worker_thread serves a blocking bsdsock client on the test thread (API.md: blocking servers in workers)', async () => {
    const peer = workerPeer<string>(
      `const srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
       srv.bind(['127.0.0.1', 0]);
       srv.listen();
       ready(srv.getsockname()[1]);
       srv.settimeout(10);
       const [conn, addr] = srv.accept();
       conn.settimeout(10);
       let got = Buffer.alloc(0);
       while (got.length < 5) got = Buffer.concat([got, conn.recv(100)]);
       conn.sendall(Buffer.concat([Buffer.from('echo:'), got]));
       conn.close();
       srv.close();
       done(JSON.stringify(addr));`,
      {},
      { bsdsock: true },
    );
    try {
      const port = await within(peer.ready, 15_000, 'worker startup');
      const cli = sock(socket.AF_INET, socket.SOCK_STREAM);
      cli.connect(['127.0.0.1', port]);
      cli.sendall(Buffer.from('hello'));
      let got = Buffer.alloc(0);
      for (let i = 0; i < 100; i++) {
        const b = cli.recv(100);
        if (b.length === 0) break;
        got = Buffer.concat([got, b]);
      }
      expect(got.toString()).toBe('echo:hello');
      expect(await within(peer.result, 10_000, 'worker')).toBe(JSON.stringify(cli.getsockname()));
    } finally {
      await peer.stop();
    }
  });
});
