// Blocking, non-blocking and timeout modes: ports of CPython's TCPTimeoutTest,
// UDPTimeoutTest, NonBlockingTCPTests and NonblockConstantTest, plus the deadline rules of
// API.md (one deadline per call; sendall keeps it across partial writes and reports
// bytes_sent; connect with a timeout; connect_ex's 11 on timeout) and bpo-7995.
//
// Timing assertions are deliberately loose: a 0.2 s timeout must take at least 0.15 s
// and less than 5 s.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { timed, within } from '../helpers/timing';
import { accept, hangGuard, listener, pair, sock, tcpPair, track, udp, useSockets } from '../helpers/tracker';
import { pythonPeer } from '../helpers/children';
import { workerPeer } from '../helpers/peer';

useSockets();

const MSG = Buffer.from('timeouts: some bytes \u00e9\r\n', 'utf8');
const SHORT = 0.2;

/** Blocks the thread for `ms` (no event loop turn). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Retries `fn` while it raises BlockingIOError, sleeping between tries (bounded). */
function retryNonBlocking<T>(fn: () => T, tries = 200): T {
  for (let i = 0; ; i++) {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError) || i >= tries) throw e;
      sleepSync(10);
    }
  }
}

function expectTimedOut(e: any): void {
  expect(e).toBeInstanceOf(socket.TimeoutError);
  expect(e).toBeInstanceOf(socket.timeout);
  expect(e).toBeInstanceOf(socket.OSError);
  expect(e.message).toBe('timed out');
  expect(e.errno).toBeNull();
  expect(e.strerror).toBeNull();
  expect(e.name).toBe('TimeoutError');
}

function expectWouldBlock(e: any): void {
  expect(e).toBeInstanceOf(socket.BlockingIOError);
  expect(e).toBeInstanceOf(socket.OSError);
  expect(e).not.toBeInstanceOf(socket.TimeoutError);
  expect(e.errno).toBe(11);
  expect(e.code).toBe('EAGAIN');
  expect(e.message).toBe('[Errno 11] Resource temporarily unavailable');
}

/** Runs `fn`, expects TimeoutError after a plausible wait for `t` seconds. */
function expectTimeoutAfter(t: number, fn: () => unknown): any {
  const r = timed(fn);
  expect(r.error, 'the call should have timed out').toBeDefined();
  expectTimedOut(r.error);
  expect(r.elapsed).toBeGreaterThanOrEqual(t * 0.75);
  expect(r.elapsed).toBeLessThan(t + 5);
  return r.error;
}

/** Fills the send buffer of `s` (non-blocking), returns how many bytes went in. */
function fillSendBuffer(s: socket.Socket): number {
  const was = s.gettimeout();
  s.setblocking(false);
  let n = 0;
  const chunk = Buffer.alloc(65536, 'x');
  try {
    for (let i = 0; i < 10_000; i++) n += s.send(chunk);
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
  }
  s.settimeout(was);
  return n;
}

/** Drains `s` without blocking; returns the bytes read. */
function drain(s: socket.Socket): number {
  const was = s.gettimeout();
  s.setblocking(false);
  let n = 0;
  try {
    for (let i = 0; i < 1_000_000; i++) {
      const b = s.recv(1 << 16);
      if (b.length === 0) break;
      n += b.length;
    }
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
  }
  s.settimeout(was);
  return n;
}

describe('TCPTimeoutTest', () => {
  it('accept with a timeout raises TimeoutError("timed out") (testTCPTimeout)', () => {
    const { srv } = listener();
    srv.settimeout(SHORT);
    expectTimeoutAfter(SHORT, () => srv.accept());
  });

  it('accept with timeout 0 raises BlockingIOError, not TimeoutError (testTimeoutZero)', () => {
    const { srv } = listener();
    srv.settimeout(0.0);
    const r = timed(() => srv.accept());
    expectWouldBlock(r.error);
    expect(r.elapsed).toBeLessThan(1);
  });
});

describe('UDPTimeoutTest', () => {
  it('recv with a timeout raises TimeoutError (testUDPTimeout)', () => {
    const { s } = udp();
    s.settimeout(SHORT);
    expectTimeoutAfter(SHORT, () => s.recv(1024));
  });

  it('recv with timeout 0 raises BlockingIOError (testTimeoutZero)', () => {
    const { s } = udp();
    s.settimeout(0.0);
    expectWouldBlock(catchError(() => s.recv(1024)));
  });
});

describe('every waiting call times out (TimeoutError, errno null)', () => {
  it('recv, recv_into, recvfrom and recvfrom_into on a quiet TCP connection (recv* timeouts)', () => {
    const { conn } = tcpPair();
    conn.settimeout(SHORT);
    expectTimeoutAfter(SHORT, () => conn.recv(10));
    expectTimeoutAfter(SHORT, () => conn.recv_into(Buffer.alloc(10)));
    expectTimeoutAfter(SHORT, () => conn.recvfrom(10));
    expectTimeoutAfter(SHORT, () => conn.recvfrom_into(Buffer.alloc(10)));
  });

  it('send, sendto and sendall on a full connection (send* timeouts)', () => {
    const [a] = pair();
    expect(fillSendBuffer(a)).toBeGreaterThan(0);
    a.settimeout(SHORT);
    expectTimeoutAfter(SHORT, () => a.send(Buffer.alloc(65536)));
    const e = expectTimeoutAfter(SHORT, () => a.sendall(Buffer.alloc(65536)));
    expect(e.bytes_sent).toBe(0);
    const { cli, conn, port } = tcpPair();
    fillSendBuffer(cli);
    cli.settimeout(SHORT);
    expectTimeoutAfter(SHORT, () => cli.sendto(Buffer.alloc(65536), ['127.0.0.1', port]));
    conn.close();
  });

  it('each call gets its own full timeout (the deadline spans one call only)', () => {
    const { conn } = tcpPair();
    conn.settimeout(SHORT);
    for (let i = 0; i < 3; i++) expectTimeoutAfter(SHORT, () => conn.recv(1));
  });

  it('a call with a timeout returns as soon as the peer acts, well before the deadline (timeout, peer in time)', async () => {
    const { srv, port } = listener();
    const peer = workerPeer<string>(
      `const net = require('node:net');
       await sleep(100);
       const c = net.connect(workerData.port, '127.0.0.1');
       await new Promise((r) => c.once('connect', r));
       await sleep(100);
       c.write('late data');
       await new Promise((r) => c.once('end', r));
       c.end();
       done('ok');`,
      { port },
    );
    try {
      srv.settimeout(5);
      const a = timed(() => accept(srv));
      expect(a.error).toBeUndefined();
      expect(a.elapsed).toBeLessThan(4);
      const [conn] = a.value!;
      conn.settimeout(5);
      const r = timed(() => conn.recv(100));
      expect(r.error).toBeUndefined();
      expect(r.value!.toString()).toBe('late data');
      expect(r.elapsed).toBeLessThan(4);
      conn.close();
      expect(await within(peer.result, 10_000, 'peer')).toBe('ok');
    } finally {
      await peer.stop();
    }
  });

  it('a huge timeout (2**31 s) is accepted and the calls still work (testLargeTimeout)', () => {
    const { cli, conn } = tcpPair();
    conn.settimeout(2 ** 31);
    expect(conn.gettimeout()).toBe(2 ** 31);
    cli.settimeout(2 ** 31);
    cli.sendall(MSG);
    expect(conn.recv(MSG.length)).toEqual(MSG);
  });
});

describe('non-blocking mode raises BlockingIOError errno 11', () => {
  it('recv, recv_into, recvfrom, recvfrom_into, accept (non-blocking reads)', () => {
    const { srv, conn } = tcpPair();
    conn.setblocking(false);
    srv.setblocking(false);
    const calls: (() => unknown)[] = [
      () => conn.recv(10),
      () => conn.recv_into(Buffer.alloc(10)),
      () => conn.recvfrom(10),
      () => conn.recvfrom_into(Buffer.alloc(10)),
      () => srv.accept(),
    ];
    for (const fn of calls) {
      const r = timed(fn);
      expectWouldBlock(r.error);
      expect(r.elapsed).toBeLessThan(1);
    }
  });

  it('send and sendto on a full connection; sendto on a full datagram socket (non-blocking writes)', () => {
    const [a] = pair();
    fillSendBuffer(a);
    a.setblocking(false);
    expectWouldBlock(catchError(() => a.send(Buffer.alloc(65536))));
    const [d1, d2] = pair(socket.AF_UNIX, socket.SOCK_DGRAM);
    d1.setblocking(false);
    let err: unknown = null;
    for (let i = 0; i < 100_000 && err === null; i++) {
      try {
        d1.send(Buffer.alloc(1024));
      } catch (e) {
        err = e;
      }
    }
    expectWouldBlock(err);
    expect(drain(d2)).toBeGreaterThan(0);
  });

  it('sendall sends what fits, then raises BlockingIOError with bytes_sent (sendall, non-blocking)', () => {
    const [a, b] = pair();
    a.setblocking(false);
    const data = Buffer.alloc(16 * 1024 * 1024, 'y');
    const e = catchError(() => a.sendall(data));
    expectWouldBlock(e);
    expect(e.bytes_sent).toBeGreaterThan(0);
    expect(e.bytes_sent).toBeLessThan(data.length);
    expect(drain(b)).toBe(e.bytes_sent);
  });

  it('connect raises BlockingIOError 115, then 114 while in progress; connect_ex returns them (connect, non-blocking)', () => {
    // A listener with a full backlog leaves the handshake pending.
    const { addr } = listener('127.0.0.1', 0);
    const first = sock();
    first.settimeout(5);
    first.connect(addr);
    const c = sock();
    c.setblocking(false);
    let e = catchError(() => c.connect(addr));
    expect(e).toBeInstanceOf(socket.BlockingIOError);
    expect(e.errno).toBe(115);
    e = catchError(() => c.connect(addr));
    expect(e).toBeInstanceOf(socket.BlockingIOError);
    expect(e.errno).toBe(114);
    const d = sock();
    d.setblocking(false);
    expect(d.connect_ex(addr)).toBe(115);
    expect(d.connect_ex(addr)).toBe(114);
  });
});

describe('sendall keeps one deadline across partial writes', () => {
  it('with nobody reading, sendall times out once and bytes_sent is exactly what the peer can read (sendall, TimeoutError)', () => {
    const [a, b] = pair();
    a.settimeout(0.3);
    const data = Buffer.alloc(16 * 1024 * 1024, 'z');
    const e = expectTimeoutAfter(0.3, () => a.sendall(data));
    expect(typeof e.bytes_sent).toBe('number');
    expect(e.bytes_sent).toBeGreaterThan(0);
    expect(e.bytes_sent).toBeLessThan(data.length);
    expect(drain(b)).toBe(e.bytes_sent);
  });

  it('against a slow reader that keeps making room, sendall still stops at its deadline (sendall, total timeout; python3 peer)', async () => {
    const { srv, port } = listener();
    // Reads 32 KiB every 20 ms (at most ~1.6 MB/s) until EOF, then prints the total.
    const py = pythonPeer(
      `import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.connect(('127.0.0.1', int(sys.argv[1])))
print('connected', flush=True)
total = 0
while True:
    b = s.recv(32768)
    if not b:
        break
    total += len(b)
    time.sleep(0.02)
print(total, flush=True)`,
      [port],
    );
    try {
      expect(await py.line()).toBe('connected');
      const [conn] = accept(srv);
      conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536);
      conn.settimeout(0.5);
      const data = Buffer.alloc(32 * 1024 * 1024, 'w');
      // Were the clock restarted on each partial write, this would run for ~20 s.
      const r = timed(() => conn.sendall(data));
      expect(r.error, 'sendall should time out').toBeDefined();
      expectTimedOut(r.error);
      expect(r.elapsed).toBeGreaterThanOrEqual(0.4);
      expect(r.elapsed).toBeLessThan(3);
      const sent = (r.error as socket.OSError).bytes_sent!;
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(data.length);
      conn.close();
      const total = Number(await py.line(20_000));
      expect(total).toBe(sent);
    } finally {
      py.kill();
    }
  });
});

describe('connect with a timeout', () => {
  it('connect to a listener whose backlog is full times out (connect, TimeoutError)', () => {
    const { addr } = listener('127.0.0.1', 0);
    const first = sock();
    first.settimeout(5);
    first.connect(addr);
    const c = sock();
    c.settimeout(0.3);
    expectTimeoutAfter(0.3, () => c.connect(addr));
  });

  it('connect_ex returns 11 (EWOULDBLOCK) on timeout, as CPython (connect_ex, timeout)', () => {
    const { addr } = listener('127.0.0.1', 0);
    const first = sock();
    first.settimeout(5);
    first.connect(addr);
    const c = sock();
    c.settimeout(0.3);
    const r = timed(() => c.connect_ex(addr));
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(11);
    expect(r.elapsed).toBeGreaterThanOrEqual(0.2);
    expect(r.elapsed).toBeLessThan(5);
  });

  it('connect with a timeout succeeds against a listener (connect, timeout, success)', () => {
    const { srv, port } = listener();
    const c = sock();
    c.settimeout(5);
    c.connect(['127.0.0.1', port]);
    accept(srv);
    expect(c.getpeername()).toEqual(['127.0.0.1', port]);
  });

  it('connect to a closed port is ConnectionRefusedError 111; connect_ex returns 111 (connect, refused)', () => {
    const probe = sock();
    probe.bind(['127.0.0.1', 0]);
    const port = (probe.getsockname() as [string, number])[1];
    probe.close();
    for (const t of [null, 5]) {
      const c = sock();
      c.settimeout(t);
      const e = catchError(() => c.connect(['127.0.0.1', port]));
      expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
      expect(e.errno).toBe(111);
      expect(e.code).toBe('ECONNREFUSED');
      expect(e.message).toBe('[Errno 111] Connection refused');
      expect(sock().connect_ex(['127.0.0.1', port])).toBe(111);
    }
  });
});

describe('NonBlockingTCPTests', () => {
  it('setblocking and settimeout move between the three modes (testSetBlocking)', () => {
    const { srv } = listener();
    const check = (timeout: number | null) => {
      expect(srv.gettimeout()).toBe(timeout);
      expect(srv.getblocking()).toBe(timeout !== 0);
      expect(srv.timeout).toBe(timeout);
    };
    srv.setblocking(true);
    check(null);
    srv.setblocking(false);
    check(0);
    srv.settimeout(null);
    check(null);
    srv.settimeout(0);
    check(0);
    srv.settimeout(10);
    check(10);
    srv.settimeout(0);
    check(0);
    srv.settimeout(2.5);
    check(2.5);
    expect(srv.setblocking(true)).toBeUndefined();
    expect(srv.settimeout(1)).toBeUndefined();
  });

  it('setblocking takes any truthy value (testSetBlocking_overflow)', () => {
    const s = sock();
    s.setblocking(false);
    expect(s.gettimeout()).toBe(0);
    s.setblocking((2 ** 32) as any);
    expect(s.gettimeout()).toBeNull();
    s.setblocking(0 as any);
    expect(s.gettimeout()).toBe(0);
  });

  it('SOCK_NONBLOCK in the type gives timeout 0 (testInitNonBlocking)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
    expect(s.gettimeout()).toBe(0);
    expect(s.getblocking()).toBe(false);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.bind(['127.0.0.1', 0]);
    s.listen();
    hangGuard(3);
    const r = timed(() => s.accept());
    expectWouldBlock(r.error);
    expect(r.elapsed).toBeLessThan(1);
  });

  it('accept() from a listener with a timeout gives a blocking socket when the default is null (testInheritFlagsBlocking)', () => {
    const { srv, port } = listener();
    srv.settimeout(10);
    const c = sock();
    c.connect(['127.0.0.1', port]);
    const [conn] = accept(srv);
    expect(conn.gettimeout()).toBeNull();
    expect(conn.getblocking()).toBe(true);
  });

  it('accept() gives the default timeout when one is set (testInheritFlagsTimeout)', () => {
    const { srv, port } = listener();
    socket.setdefaulttimeout(20);
    srv.settimeout(10);
    const c = sock();
    c.connect(['127.0.0.1', port]);
    const [conn] = accept(srv);
    expect(conn.gettimeout()).toBe(20);
  });

  it('accept() from a non-blocking listener gives a blocking socket (bpo-7995, non-blocking listener)', () => {
    const { srv, port } = listener();
    srv.setblocking(false);
    const c = sock();
    c.connect(['127.0.0.1', port]);
    const [conn] = retryNonBlocking(() => accept(srv));
    expect(conn.gettimeout()).toBeNull();
    // It really blocks: with data queued, a recv returns it.
    c.sendall(MSG);
    expect(conn.recv(MSG.length)).toEqual(MSG);
  });

  it('non-blocking accept fails fast, then succeeds once a client connected (testAccept)', () => {
    const { srv, port } = listener();
    srv.setblocking(false);
    const r = timed(() => srv.accept());
    expectWouldBlock(r.error);
    expect(r.elapsed).toBeLessThan(1);
    const c = sock();
    c.connect(['127.0.0.1', port]);
    const [conn] = retryNonBlocking(() => accept(srv));
    expect(conn.gettimeout()).toBeNull();
  });

  it('non-blocking recv fails until data arrives (testRecv)', () => {
    const { cli, conn } = tcpPair();
    conn.setblocking(false);
    expectWouldBlock(catchError(() => conn.recv(MSG.length)));
    cli.sendall(MSG);
    expect(retryNonBlocking(() => conn.recv(MSG.length))).toEqual(MSG);
  });
});

describe('NonblockConstantTest', () => {
  it('SOCK_NONBLOCK and the default timeout set the initial mode (test_SOCK_NONBLOCK)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
    const check = (timeout: number | null) => {
      expect(s.type).toBe(socket.SOCK_STREAM);
      expect(s.gettimeout()).toBe(timeout);
      expect(s.getblocking()).toBe(timeout !== 0);
    };
    check(0);
    s.setblocking(true);
    check(null);
    s.setblocking(false);
    check(0);
    s.settimeout(null);
    check(null);
    s.settimeout(2.0);
    check(2.0);
    s.setblocking(true);
    check(null);

    socket.setdefaulttimeout(0.0);
    let t = sock();
    expect(t.gettimeout()).toBe(0);
    expect(t.getblocking()).toBe(false);
    socket.setdefaulttimeout(null);
    t = sock();
    expect(t.gettimeout()).toBeNull();
    expect(t.getblocking()).toBe(true);
    socket.setdefaulttimeout(2.0);
    t = sock();
    expect(t.gettimeout()).toBe(2.0);
    expect(t.getblocking()).toBe(true);
    socket.setdefaulttimeout(null);
  });

  it('SOCK_NONBLOCK wins over a default timeout (socket, SOCK_NONBLOCK)', () => {
    socket.setdefaulttimeout(5);
    const s = sock(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK);
    expect(s.gettimeout()).toBe(0);
    expect(s.type).toBe(socket.SOCK_DGRAM);
    const [a, b] = pair(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK);
    expect(a.gettimeout()).toBe(0);
    expect(b.gettimeout()).toBe(0);
    expect(a.type).toBe(socket.SOCK_STREAM);
  });

  it('a socket with a default timeout times out (setdefaulttimeout applies to new sockets)', () => {
    socket.setdefaulttimeout(SHORT);
    const { s } = udp();
    expect(s.gettimeout()).toBe(SHORT);
    expectTimeoutAfter(SHORT, () => s.recv(10));
  });
});

describe('timeout values', () => {
  it('settimeout rejects negative, NaN, non-numbers and infinity (settimeout argument checks)', () => {
    const s = sock();
    expect(() => s.settimeout(-1)).toThrow(RangeError);
    expect(() => s.settimeout(-1)).toThrow('Timeout value out of range');
    expect(() => s.settimeout(NaN)).toThrow(RangeError);
    expect(() => s.settimeout(Infinity)).toThrow(RangeError);
    expect(() => s.settimeout('spam' as any)).toThrow(TypeError);
    expect(() => (s as any).settimeout()).toThrow(TypeError);
    expect(s.gettimeout()).toBeNull();
  });

  it('a tiny positive timeout is a timeout, not non-blocking mode (settimeout, 1e-9)', () => {
    const { s } = udp();
    hangGuard(3);
    s.settimeout(1e-9);
    expect(s.getblocking()).toBe(true);
    const e = catchError(() => s.recv(1));
    expectTimedOut(e);
  });

  it('the dup of a socket keeps its timeout; fromfd takes the default (dup vs fromfd timeouts)', () => {
    const [a] = pair();
    a.settimeout(3.5);
    const d = track(a.dup());
    expect(d.gettimeout()).toBe(3.5);
    const f = track(socket.fromfd(a.fileno(), socket.AF_UNIX, socket.SOCK_STREAM));
    expect(f.gettimeout()).toBeNull();
  });
});
