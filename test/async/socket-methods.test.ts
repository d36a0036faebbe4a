// AsyncSocket's methods keep trio.socket's semantics (python-trio/trio src/trio/_tests/test_socket.py,
// each title names the original test): options, dup, shutdown, addresses, the try-first path,
// connect's paths, every send/recv variant, AF_UNIX, close interrupting waits, many waiters.
// trio's cancellation becomes an AbortSignal here; ClosedResourceError becomes OSError EBADF
// (API.md, "The async twin"); `with sock:` becomes `await using` / Symbol.asyncDispose.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { aio, type ASock, stuckConnectTarget, tcpListener } from '../helpers/aio';
import { rejection } from '../helpers/errors';
import { abstractName, tmpPath } from '../helpers/paths';
import { isPending, sleep, within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

describe('AsyncSocket', () => {
  it('basics: options, inheritable, detach, close, repr, properties (test_SocketType_basics)', async () => {
    const s = aio.socket();
    {
      await using sock = s;
      expect(Number.isInteger(sock.fileno())).toBe(true);
      expect(sock.get_inheritable()).toBe(false);
      sock.set_inheritable(true);
      expect(sock.get_inheritable()).toBe(true);
      sock.setsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY, false);
      expect(sock.getsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY)).toBe(0);
      sock.setsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY, true);
      expect(sock.getsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY)).not.toBe(0);
    }
    // `await using` closed it: closed sockets have fileno() == -1.
    expect(s.fileno()).toBe(-1);
    expect(String(s)).toMatch(/^<aio\.socket \[closed\] fd=-1/);

    const d = aio.socket();
    const fd = d.fileno();
    expect(d.detach()).toBe(fd);
    expect(d.fileno()).toBe(-1);
    socket.close(fd);

    const c = aio.socket();
    expect(c.fileno()).toBeGreaterThanOrEqual(0);
    c.close();
    expect(c.fileno()).toBe(-1);
    c.close(); // idempotent

    for (const m of ['family', 'recv', 'setsockopt', 'send', 'accept', 'connect']) expect(m in c).toBe(true);
    expect('connect_ex' in c).toBe(false);

    const std = track(socket.socket());
    const w = aio.from_stdlib_socket(std);
    expect([w.type, w.family, w.proto]).toEqual([std.type, std.family, std.proto]);
  });

  it('[Symbol.asyncDispose]() closes the socket, also when called directly', async () => {
    const s = aio.socket();
    await s[Symbol.asyncDispose]();
    expect(s.fileno()).toBe(-1);
    const t = aio.socket();
    t[Symbol.dispose]();
    expect(t.fileno()).toBe(-1);
  });

  it('setsockopt with optlen / value rules (test_SocketType_setsockopt)', () => {
    const s = track(aio.socket());
    s.setsockopt(aio.SOL_SOCKET, aio.SO_BINDTODEVICE, null, 0);
    s.setsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY, false);
    expect(() => s.setsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY, false, 5)).toThrow(TypeError);
    expect(() => s.setsockopt(aio.IPPROTO_TCP, aio.TCP_NODELAY, null)).toThrow(TypeError);
  });

  it('dup() returns an AsyncSocket that outlives the original (test_SocketType_dup)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const a2 = track(a.dup());
    expect(a2).toBeInstanceOf(aio.AsyncSocket);
    expect(a2.fileno()).not.toBe(a.fileno());
    a.close();
    await a2.send(Buffer.from('x'));
    expect(await b.recv(1)).toEqual(Buffer.from('x'));
  });

  it('shutdown(SHUT_WR) gives the peer EOF and keeps the other direction (test_SocketType_shutdown)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    await a.send(Buffer.from('x'));
    expect(await b.recv(1)).toEqual(Buffer.from('x'));
    a.shutdown(aio.SHUT_WR);
    expect(await within(b.recv(1), 5000)).toEqual(Buffer.alloc(0));
    await b.send(Buffer.from('y'));
    expect(await a.recv(1)).toEqual(Buffer.from('y'));
  });

  for (const [host, family] of [
    ['127.0.0.1', aio.AF_INET],
    ['::1', aio.AF_INET6],
  ] as const) {
    it(`bind, listen, accept, connect, getpeername, getsockname on ${host} (test_SocketType_simple_server)`, async () => {
      const listener = track(aio.socket(family));
      const client = track(aio.socket(family));
      await listener.bind([host, 0]);
      listener.listen(20);
      const addr = (listener.getsockname() as unknown[]).slice(0, 2) as [string, number];
      const [[server, clientAddr]] = await within(
        Promise.all([listener.accept(), client.connect(addr)]),
        5000,
      );
      track(server);
      expect(server).toBeInstanceOf(aio.AsyncSocket);
      expect(clientAddr).toEqual(server.getpeername());
      expect(clientAddr).toEqual(client.getsockname());
      await server.send(Buffer.from('x'));
      expect(await client.recv(1)).toEqual(Buffer.from('x'));
    });
  }

  it('is_readable() polls without waiting (test_SocketType_is_readable)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    expect(a.is_readable()).toBe(false);
    await b.send(Buffer.from('x'));
    for (let i = 0; i < 100 && !a.is_readable(); i++) await sleep(10);
    expect(a.is_readable()).toBe(true);
    expect(await a.recv(1)).toEqual(Buffer.from('x'));
    expect(a.is_readable()).toBe(false);
  });

  it('wait_writable() resolves on a writable socket and waits on a full one', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    await within(a.wait_writable(), 2000);
    const chunk = Buffer.alloc(65536);
    a.setblocking(false);
    for (let i = 0; i < 10_000; i++) {
      try {
        await a.send(chunk);
      } catch (e) {
        expect(e).toBeInstanceOf(socket.BlockingIOError);
        break;
      }
    }
    a.setblocking(true);
    const w = a.wait_writable();
    expect(await isPending(w, 100)).toBe(true);
    // Drain the peer; the wait ends.
    const deadline = Date.now() + 5000;
    while ((await isPending(w, 0)) && Date.now() < deadline) {
      b.setblocking(false);
      try {
        await b.recv(1 << 20);
      } catch {
        await sleep(5);
      }
    }
    await within(w, 5000, 'wait_writable');
  });

  it("address handling: '' is the wildcard for bind, IPv6 tuples of 2 to 4 items, bad shapes rejected (test_SocketType_resolve)", async () => {
    const s4 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await s4.bind(['', 0]);
    expect((s4.getsockname() as [string, number])[0]).toBe('0.0.0.0');
    const s6 = track(aio.socket(aio.AF_INET6, aio.SOCK_DGRAM));
    await s6.bind(['', 0]);
    expect((s6.getsockname() as unknown[]).slice(0, 1)).toEqual(['::']);
    const t = track(aio.socket(aio.AF_INET6, aio.SOCK_DGRAM));
    await t.bind(['::1', 0]);
    const port = t.getsockname()[1];
    // 2-, 3- and 4-item IPv6 addresses all reach the same place.
    for (const addr of [
      ['::1', port],
      ['::1', port, 0],
      ['::1', port, 0, 0],
    ]) {
      expect(await s6.sendto(Buffer.from('v6'), addr as any)).toBe(2);
      const [d, from] = await within(t.recvfrom(10), 5000);
      expect(d.toString()).toBe('v6');
      expect((from as unknown[]).length).toBe(4);
    }
    // A name in an IPv6 address is resolved too.
    const r6 = await within(aio.getaddrinfo('localhost', port, aio.AF_INET6, aio.SOCK_DGRAM), 10_000).catch(
      () => [],
    );
    if (r6.length > 0) {
      expect(await s6.sendto(Buffer.from('n6'), ['localhost', port] as any)).toBe(2);
      expect((await within(t.recvfrom(10), 5000))[0].toString()).toBe('n6');
    }
    // Wrong shapes are argument errors, before any I/O.
    await expect(Promise.resolve().then(() => s4.bind('1.2.3.4' as any))).rejects.toThrow(TypeError);
    await expect(Promise.resolve().then(() => s4.bind(['1.2.3.4'] as any))).rejects.toThrow(TypeError);
    await expect(Promise.resolve().then(() => s6.bind(['::1', 80, 0, 0, 0] as any))).rejects.toThrow(
      TypeError,
    );
  });

  it('bind and connect resolve host names off the loop thread (test_SocketType_unresolved_names)', async () => {
    const s = track(aio.socket());
    await s.bind(['localhost', 0]);
    expect((s.getsockname() as [string, number])[0]).toBe('127.0.0.1');
    s.listen(10);
    const s2 = track(aio.socket());
    await within(s2.connect(['localhost', (s.getsockname() as [string, number])[1]]), 10_000);
    expect(s2.getpeername()).toEqual(s.getsockname());
    const [conn] = await s.accept();
    track(conn);
    // A resolver failure propagates as gaierror.
    const s3 = track(aio.socket());
    const e = await rejection(
      Promise.resolve().then(() => s3.bind(['no-such-host.invalid', 0])),
      15_000,
    );
    expect(e).toBeInstanceOf(socket.gaierror);
  });

  it('every path through the try-first helper, with recv as the stand-in (test_SocketType_non_blocking_paths)', async () => {
    const [a, b] = socket.socketpair();
    track(a);
    track(b);
    const ta = aio.from_stdlib_socket(a);
    b.setblocking(false);

    // Cancelled before even calling: rejects, and has not read the queued byte.
    b.send(Buffer.from('1'));
    const e = await rejection(ta.recv(10, { signal: AbortSignal.abort() }));
    expect(e.name).toBe('AbortError');
    // Immediate success (and proof the aborted call read nothing).
    expect(await ta.recv(10)).toEqual(Buffer.from('1'));
    // Immediate failure: a bad argument is an error, not a wait.
    await expect(ta.recv('haha' as any)).rejects.toThrow(TypeError);
    // Block, then succeed.
    const p = ta.recv(10);
    expect(await isPending(p)).toBe(true);
    b.send(Buffer.from('2'));
    expect(await within(p, 5000)).toEqual(Buffer.from('2'));
    // Block, then get cancelled.
    const ac = new AbortController();
    const q = ta.recv(10, { signal: ac.signal });
    expect(await isPending(q)).toBe(true);
    ac.abort();
    expect((await rejection(q)).name).toBe('AbortError');

    // Woken, but the data was stolen: it must go back to waiting. Two sockets, two
    // readers each; whichever runs first steals the byte meant for the other.
    const tb = aio.from_stdlib_socket(b);
    b.setblocking(true);
    const t1 = (async () => {
      expect(await ta.recv(1)).toEqual(Buffer.from('a'));
      expect(await tb.recv(1)).toEqual(Buffer.from('b'));
    })();
    const t2 = (async () => {
      expect(await tb.recv(1)).toEqual(Buffer.from('b'));
      expect(await ta.recv(1)).toEqual(Buffer.from('a'));
    })();
    await sleep(30);
    a.send(Buffer.from('b'));
    b.send(Buffer.from('a'));
    await sleep(30);
    a.send(Buffer.from('b'));
    b.send(Buffer.from('a'));
    await within(Promise.all([t1, t2]), 5000, 'the four recvs');
  });

  it('a recv with data already queued resolves without waiting for the loop (try-first)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    await a.send(Buffer.from('ready'));
    await sleep(10); // (a socketpair's data is there at once; this only settles the loop)
    // Resolved before any macrotask (timer, poll callback) could run.
    let timerRan = false;
    const t = setTimeout(() => (timerRan = true), 0);
    const got = await b.recv(10);
    expect(timerRan).toBe(false);
    clearTimeout(t);
    expect(got).toEqual(Buffer.from('ready'));
    // Errors surface immediately too: recv on a listening socket is ENOTCONN, not a wait.
    const [l] = await tcpListener();
    const e = await rejection(l.recv(1), 2000);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(107);
  });

  it('connect paths: bad address, cancelled before and during, refused (test_SocketType_connect_paths)', async () => {
    const s1 = track(aio.socket());
    await expect(Promise.resolve().then(() => s1.connect('localhost' as any))).rejects.toThrow(TypeError);

    // Cancelled before we start: rejects and, as in trio, closes the socket.
    const s2 = track(aio.socket());
    const e2 = await rejection(s2.connect(['127.0.0.1', 80], { signal: AbortSignal.abort() }));
    expect(e2.name).toBe('AbortError');

    // Cancelled between connect() and its completion: the socket is closed.
    const target = await stuckConnectTarget();
    const s3 = track(aio.socket());
    const ac = new AbortController();
    const p = s3.connect(target, { signal: ac.signal });
    expect(await isPending(p, 100)).toBe(true);
    ac.abort();
    const e3 = await rejection(p);
    expect(e3.name).toBe('AbortError');
    expect(e3.code).toBe('ABORT_ERR');
    expect(s3.fileno()).toBe(-1);

    // Failed connect: trio's message, with the address.
    const s4 = track(aio.socket());
    const e4 = await rejection(s4.connect(['127.0.0.1', 2]), 5000);
    expect(e4).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e4.errno).toBe(111);
  });

  it("a refused connect's error names the address (test_address_in_socket_error)", async () => {
    const s = track(aio.socket());
    const e = await rejection(s.connect(['127.0.0.1', 2]), 5000);
    expect(e.message).toMatch(
      /^\[Errno 111\] Error connecting to \['127\.0\.0\.1', 2\]: Connection refused$/,
    );
  });

  it('an abort during name resolution in connect closes the socket (test_resolve_address_exception_in_connect_closes_socket)', async () => {
    const [, [, port]] = await tcpListener();
    const s = track(aio.socket());
    const ac = new AbortController();
    const p = s.connect(['localhost', port], { signal: ac.signal });
    ac.abort(); // before the lookup (off-thread) can come back
    const e = await rejection(p, 10_000);
    expect(e.name).toBe('AbortError');
    expect(s.fileno()).toBe(-1);
  });

  it('send/recv variants: flags, recv_into, sendto/recvfrom, recvfrom_into, connected UDP (test_send_recv_variants)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    expect(await a.send(Buffer.from('x'))).toBe(1);
    expect(await b.recv(10, aio.MSG_PEEK)).toEqual(Buffer.from('x'));
    expect(await b.recv(10)).toEqual(Buffer.from('x'));
    await a.send(Buffer.from('x'));
    const buf = Buffer.alloc(10);
    expect(await b.recv_into(buf)).toBe(1);
    expect(buf).toEqual(Buffer.concat([Buffer.from('x'), Buffer.alloc(9)]));

    const u1 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    const u2 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await u1.bind(['127.0.0.1', 0]);
    await u2.bind(['127.0.0.1', 0]);
    const targets = [u2.getsockname(), ['localhost', (u2.getsockname() as [string, number])[1]]];
    for (const target of targets) {
      expect(await u1.sendto(Buffer.from('xxx'), target as any)).toBe(3);
      const [data, addr] = await within(u2.recvfrom(10), 5000);
      expect(data).toEqual(Buffer.from('xxx'));
      expect(addr).toEqual(u1.getsockname());
    }
    // sendto with flags: MSG_MORE corks the datagram until a send without it.
    await u1.sendto(Buffer.from('xxx'), aio.MSG_MORE, u2.getsockname() as any);
    await u1.sendto(Buffer.from('yyy'), aio.MSG_MORE, u2.getsockname() as any);
    await u1.sendto(Buffer.from('zzz'), u2.getsockname() as any);
    const [more, moreAddr] = await within(u2.recvfrom(10), 5000);
    expect(more).toEqual(Buffer.from('xxxyyyzzz'));
    expect(moreAddr).toEqual(u1.getsockname());
    // recvfrom_into
    expect(await u1.sendto(Buffer.from('xxx'), u2.getsockname() as any)).toBe(3);
    const b2 = Buffer.alloc(10);
    const [n, from] = await within(u2.recvfrom_into(b2), 5000);
    expect(n).toBe(3);
    expect(b2).toEqual(Buffer.concat([Buffer.from('xxx'), Buffer.alloc(7)]));
    expect(from).toEqual(u1.getsockname());

    // Connected UDP: each send is its own datagram.
    const c1 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    const c2 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await c2.bind(['127.0.0.1', 0]);
    await c1.connect(c2.getsockname() as any);
    await c1.send(Buffer.from('xxx'));
    await c1.send(Buffer.from('yyy'));
    expect(await within(c2.recv(10), 5000)).toEqual(Buffer.from('xxx'));
    expect(await within(c2.recv(10), 5000)).toEqual(Buffer.from('yyy'));
  });

  it('recvmsg, recvmsg_into and sendmsg are async too (test_send_recv_variants, msg part)', async () => {
    const [pa, pb] = aio.socketpair();
    track(pa);
    track(pb);
    expect(await (pa as any).sendmsg([Buffer.from('xxx')], [])).toBe(3);
    expect(await within(pb.recv(10), 5000)).toEqual(Buffer.from('xxx'));
    const u1 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    const u2 = track(aio.socket(aio.AF_INET, aio.SOCK_DGRAM));
    await u1.bind(['127.0.0.1', 0]);
    await u2.bind(['127.0.0.1', 0]);
    const A = u1 as any;
    const B = u2 as any;
    expect(typeof A.sendmsg).toBe('function');
    expect(typeof B.recvmsg).toBe('function');
    expect(typeof B.recvmsg_into).toBe('function');
    expect(await A.sendto(Buffer.from('xxx'), u2.getsockname())).toBe(3);
    const [data, ancdata, msgFlags, addr] = (await within(B.recvmsg(10), 5000)) as any;
    expect([data, ancdata, msgFlags, addr]).toEqual([Buffer.from('xxx'), [], 0, u1.getsockname()]);
    expect(await A.sendto(Buffer.from('xyzw'), u2.getsockname())).toBe(4);
    const b1 = Buffer.alloc(2);
    const b2 = Buffer.alloc(3);
    const [n, anc2, fl2, addr2] = (await within(B.recvmsg_into([b1, b2]), 5000)) as any;
    expect([n, anc2, fl2, addr2]).toEqual([4, [], 0, u1.getsockname()]);
    expect(b1).toEqual(Buffer.from('xy'));
    expect(b2).toEqual(Buffer.from('zw\0'));
    const p = A.sendmsg([Buffer.from('x'), Buffer.from('yz')], [], 0, u2.getsockname());
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe(3);
    expect(await within(u2.recvfrom(10), 5000)).toEqual([Buffer.from('xyz'), u1.getsockname()]);
  });

  it('AF_UNIX: filesystem and abstract paths, str and Buffer (test_unix_domain_socket)', async () => {
    const check = async (p: string | Buffer) => {
      const l = track(aio.socket(aio.AF_UNIX));
      await l.bind(p);
      l.listen(10);
      const c = track(aio.socket(aio.AF_UNIX));
      const [[conn]] = await within(Promise.all([l.accept(), c.connect(p)]), 5000);
      track(conn);
      await c.send(Buffer.from('x'));
      expect(await conn.recv(1)).toEqual(Buffer.from('x'));
    };
    await check(tmpPath('sock'));
    await check(Buffer.from(tmpPath('sock')));
    await check(abstractName('aio'));
  });

  it('close() interrupts a pending send and a pending recv with EBADF (test_interrupted_by_close)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const data = Buffer.alloc(99_999, 0x78);
    a.setblocking(false);
    for (let i = 0; i < 10_000; i++) {
      try {
        await a.send(data);
      } catch (e) {
        expect(e).toBeInstanceOf(socket.BlockingIOError);
        break;
      }
    }
    a.setblocking(true);
    const sender = a.send(data);
    const receiver = a.recv(1);
    expect(await isPending(sender)).toBe(true);
    expect(await isPending(receiver)).toBe(true);
    a.close();
    const [es, er] = await within(Promise.all([rejection(sender), rejection(receiver)]), 5000);
    for (const e of [es, er]) {
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(9);
    }
  });

  it('thousands of sockets wait for readability at once, and all are cancelled (test_many_sockets)', async () => {
    const total = 4000;
    const socks: ASock[] = [];
    for (let opened = 0; opened < total; opened += 2) {
      let pair: [ASock, ASock];
      try {
        pair = aio.socketpair();
      } catch (e: any) {
        expect([24, 23]).toContain(e.errno); // EMFILE / ENFILE: use what we got
        break;
      }
      socks.push(track(pair[0]), track(pair[1]));
    }
    expect(socks.length).toBeGreaterThan(100);
    const ac = new AbortController();
    const waits = socks.map((s) => s.recv(1, { signal: ac.signal }));
    expect(await isPending(Promise.race(waits), 100)).toBe(true);
    ac.abort();
    const results = await within(Promise.allSettled(waits), 10_000, 'aborting every recv');
    expect(results.every((r) => r.status === 'rejected' && (r.reason as Error).name === 'AbortError')).toBe(
      true,
    );
    for (const s of socks) s.close();
  });
});
