// Interoperability with CPython's socket module, a peer nobody here wrote: python3
// subprocesses as servers and clients for blocking bsdsock calls (TCP, UDP, AF_UNIX,
// IPv6), so the blocking side really waits on another process.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import * as socket from '../../lib/index';
import { unixPath } from '../helpers/paths';
import { timed } from '../helpers/timing';
import { accept, listener, sock, track, udp, useSockets } from '../helpers/tracker';
import { pythonPeer } from '../helpers/children';

useSockets();

describe('python3 peers', () => {
  it('blocking client: sendall 4 MiB to a python server, read its digest until EOF (BasicTCPTest.testSendAll, cross-process)', async () => {
    const py = pythonPeer(
      `import hashlib, socket
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
h = hashlib.sha256()
n = 0
while True:
    b = conn.recv(65536)
    if not b:
        break
    n += len(b)
    h.update(b)
conn.sendall(('%d %s' % (n, h.hexdigest())).encode())
conn.close()`,
    );
    try {
      const port = Number(await py.line());
      const data = Buffer.alloc(4 * 1024 * 1024);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 0xff;
      const cli = track(socket.create_connection(['127.0.0.1', port]));
      cli.sendall(data);
      cli.shutdown(socket.SHUT_WR);
      const parts: Buffer[] = [];
      for (let i = 0; i < 1000; i++) {
        const b = cli.recv(4096);
        if (b.length === 0) break;
        parts.push(b);
      }
      expect(Buffer.concat(parts).toString()).toBe(
        `${data.length} ${createHash('sha256').update(data).digest('hex')}`,
      );
      expect((await py.exit).code).toBe(0);
    } finally {
      py.kill();
    }
  });

  it('blocking server: accept waits for a python client, then exchange (SocketConnectedTest, cross-process)', async () => {
    const { srv, port } = listener();
    const py = pythonPeer(
      `import socket, sys
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
c.sendall(b'hello from python')
print(c.recv(100).decode(), flush=True)
print(repr(c.getsockname()), flush=True)
c.close()`,
      [port],
    );
    try {
      const a = timed(() => accept(srv));
      expect(a.error).toBeUndefined();
      const [conn, addr] = a.value!;
      let got = Buffer.alloc(0);
      for (let i = 0; i < 100 && got.length < 17; i++) got = Buffer.concat([got, conn.recv(100)]);
      expect(got.toString()).toBe('hello from python');
      conn.sendall(Buffer.from('hello from bsdsock'));
      expect(await py.line()).toBe('hello from bsdsock');
      const pyName = await py.line();
      const [host, cport] = addr as [string, number];
      expect(pyName).toBe(`('${host}', ${cport})`);
      expect(conn.recv(10).length).toBe(0);
    } finally {
      py.kill();
    }
  });

  it('UDP: recvfrom blocks for a python datagram and sees its address; sendto answers (BasicUDPTest, cross-process)', async () => {
    const { s, addr } = udp();
    const py = pythonPeer(
      `import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
print(u.getsockname()[1], flush=True)
u.sendto(b'ping', ('127.0.0.1', int(sys.argv[1])))
data, a = u.recvfrom(100)
print(data.decode(), flush=True)`,
      [addr[1]],
    );
    try {
      const pyPort = Number(await py.line());
      s.settimeout(10);
      const [data, from] = s.recvfrom(100);
      expect(data.toString()).toBe('ping');
      expect(from).toEqual(['127.0.0.1', pyPort]);
      expect(s.sendto(Buffer.from('pong'), from as [string, number])).toBe(4);
      expect(await py.line()).toBe('pong');
    } finally {
      py.kill();
    }
  });

  it('AF_UNIX: a python client connects to our path (TestUnixDomain, cross-process)', async () => {
    const path = unixPath();
    const srv = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    srv.bind(path);
    srv.listen();
    const py = pythonPeer(
      `import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
c.sendall(b'unix hello')
c.shutdown(socket.SHUT_WR)
print(c.recv(100).decode(), flush=True)`,
      [path],
    );
    try {
      srv.settimeout(10);
      const [conn, addr] = accept(srv);
      expect(addr).toBe('');
      conn.settimeout(10);
      let got = Buffer.alloc(0);
      for (let i = 0; i < 100; i++) {
        const b = conn.recv(100);
        if (b.length === 0) break;
        got = Buffer.concat([got, b]);
      }
      expect(got.toString()).toBe('unix hello');
      conn.sendall(Buffer.from('unix reply'));
      expect(await py.line()).toBe('unix reply');
    } finally {
      py.kill();
    }
  });

  it('IPv6: a python server on ::1 (IPv6, cross-process)', async () => {
    const py = pythonPeer(
      `import socket
srv = socket.create_server(('::1', 0), family=socket.AF_INET6)
print(srv.getsockname()[1], flush=True)
conn, a = srv.accept()
conn.sendall(repr(a).encode())
conn.close()`,
    );
    try {
      const port = Number(await py.line());
      const cli = sock(socket.AF_INET6, socket.SOCK_STREAM);
      cli.connect(['::1', port]);
      const local = cli.getsockname() as [string, number, number, number];
      let got = Buffer.alloc(0);
      for (let i = 0; i < 100; i++) {
        const b = cli.recv(100);
        if (b.length === 0) break;
        got = Buffer.concat([got, b]);
      }
      expect(got.toString()).toBe(`('${local[0]}', ${local[1]}, ${local[2]}, ${local[3]})`);
    } finally {
      py.kill();
    }
  });
});
