// TCP over IPv4 loopback: ports of CPython's BasicTCPTest, BasicTCPTest2 (create_connection
// client), TCPCloserTest, BufferIOTest and ContextManagersTest, plus the rest of the
// connected-socket surface (getpeername, shutdown, MSG_PEEK, resets, EPIPE).
//
// CPython runs a client thread; here the kernel does the peer's part: connect() completes
// through the listen backlog and accept() finds it pending, and data sent on one end is
// queued for the other before the blocking recv() runs. Where the test needs the peer to
// act *while* a call blocks, the peer is a worker_thread using Node's `net`.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { timed, within } from '../helpers/timing';
import { accept, hangGuard, listener, sock, tcpPair, track, useSockets } from '../helpers/tracker';
import { workerPeer } from '../helpers/peer';

useSockets();

const MSG = Buffer.from('bsdsock test message \u2603 over the wire\r\n', 'utf8');

/** Reads until EOF (bounded). */
function readAll(s: socket.Socket, limit = 64 * 1024 * 1024): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const b = s.recv(65536);
    if (b.length === 0) break;
    parts.push(b);
    total += b.length;
    if (total > limit) throw new Error('readAll: too much data');
  }
  return Buffer.concat(parts);
}

describe('BasicTCPTest', () => {
  it('recv gets what the peer sent (testRecv)', () => {
    const { cli, conn } = tcpPair();
    expect(cli.send(MSG)).toBe(MSG.length);
    const msg = conn.recv(1024);
    expect(Buffer.isBuffer(msg)).toBe(true);
    expect(msg).toEqual(MSG);
  });

  it('recv in two chunks (testOverFlowRecv)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const seg1 = conn.recv(MSG.length - 3);
    expect(seg1.length).toBe(MSG.length - 3);
    const seg2 = conn.recv(1024);
    expect(Buffer.concat([seg1, seg2])).toEqual(MSG);
  });

  it('recvfrom on a connected TCP socket returns the data and a null address (testRecvFrom)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const [msg, addr] = conn.recvfrom(1024);
    expect(msg).toEqual(MSG);
    expect(addr).toBeNull();
  });

  it('recvfrom in two chunks (testOverFlowRecvFrom)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const [seg1] = conn.recvfrom(MSG.length - 3);
    const [seg2] = conn.recvfrom(1024);
    expect(Buffer.concat([seg1, seg2])).toEqual(MSG);
  });

  it('sendall of 2048 bytes arrives whole, then EOF (testSendAll)', () => {
    const { cli, conn } = tcpPair();
    expect(cli.sendall(Buffer.alloc(2048, 'f'))).toBeUndefined();
    cli.close();
    expect(readAll(conn)).toEqual(Buffer.alloc(2048, 'f'));
  });

  it('fromfd gives a working socket on a duplicate of the fd (testFromFd)', () => {
    const { cli, conn } = tcpPair();
    const s = track(socket.fromfd(conn.fileno(), socket.AF_INET, socket.SOCK_STREAM));
    expect(s).toBeInstanceOf(socket.socket);
    expect(s.fileno()).not.toBe(conn.fileno());
    expect(s.family).toBe(socket.AF_INET);
    expect(s.type).toBe(socket.SOCK_STREAM);
    cli.send(MSG);
    expect(s.recv(1024)).toEqual(MSG);
    // The original stays usable and owned by its object.
    s.close();
    cli.send(Buffer.from('again'));
    expect(conn.recv(1024).toString()).toBe('again');
  });

  it('dup gives a working socket with the same timeout (testDup)', () => {
    const { cli, conn } = tcpPair();
    conn.settimeout(7.5);
    const s = track(conn.dup());
    expect(s).toBeInstanceOf(socket.socket);
    expect(s.fileno()).not.toBe(conn.fileno());
    expect(s.gettimeout()).toBe(7.5);
    expect([s.family, s.type, s.proto]).toEqual([conn.family, conn.type, conn.proto]);
    cli.send(MSG);
    expect(s.recv(1024)).toEqual(MSG);
  });

  it('shutdown(SHUT_RDWR) after send: the peer gets the data, then EOF (testShutdown)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    expect(cli.shutdown(socket.SHUT_RDWR)).toBeUndefined();
    expect(conn.recv(1024)).toEqual(MSG);
    expect(conn.recv(1024).length).toBe(0);
  });

  it('shutdown with a value beyond a C int is a RangeError (testShutdown_overflow)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    expect(() => cli.shutdown(2 ** 31)).toThrow(RangeError);
    expect(() => cli.shutdown(2 + 2 ** 32)).toThrow(RangeError);
    cli.shutdown(2);
    expect(conn.recv(1024)).toEqual(MSG);
  });

  it('detach returns the fd, leaves the object closed and the fd open (testDetach)', () => {
    const { cli, conn } = tcpPair();
    const fileno = conn.fileno();
    const f = conn.detach();
    expect(f).toBe(fileno);
    expect(conn.fileno()).toBe(-1);
    const e = catchError(() => conn.recv(1024));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
    conn.close();
    const s = track(socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, f));
    cli.send(MSG);
    expect(s.recv(1024)).toEqual(MSG);
  });
});

describe('BasicTCPTest2 (create_connection client)', () => {
  it('a create_connection() client talks to the server both ways (BasicTCPTest2.testRecv)', () => {
    const { srv, port } = listener();
    const cli = track(socket.create_connection(['127.0.0.1', port]));
    const [conn] = accept(srv);
    cli.send(MSG);
    expect(conn.recv(1024)).toEqual(MSG);
    conn.sendall(MSG);
    expect(cli.recv(1024)).toEqual(MSG);
    expect(cli.family).toBe(socket.AF_INET);
    expect(cli.proto).toBe(socket.IPPROTO_TCP);
  });
});

describe('TCPCloserTest', () => {
  it('after the server closes, the client reads EOF; close() repeats safely (testClose)', () => {
    const { cli, conn } = tcpPair();
    cli.send(Buffer.from('x'));
    expect(conn.recv(1).toString()).toBe('x');
    conn.close();
    conn.close();
    conn.close();
    cli.settimeout(5);
    expect(cli.recv(1).length).toBe(0);
  });
});

describe('BufferIOTest', () => {
  it('recv_into a Uint8Array of exactly the message size (testRecvIntoArray)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const buf = new Uint8Array(MSG.length);
    expect(conn.recv_into(buf)).toBe(MSG.length);
    expect(Buffer.from(buf)).toEqual(MSG);
  });

  it('recv_into a larger Buffer (testRecvIntoBytearray)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const buf = Buffer.alloc(1024);
    const n = conn.recv_into(buf);
    expect(n).toBe(MSG.length);
    expect(buf.subarray(0, n)).toEqual(MSG);
  });

  it('recv_into a DataView over part of a buffer (testRecvIntoMemoryview)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const backing = Buffer.alloc(1024, 0xee);
    const view = new DataView(backing.buffer, backing.byteOffset + 10, 500);
    const n = conn.recv_into(view);
    expect(n).toBe(MSG.length);
    expect(backing.subarray(10, 10 + n)).toEqual(MSG);
    expect(backing[9]).toBe(0xee);
    expect(backing[10 + n]).toBe(0xee);
  });

  it('recv_into with nbytes reads at most nbytes (recv_into nbytes)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const buf = Buffer.alloc(100, 0);
    expect(conn.recv_into(buf, 5)).toBe(5);
    expect(buf.subarray(0, 5)).toEqual(MSG.subarray(0, 5));
    expect(buf[5]).toBe(0);
    // nbytes 0 means the whole buffer.
    expect(conn.recv_into(buf, 0)).toBe(MSG.length - 5);
    expect(() => conn.recv_into(Buffer.alloc(8), 1024)).toThrow(RangeError);
    expect(() => conn.recv_into(Buffer.alloc(8), 1024)).toThrow('buffer too small for requested bytes');
  });

  it('recvfrom_into a Uint8Array (testRecvFromIntoArray)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const buf = new Uint8Array(MSG.length);
    const [nbytes, addr] = conn.recvfrom_into(buf);
    expect(nbytes).toBe(MSG.length);
    expect(addr).toBeNull();
    expect(Buffer.from(buf)).toEqual(MSG);
  });

  it('recvfrom_into a larger Buffer (testRecvFromIntoBytearray)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const buf = Buffer.alloc(1024);
    const [nbytes] = conn.recvfrom_into(buf);
    expect(nbytes).toBe(MSG.length);
    expect(buf.subarray(0, nbytes)).toEqual(MSG);
  });

  it('recvfrom_into a DataView (testRecvFromIntoMemoryview)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const backing = Buffer.alloc(1024);
    const [nbytes] = conn.recvfrom_into(new DataView(backing.buffer, backing.byteOffset, 1024));
    expect(nbytes).toBe(MSG.length);
    expect(backing.subarray(0, nbytes)).toEqual(MSG);
  });

  it('recvfrom_into with nbytes beyond the buffer is a RangeError (testRecvFromIntoSmallBuffer)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const e = catchError(() => conn.recvfrom_into(Buffer.alloc(8), 1024));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('nbytes is greater than the length of the buffer');
    // Nothing was consumed.
    expect(conn.recv(1024)).toEqual(MSG);
  });

  it('recvfrom_into an empty buffer returns 0 (testRecvFromIntoEmptyBuffer)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    const buf = Buffer.alloc(0);
    expect(conn.recvfrom_into(buf)[0]).toBe(0);
    expect(conn.recvfrom_into(buf, 0)[0]).toBe(0);
    expect(conn.recv(1024)).toEqual(MSG);
  });

  it('recv_into rejects a string and a read-only source (recv_into, bytes-like only)', () => {
    const { conn } = tcpPair();
    const e = catchError(() => conn.recv_into('abc' as any));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^recv_into\(\) argument 1 must be read-write bytes-like object, not /);
  });
});

describe('connected-socket surface', () => {
  it('accept returns [conn, address]; peer and local names mirror each other (accept, getpeername, getsockname)', () => {
    const { srv, port } = listener();
    const cli = sock();
    expect(cli.connect(['127.0.0.1', port])).toBeUndefined();
    const [conn, addr] = accept(srv);
    expect(conn).toBeInstanceOf(socket.socket);
    expect(addr).toEqual(cli.getsockname());
    expect(cli.getpeername()).toEqual(['127.0.0.1', port]);
    expect(conn.getsockname()).toEqual(['127.0.0.1', port]);
    expect(conn.getpeername()).toEqual(cli.getsockname());
    expect([conn.family, conn.type, conn.proto]).toEqual([srv.family, srv.type, srv.proto]);
    expect(conn.get_inheritable()).toBe(false);
  });

  it('accept gives each AF_INET peer its own [host, port], peers alternating between hosts (accept, address)', () => {
    // Native hands lib the AF_INET address bytes and lib keeps the last host string:
    // peers from different hosts in turn must each get their own.
    const { srv, port } = listener('0.0.0.0');
    for (const host of ['127.0.0.1', '127.0.0.2', '127.0.0.2', '127.1.2.3', '127.0.0.1']) {
      const cli = sock();
      cli.bind([host, 0]);
      cli.connect(['127.0.0.1', port]);
      const [conn, addr] = accept(srv);
      expect(Array.isArray(addr)).toBe(true);
      expect(addr).toEqual([host, (cli.getsockname() as [string, number])[1]]);
      expect(conn.getpeername()).toEqual(addr);
    }
  });

  it('connect reaches each numeric AF_INET host asked for, hosts alternating (connect, connect_ex, address)', () => {
    // lib hands native the last numeric host as a packed number: a change of host, or of
    // port, must reach the new one.
    const hosts = ['127.0.0.1', '127.0.0.2', '127.254.253.252'];
    const ls = hosts.map((h) => listener(h));
    for (const i of [0, 1, 1, 2, 0, 2]) {
      const { srv, port } = ls[i];
      const cli = sock();
      if (i === 2) expect(cli.connect_ex([hosts[i], port])).toBe(0);
      else cli.connect([hosts[i], port]);
      expect(cli.getpeername()).toEqual([hosts[i], port]);
      const [conn, addr] = accept(srv);
      expect(addr).toEqual(cli.getsockname());
      conn.close();
    }
  });

  it('connect to a hostname resolves it (connect, AF_INET hostname)', () => {
    const { srv, port } = listener();
    const cli = sock();
    cli.connect(['localhost', port]);
    accept(srv);
    expect(cli.getpeername()).toEqual(['127.0.0.1', port]);
  });

  it("connect to '' reaches the local host (connect, '' host)", () => {
    const { srv, port } = listener('0.0.0.0');
    const cli = sock();
    cli.connect(['', port]);
    const [conn] = accept(srv);
    cli.send(MSG);
    expect(conn.recv(1024)).toEqual(MSG);
  });

  it('getpeername of an unconnected socket is OSError ENOTCONN (getpeername)', () => {
    const e = catchError(() => sock().getpeername());
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(107);
  });

  it('connect on a connected socket is OSError EISCONN (connect, already connected)', () => {
    const { cli, port } = tcpPair();
    const e = catchError(() => cli.connect(['127.0.0.1', port]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(106);
    expect(cli.connect_ex(['127.0.0.1', port])).toBe(106);
  });

  it('connect_ex returns 0 on success (connect_ex)', () => {
    const { srv, port } = listener();
    const cli = sock();
    expect(cli.connect_ex(['127.0.0.1', port])).toBe(0);
    accept(srv);
    expect(cli.getpeername()).toEqual(['127.0.0.1', port]);
  });

  it('accept on a socket that is not listening is OSError EINVAL (accept)', () => {
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    const e = catchError(() => s.accept());
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(22);
  });

  it('bind twice is OSError EINVAL; bind to a used port is EADDRINUSE (bind)', () => {
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    let e = catchError(() => s.bind(['127.0.0.1', 0]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(22);
    const { port } = listener();
    e = catchError(() => sock().bind(['127.0.0.1', port]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(98);
    expect(e.code).toBe('EADDRINUSE');
  });

  it('MSG_PEEK leaves the data queued (recv flags)', () => {
    const { cli, conn } = tcpPair();
    cli.send(MSG);
    expect(conn.recv(1024, socket.MSG_PEEK)).toEqual(MSG);
    expect(conn.recvfrom(1024, socket.MSG_PEEK)[0]).toEqual(MSG);
    const buf = Buffer.alloc(1024);
    expect(conn.recv_into(buf, 0, socket.MSG_PEEK)).toBe(MSG.length);
    expect(conn.recvfrom_into(buf, 0, socket.MSG_PEEK)[0]).toBe(MSG.length);
    expect(conn.recv(1024)).toEqual(MSG);
  });

  it('MSG_DONTWAIT on a blocking socket raises BlockingIOError when nothing is queued (recv flags)', () => {
    const { conn } = tcpPair();
    hangGuard(2);
    const e = catchError(() => conn.recv(10, socket.MSG_DONTWAIT));
    expect(e).toBeInstanceOf(socket.BlockingIOError);
    expect(e.errno).toBe(11);
  });

  it('recv(0) returns an empty Buffer without waiting (recv, bufsize 0)', () => {
    const { conn } = tcpPair();
    const r = timed(() => conn.recv(0));
    expect(r.error).toBeUndefined();
    expect(r.value).toEqual(Buffer.alloc(0));
    expect(r.elapsed).toBeLessThan(1);
  });

  it('send and sendall take any ArrayBufferView (send, bytes-like)', () => {
    const { cli, conn } = tcpPair();
    expect(cli.send(new Uint8Array([1, 2, 3]))).toBe(3);
    expect(cli.send(new DataView(new ArrayBuffer(2)))).toBe(2);
    cli.sendall(new Uint16Array([0x4141]));
    cli.sendall(Buffer.from('xyz').subarray(1));
    conn.settimeout(5);
    let got = Buffer.alloc(0);
    for (let i = 0; i < 10 && got.length < 9; i++) got = Buffer.concat([got, conn.recv(100)]);
    expect(got).toEqual(Buffer.from([1, 2, 3, 0, 0, 0x41, 0x41, 0x79, 0x7a]));
  });

  it('an empty send returns 0 (send, empty data)', () => {
    const { cli } = tcpPair();
    expect(cli.send(Buffer.alloc(0))).toBe(0);
    expect(cli.sendall(Buffer.alloc(0))).toBeUndefined();
  });

  it('a reset from the peer is ConnectionResetError 104, then EOF (recv after RST)', () => {
    const { cli, conn } = tcpPair();
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    linger.writeInt32LE(0, 4);
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger);
    cli.close();
    conn.settimeout(5);
    const e = catchError(() => conn.recv(10));
    expect(e).toBeInstanceOf(socket.ConnectionResetError);
    expect(e.errno).toBe(104);
    expect(e.code).toBe('ECONNRESET');
    expect(conn.recv(10).length).toBe(0);
  });

  it('writing to a closed peer is BrokenPipeError or ConnectionResetError, never SIGPIPE (send, MSG_NOSIGNAL)', () => {
    const { cli, conn } = tcpPair();
    conn.close();
    cli.settimeout(5);
    let err: unknown = null;
    for (let i = 0; i < 100 && err === null; i++) {
      try {
        cli.send(Buffer.alloc(1024));
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(socket.ConnectionError);
    expect([32, 104]).toContain((err as socket.OSError).errno);
  });

  it('sendall to a closed AF_UNIX peer is BrokenPipeError with bytes_sent (sendall, EPIPE)', () => {
    const [a, b] = socket.socketpair();
    track(a);
    b.close();
    const e = (() => {
      try {
        a.sendall(Buffer.alloc(1024));
      } catch (err) {
        return err as socket.OSError;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(socket.BrokenPipeError);
    expect(e!.errno).toBe(32);
    expect(e!.code).toBe('EPIPE');
    expect(e!.bytes_sent).toBe(0);
  });

  it('shutdown(SHUT_WR) gives the peer EOF while the other direction still works (shutdown)', () => {
    const { cli, conn } = tcpPair();
    cli.shutdown(socket.SHUT_WR);
    expect(conn.recv(10).length).toBe(0);
    conn.sendall(MSG);
    expect(cli.recv(1024)).toEqual(MSG);
    const e = catchError(() => cli.send(Buffer.from('x')));
    expect(e).toBeInstanceOf(socket.BrokenPipeError);
  });

  it('shutdown with an invalid how is EINVAL; on an unconnected socket ENOTCONN (shutdown errors)', () => {
    const { cli } = tcpPair();
    let e = catchError(() => cli.shutdown(5));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(22);
    e = catchError(() => sock().shutdown(socket.SHUT_RDWR));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(107);
  });

  it('TCP_NODELAY can be set and read (setsockopt IPPROTO_TCP)', () => {
    const { cli } = tcpPair();
    expect(cli.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)).toBe(0);
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
    expect(cli.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)).not.toBe(0);
    expect(cli.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)).toBe(0);
    expect(cli.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)).toBe(socket.SOCK_STREAM);
  });
});

describe('ContextManagersTest', () => {
  it('[Symbol.dispose] closes the socket, also after an explicit close (testSocketClass)', () => {
    const s = sock();
    s[Symbol.dispose]();
    expect(s.fileno()).toBe(-1);
    const t = sock();
    t.close();
    t[Symbol.dispose]();
    expect(t.fileno()).toBe(-1);
    const u = sock();
    try {
      expect(() => u.sendall(Buffer.from('foo'))).toThrow(socket.OSError);
    } finally {
      u[Symbol.dispose]();
    }
    expect(u.fileno()).toBe(-1);
  });

  it('a create_connection() socket echoes, then disposes (testCreateConnectionBase)', () => {
    const { srv, port } = listener();
    const s = track(socket.create_connection(['127.0.0.1', port]));
    const [conn] = accept(srv);
    s.sendall(Buffer.from('foo'));
    conn.sendall(conn.recv(1024));
    expect(s.recv(1024).toString()).toBe('foo');
    s[Symbol.dispose]();
    expect(s.fileno()).toBe(-1);
  });

  it('sendall after close raises OSError (testCreateConnectionClose)', () => {
    const { srv, port } = listener();
    const s = track(socket.create_connection(['127.0.0.1', port]));
    accept(srv);
    s.close();
    s[Symbol.dispose]();
    const e = catchError(() => s.sendall(Buffer.from('foo')));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
  });
});

describe('blocking calls with a concurrent peer (worker_thread using node:net)', () => {
  it('a blocking accept and recv wait for a peer that connects and sends later (SocketConnectedTest, blocking)', async () => {
    const { srv, port } = listener();
    const peer = workerPeer<string>(
      `const net = require('node:net');
       await sleep(150);
       const c = net.connect(workerData.port, '127.0.0.1');
       await new Promise((r) => c.once('connect', r));
       await sleep(150);
       c.end(Buffer.from(workerData.msg, 'base64'));
       await new Promise((r) => c.once('close', r));
       done('ok');`,
      { port, msg: MSG.toString('base64') },
    );
    try {
      expect(srv.gettimeout()).toBeNull();
      const a = timed(() => accept(srv));
      expect(a.error).toBeUndefined();
      expect(a.elapsed).toBeGreaterThan(0.05);
      const [conn] = a.value!;
      const r = timed(() => readAll(conn));
      expect(r.error).toBeUndefined();
      expect(r.value).toEqual(MSG);
      conn.close();
      expect(await within(peer.result, 10_000, 'peer')).toBe('ok');
    } finally {
      await peer.stop();
    }
  });

  it('sendall of 8 MiB completes against a reader, with every byte in order (testSendAll, large)', async () => {
    const { srv, port } = listener();
    const data = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
    const peer = workerPeer<{ n: number; sha: string }>(
      `const net = require('node:net');
       const { createHash } = require('node:crypto');
       const h = createHash('sha256');
       let n = 0;
       const c = net.connect(workerData.port, '127.0.0.1');
       c.on('data', (b) => { n += b.length; h.update(b); });
       await new Promise((r) => c.once('end', r));
       c.end();
       done({ n, sha: h.digest('hex') });`,
      { port },
    );
    try {
      const [conn] = accept(srv);
      expect(conn.sendall(data)).toBeUndefined();
      conn.close();
      const res = await within(peer.result, 20_000, 'peer');
      expect(res.n).toBe(data.length);
      expect(res.sha).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      await peer.stop();
    }
  });
});
