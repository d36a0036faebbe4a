// The fd's O_NONBLOCK flag follows the socket's mode, as in CPython: blocking mode on the
// main thread has a blocking fd, so a call that must wait sleeps inside its own syscall;
// non-blocking mode, timeouts, every async socket and every socket on a worker thread
// have an O_NONBLOCK fd. The flag is read from /proc/self/fdinfo. The recv/send family
// must behave per the mode whatever the flag (another socket object may share the open
// file description and change it), and a kernel wait must keep the semantics of the
// poll-based one (recvmmsg returns once a datagram is in, MSG_WAITALL fills the buffer).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import * as aio from '../../lib/aio';
import { timed } from '../helpers/timing';
import { accept, hangGuard, listener, pair, sock, tcpPair, track, udp, useSockets } from '../helpers/tracker';
import { workerPeer } from '../helpers/peer';

useSockets();

const O_NONBLOCK = 0o4000;

/** Whether `fd`'s open file description is O_NONBLOCK (/proc/self/fdinfo's octal flags). */
function nonblocking(fd: number): boolean {
  const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!m) throw new Error(`no flags in /proc/self/fdinfo/${fd}`);
  return (parseInt(m[1], 8) & O_NONBLOCK) !== 0;
}

describe('O_NONBLOCK follows the mode (main thread)', () => {
  it('a new socket in blocking mode has a blocking fd; SOCK_NONBLOCK makes it non-blocking', () => {
    expect(nonblocking(sock().fileno())).toBe(false);
    const s = sock(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
    expect(s.gettimeout()).toBe(0);
    expect(nonblocking(s.fileno())).toBe(true);
  });

  it('settimeout(0) and settimeout(t) set it, settimeout(null) and setblocking(true) clear it', () => {
    const s = sock();
    s.settimeout(0);
    expect(nonblocking(s.fileno())).toBe(true);
    s.settimeout(null);
    expect(nonblocking(s.fileno())).toBe(false);
    s.settimeout(2.5);
    expect(nonblocking(s.fileno())).toBe(true);
    s.setblocking(true);
    expect(nonblocking(s.fileno())).toBe(false);
    s.setblocking(false);
    expect(nonblocking(s.fileno())).toBe(true);
  });

  it('setdefaulttimeout() decides the flag of new, accepted and paired sockets', () => {
    const { srv, addr } = listener();
    srv.settimeout(0); // the listener's own mode does not pass to accepted sockets (bpo-7995)
    socket.setdefaulttimeout(3);
    const cli = sock();
    expect(nonblocking(cli.fileno())).toBe(true);
    const [a, b] = pair();
    expect([nonblocking(a.fileno()), nonblocking(b.fileno())]).toEqual([true, true]);
    cli.settimeout(null);
    cli.connect(addr);
    const [c1] = accept(srv);
    expect(c1.gettimeout()).toBe(3);
    expect(nonblocking(c1.fileno())).toBe(true);
    socket.setdefaulttimeout(null);
    const cli2 = sock();
    cli2.connect(addr);
    const [c2] = accept(srv);
    expect(c2.gettimeout()).toBe(null);
    expect(nonblocking(c2.fileno())).toBe(false);
    expect(nonblocking(srv.fileno())).toBe(true);
  });

  it('fromfd() and Socket(fileno=) set the flag when the default timeout needs it, and never clear it (as CPython)', () => {
    const { s: rx, addr } = udp();
    const blockingFd = sock(socket.AF_INET, socket.SOCK_DGRAM);
    socket.setdefaulttimeout(0);
    const nb = track(socket.fromfd(blockingFd.fileno(), socket.AF_INET, socket.SOCK_DGRAM));
    expect(nb.gettimeout()).toBe(0);
    // fromfd dup()s: the description is shared, so the original sees the change too.
    expect(nonblocking(blockingFd.fileno())).toBe(true);
    socket.setdefaulttimeout(null);
    rx.setblocking(false);
    // An O_NONBLOCK fd (say, one a libuv handle also uses) stays O_NONBLOCK when adopted
    // in blocking mode; blocking calls on it poll instead of raising BlockingIOError
    // (waiting on such an fd is tested below, on a shared description).
    const adopted = track(socket.fromfd(rx.fileno(), socket.AF_INET, socket.SOCK_DGRAM));
    expect(adopted.gettimeout()).toBe(null);
    expect(nonblocking(rx.fileno())).toBe(true);
    const tx = sock(socket.AF_INET, socket.SOCK_DGRAM);
    tx.sendto(Buffer.from('queued'), addr);
    expect(adopted.recv(16).toString()).toBe('queued');
  });

  it('dup() keeps the mode and the description', () => {
    const s = sock();
    s.settimeout(1);
    const d = track(s.dup());
    expect(d.gettimeout()).toBe(1);
    expect(nonblocking(d.fileno())).toBe(true);
  });

  it('async sockets are always non-blocking: aio.socket, aio.socketpair, accept, from_stdlib_socket', async () => {
    const a = aio.socket();
    const [p, q] = aio.socketpair();
    const plain = sock();
    const wrapped = aio.from_stdlib_socket(plain);
    const srv = aio.socket();
    try {
      expect(nonblocking(a.fileno())).toBe(true);
      expect([nonblocking(p.fileno()), nonblocking(q.fileno())]).toEqual([true, true]);
      expect(nonblocking(wrapped.fileno())).toBe(true);
      await srv.bind(['127.0.0.1', 0]);
      srv.listen();
      const connecting = a.connect(srv.getsockname() as [string, number]);
      const [conn] = await srv.accept();
      await connecting;
      expect(nonblocking(conn.fileno())).toBe(true);
      conn.close();
    } finally {
      for (const s of [a, p, q, srv]) s.close();
    }
  });

  it('an invalid type given to aio.socket() is still rejected as by socket.socket()', () => {
    expect(() => aio.socket(socket.AF_INET, 'x' as unknown as number)).toThrow(TypeError);
  });
});

describe('blocking calls whatever the flag of a shared description', () => {
  it('recv in blocking mode waits for data when another socket made the description non-blocking', async () => {
    const { cli, conn } = tcpPair();
    const other = track(conn.dup());
    other.setblocking(false); // shared description: conn's fd is now O_NONBLOCK too
    expect(nonblocking(conn.fileno())).toBe(true);
    expect(conn.gettimeout()).toBe(null);
    const peer = workerPeer(
      `const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, workerData.fd);
       ready();
       await sleep(150);
       s.sendall(Buffer.from('late'));
       s.detach();
       done();`,
      { fd: cli.fileno() },
      { bsdsock: true },
    );
    try {
      await peer.ready;
      const t = timed(() => conn.recv(16));
      expect(t.error).toBeUndefined();
      expect((t.value as Buffer).toString()).toBe('late');
      expect(t.elapsed).toBeGreaterThan(0.1);
      await peer.result;
    } finally {
      await peer.stop();
    }
  });

  it('send in non-blocking mode raises BlockingIOError even when the description is blocking', () => {
    const [a, b] = pair(socket.AF_UNIX, socket.SOCK_STREAM);
    const nb = track(a.dup());
    nb.settimeout(0);
    a.setblocking(true); // the shared description is blocking again
    expect(nonblocking(nb.fileno())).toBe(false);
    hangGuard(5);
    const chunk = Buffer.alloc(65536);
    let err: unknown;
    for (let i = 0; i < 1000 && !err; i++) {
      try {
        nb.send(chunk);
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(socket.BlockingIOError);
    expect(b.recv(10).length).toBe(10);
  });

  it('recv with a timeout on a blocking description times out instead of sleeping in the kernel', () => {
    const [a] = pair(socket.AF_UNIX, socket.SOCK_STREAM);
    const t = track(a.dup());
    t.settimeout(0.2);
    a.setblocking(true);
    hangGuard(5);
    const r = timed(() => t.recv(8));
    expect(r.error).toBeInstanceOf(socket.TimeoutError);
  });
});

/** A struct timeval for SO_RCVTIMEO/SO_SNDTIMEO. */
function timeval(seconds: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(BigInt(Math.floor(seconds)), 0);
  b.writeBigInt64LE(BigInt(Math.round((seconds % 1) * 1e6)), 8);
  return b;
}

describe('SO_RCVTIMEO / SO_SNDTIMEO in blocking mode (as in CPython)', () => {
  it('recv raises BlockingIOError (EAGAIN) once SO_RCVTIMEO runs out', () => {
    const { s } = udp();
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval(0.2));
    hangGuard(5);
    const t = timed(() => s.recv(16));
    expect(t.error).toBeInstanceOf(socket.BlockingIOError);
    expect((t.error as socket.OSError).errno).toBe(11); // EAGAIN
    expect(t.elapsed).toBeGreaterThan(0.15);
  });

  it('accept raises BlockingIOError once SO_RCVTIMEO runs out', () => {
    const { srv } = listener();
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval(0.2));
    hangGuard(5);
    expect(timed(() => srv.accept()).error).toBeInstanceOf(socket.BlockingIOError);
  });

  it('sendall raises BlockingIOError with bytes_sent once SO_SNDTIMEO runs out', () => {
    const [a] = pair(socket.AF_UNIX, socket.SOCK_STREAM);
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval(0.2));
    hangGuard(5);
    const t = timed(() => a.sendall(Buffer.alloc(16 * 1024 * 1024)));
    expect(t.error).toBeInstanceOf(socket.BlockingIOError);
    expect((t.error as socket.OSError).bytes_sent).toBeGreaterThan(0);
  });
});

describe('a kernel wait keeps the semantics of the poll-based one', () => {
  it('blocking recvmmsg returns once one datagram is in, not after vlen', () => {
    const { s: rx, addr } = udp();
    const tx = sock(socket.AF_INET, socket.SOCK_DGRAM);
    tx.sendto(Buffer.from('one'), addr);
    tx.sendto(Buffer.from('two'), addr);
    hangGuard(5);
    expect(nonblocking(rx.fileno())).toBe(false);
    // Without MSG_WAITFORONE the kernel would sleep until the hang guard shuts the socket down.
    const t = timed(() => rx.recvmmsg(8, 64));
    expect(t.error).toBeUndefined();
    expect((t.value as [Buffer, unknown][]).map(([d]) => d.toString())).toEqual(['one', 'two']);
    expect(t.elapsed).toBeLessThan(2.5);
  });

  it('blocking recv(MSG_WAITALL) fills the buffer from pieces sent apart in time', async () => {
    const { cli, conn } = tcpPair();
    const peer = workerPeer(
      `const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, workerData.fd);
       ready();
       for (const part of ['abc', 'def', 'gh']) { await sleep(50); s.sendall(Buffer.from(part)); }
       s.detach();
       done();`,
      { fd: cli.fileno() },
      { bsdsock: true },
    );
    try {
      await peer.ready;
      expect(conn.recv(8, socket.MSG_WAITALL).toString()).toBe('abcdefgh');
      await peer.result;
    } finally {
      await peer.stop();
    }
  });
});

describe('worker threads', () => {
  it('keep every fd O_NONBLOCK, even in blocking mode, so terminate() can wake a blocked call', async () => {
    const peer = workerPeer<boolean[]>(
      `const fs = require('node:fs');
       const nb = (fd) => (parseInt(/^flags:\\s+([0-7]+)$/m.exec(fs.readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1], 8) & 0o4000) !== 0;
       const s = socket.socket();
       const [a, b] = socket.socketpair();
       const out = [s.gettimeout() === null, nb(s.fileno()), nb(a.fileno()), nb(b.fileno())];
       s.setblocking(true);
       out.push(nb(s.fileno()));
       for (const x of [s, a, b]) x.close();
       done(out);`,
      {},
      { bsdsock: true },
    );
    try {
      expect(await peer.result).toEqual([true, true, true, true, true]);
    } finally {
      await peer.stop();
    }
  });
});
