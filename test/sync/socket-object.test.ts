// The blocking socket object as CPython's GeneralModuleTests check it (Lib/test/test_socket.py):
// attributes, repr, options, close, listen backlogs, fd adoption through socket(fileno=) and
// the default timeout. Each title names the original test. Python's tuples are arrays here,
// None is null, and ValueError/OverflowError on arguments are RangeError (API.md).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { inspect } from 'node:util';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { fdTarget } from '../helpers/fds';
import { unixPath } from '../helpers/paths';
import { listener, pair, sock, tcpPair, track, udp, useSockets } from '../helpers/tracker';

useSockets();

const A = (v: unknown) => v as any;

describe('socket objects (GeneralModuleTests)', () => {
  it('socket.socket, socket.Socket and socket.SocketType are one class (test_SocketType_is_socketobject)', () => {
    expect(socket.SocketType).toBe(socket.Socket);
    const s = sock();
    expect(s).toBeInstanceOf(socket.SocketType);
    expect(s).toBeInstanceOf(socket.socket);
    const t = track(new socket.Socket(socket.AF_INET, socket.SOCK_DGRAM));
    expect(t).toBeInstanceOf(socket.socket);
    expect(t.type).toBe(socket.SOCK_DGRAM);
  });

  it('socket.socket works with and without new (socket factory)', () => {
    const a = track(new (socket.socket as any)(socket.AF_INET, socket.SOCK_DGRAM));
    expect(a).toBeInstanceOf(socket.Socket);
    expect(a.type).toBe(socket.SOCK_DGRAM);
    const b = track(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM, 0));
    expect(b).toBeInstanceOf(socket.Socket);
    expect(b.family).toBe(socket.AF_UNIX);
  });

  it('repr shows fd, family, type, proto, then laddr once bound and [closed] after close (test_repr)', () => {
    const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    track(s);
    const r0 = String(s);
    // An unbound AF_INET socket still has a (non-empty) local name, which Python shows.
    expect(r0).toBe(
      `<socket.socket fd=${s.fileno()}, family=${socket.AF_INET}, type=${socket.SOCK_STREAM}, proto=0, laddr=['0.0.0.0', 0]>`,
    );
    expect(r0).not.toContain('raddr');
    s.bind(['127.0.0.1', 0]);
    const port = (s.getsockname() as [string, number])[1];
    expect(s.toString()).toBe(
      `<socket.socket fd=${s.fileno()}, family=2, type=1, proto=0, laddr=['127.0.0.1', ${port}]>`,
    );
    expect(inspect(s)).toBe(s.toString());
    expect(`${s}`).toBe(s.toString());
    s.close();
    expect(String(s)).toBe('<socket.socket [closed] fd=-1, family=2, type=1, proto=0>');
    expect(inspect(s)).toBe('<socket.socket [closed] fd=-1, family=2, type=1, proto=0>');
  });

  it('repr of a connected socket has laddr and raddr (test_repr, connected)', () => {
    const { cli, port } = tcpPair();
    const local = cli.getsockname() as [string, number];
    expect(inspect(cli)).toBe(
      `<socket.socket fd=${cli.fileno()}, family=2, type=1, proto=0, laddr=['127.0.0.1', ${local[1]}], raddr=['127.0.0.1', ${port}]>`,
    );
  });

  it('repr of an unbound AF_UNIX socket omits the empty laddr (test_repr, AF_UNIX)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    expect(String(s)).toBe(`<socket.socket fd=${s.fileno()}, family=1, type=1, proto=0>`);
    const p = unixPath();
    s.bind(p);
    // As CPython's repr ("%s" of the address): the path without quotes.
    expect(String(s)).toBe(`<socket.socket fd=${s.fileno()}, family=1, type=1, proto=0, laddr=${p}>`);
  });

  it('a WeakRef to a socket works while it is alive (test_weakref)', () => {
    const s = sock();
    const w = new WeakRef(s);
    expect(w.deref()?.fileno()).toBe(s.fileno());
  });

  it('family, type and proto of a new socket (testNewAttributes)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect(s.family).toBe(socket.AF_INET);
    expect(s.type).toBe(socket.SOCK_STREAM);
    expect(s.proto).toBe(0);
    // Default arguments are AF_INET, SOCK_STREAM, 0.
    const d = sock();
    expect([d.family, d.type, d.proto]).toEqual([socket.AF_INET, socket.SOCK_STREAM, 0]);
    // Readable after close, as in Python.
    d.close();
    expect([d.family, d.type, d.proto]).toEqual([socket.AF_INET, socket.SOCK_STREAM, 0]);
  });

  it('SOCK_NONBLOCK and SOCK_CLOEXEC never show in .type (test_socket_consistent_sock_type)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.settimeout(1);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.settimeout(0);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.setblocking(true);
    expect(s.type).toBe(socket.SOCK_STREAM);
    s.setblocking(false);
    expect(s.type).toBe(socket.SOCK_STREAM);
  });

  it('getsockname of a socket bound to 0.0.0.0 (testSockName)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    s.bind(['0.0.0.0', 0]);
    const [host, port] = s.getsockname() as [string, number];
    expect(host).toBe('0.0.0.0');
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThanOrEqual(65535);
  });

  it('getsockname of unbound sockets of each family (testSockName, unbound)', () => {
    expect(sock(socket.AF_INET).getsockname()).toEqual(['0.0.0.0', 0]);
    expect(sock(socket.AF_INET6).getsockname()).toEqual(['::', 0, 0, 0]);
    expect(sock(socket.AF_UNIX).getsockname()).toBe('');
  });

  it('SO_REUSEADDR starts off (testGetSockOpt)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).toBe(0);
  });

  it('setsockopt(SO_REUSEADDR, 1) turns it on (testSetSockOpt)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect(s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)).toBeUndefined();
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).not.toBe(0);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).toBe(0);
    // A boolean is accepted as an int, as Python's True.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, A(true));
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)).not.toBe(0);
  });

  it('getsockopt with buflen returns a Buffer cut to what the kernel wrote (testGetSockOpt, buflen form)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    const b = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 100) as Buffer;
    expect(Buffer.isBuffer(b)).toBe(true);
    expect(b.length).toBe(4);
    expect(b.readInt32LE(0)).toBe(socket.SOCK_STREAM);
    const one = s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 1) as Buffer;
    expect(Buffer.isBuffer(one)).toBe(true);
    expect(one.length).toBe(1);
    // buflen 0 is the int form.
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0)).toBe(socket.SOCK_STREAM);
    const linger = s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8) as Buffer;
    expect(linger).toEqual(Buffer.alloc(8));
  });

  it('setsockopt takes a bytes-like value (testSetSockOpt, bytes form)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    const on = Buffer.alloc(4);
    on.writeInt32LE(1);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, on);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)).toBe(1);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, new Uint8Array(4));
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)).toBe(0);
    const linger = Buffer.alloc(8);
    linger.writeInt32LE(1, 0);
    linger.writeInt32LE(7, 4);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, new DataView(linger.buffer, linger.byteOffset, 8));
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)).toEqual(linger);
  });

  it('setsockopt(level, opt, null, optlen) passes a NULL value (testSetSockOpt, None form)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    // SO_BINDTODEVICE with NULL/0 removes any binding: accepted by Linux without privileges.
    expect(s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, null, 0)).toBeUndefined();
    // An int option needs an int: NULL with optlen 4 is EFAULT from the kernel.
    const e = catchError(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 4));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(14);
    expect(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null)).toThrow(TypeError);
    expect(() => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4)).toThrow(TypeError);
  });

  it('send after close fails with EBADF, also with a timeout set (testSendAfterClose)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    s.settimeout(1);
    s.close();
    const e = catchError(() => s.send(Buffer.from('spam')));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
  });

  it('close() reports EBADF when the fd was closed underneath (testCloseException)', () => {
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    socket.socket(undefined, undefined, undefined, s.fileno()).close();
    const e = catchError(() => s.close());
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
    // The object still counts as closed afterwards.
    expect(s.fileno()).toBe(-1);
  });

  it('close() is idempotent (TCPCloserTest.testClose, repeated close)', () => {
    const s = sock();
    s.close();
    expect(s.close()).toBeUndefined();
    s.close();
    expect(s.fileno()).toBe(-1);
  });

  it('a port outside 0..65535 is a RangeError from bind (test_getsockaddrarg)', () => {
    const s = sock();
    const base = 5000;
    expect(() => s.bind(['127.0.0.1', base + 65536])).toThrow(RangeError);
    expect(() => s.bind(['127.0.0.1', base - 65536])).toThrow(RangeError);
    expect(() => s.bind(['127.0.0.1', base + 65536])).toThrow('bind(): port must be 0-65535.');
    s.bind(['127.0.0.1', 0]);
  });

  it('sendto rejects bad data, addresses and argument counts with TypeError (testSendtoErrors)', () => {
    const { s, addr } = udp();
    let e = catchError(() => s.sendto(A('\u2620'), addr));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("a bytes-like object is required, not 'string'");
    e = catchError(() => s.sendto(A(5), addr));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^a bytes-like object is required, not /);
    e = catchError(() => s.sendto(Buffer.from('foo'), A(null)));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/not null/);
    // The three-argument form.
    e = catchError(() => s.sendto(A('\u2620'), 0, addr));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("a bytes-like object is required, not 'string'");
    e = catchError(() => s.sendto(A({}), 0, addr));
    expect(e).toBeInstanceOf(TypeError);
    e = catchError(() => s.sendto(Buffer.from('foo'), 0, A(null)));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/not null/);
    expect(() => s.sendto(Buffer.from('foo'), A('bar'), addr)).toThrow(TypeError);
    expect(() => s.sendto(Buffer.from('foo'), A(null), A(null))).toThrow(TypeError);
    // Wrong number of arguments.
    e = catchError(() => A(s).sendto(Buffer.from('foo')));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('sendto() takes 2 or 3 arguments (1 given)');
    e = catchError(() => A(s).sendto(Buffer.from('foo'), 0, addr, 4));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('(4 given)');
  });

  it('listen() takes backlog 0, -1 or none (test_listen_backlog)', () => {
    for (const backlog of [0, -1]) {
      const s = sock();
      s.bind(['127.0.0.1', 0]);
      expect(s.listen(backlog)).toBeUndefined();
      expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
    }
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    s.listen();
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)).toBe(1);
  });

  it('listen() with a backlog beyond a C int is a RangeError (test_listen_backlog_overflow)', () => {
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    expect(() => s.listen(2 ** 31)).toThrow(RangeError);
  });

  it('listen() without a backlog queues min(SOMAXCONN, 128) connections (listen, default backlog)', () => {
    // The default backlog is big enough that 20 connections queue without accept().
    const { srv, port } = listener();
    for (let i = 0; i < 20; i++) {
      const c = sock();
      c.settimeout(5);
      c.connect(['127.0.0.1', port]);
    }
    srv.settimeout(5);
    for (let i = 0; i < 20; i++) track(srv.accept()[0]);
  });

  it('socket.close(fd) closes the fd; socket.close(null) is a TypeError (test_socket_close)', () => {
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    expect(socket.close(s.fileno())).toBeUndefined();
    expect(() => s.listen(1)).toThrow(socket.OSError);
    const e = catchError(() => s.close());
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
    expect(() => socket.close(A(null))).toThrow(TypeError);
    const e2 = catchError(() => socket.close(-1));
    expect(e2).toBeInstanceOf(socket.OSError);
    expect(e2.errno).toBe(9);
  });

  it('socket.dup(fd) returns a new non-inheritable fd on the same socket (module dup)', () => {
    const [a, b] = pair();
    const fd = socket.dup(a.fileno());
    expect(fd).not.toBe(a.fileno());
    const c = track(socket.socket(undefined, undefined, undefined, fd));
    expect(c.get_inheritable()).toBe(false);
    c.sendall(Buffer.from('via dup'));
    b.settimeout(5);
    expect(b.recv(100).toString()).toBe('via dup');
  });
});

describe('socket(fileno=...) (GeneralModuleTests)', () => {
  const check = (s: socket.Socket, family: number, type: number) => {
    expect(s.family).toBe(family);
    expect(s.type).toBe(type);
    const fd = s.fileno();
    const s2 = track(socket.socket(undefined, undefined, undefined, fd));
    s.detach();
    expect(s2.family).toBe(family);
    expect(s2.type).toBe(type);
    expect(s2.fileno()).toBe(fd);
    return s2;
  };

  it('detects family and type of a TCP, UDP, TCPv6 and AF_UNIX fd (test_socket_fileno)', () => {
    let s = sock(socket.AF_INET, socket.SOCK_STREAM);
    s.bind(['127.0.0.1', 0]);
    const name = s.getsockname();
    expect(check(s, socket.AF_INET, socket.SOCK_STREAM).getsockname()).toEqual(name);

    s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(['127.0.0.1', 0]);
    check(s, socket.AF_INET, socket.SOCK_DGRAM);

    s = sock(socket.AF_INET6, socket.SOCK_STREAM);
    s.bind(['::1', 0, 0, 0]);
    check(s, socket.AF_INET6, socket.SOCK_STREAM);

    s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = unixPath();
    s.bind(p);
    expect(check(s, socket.AF_UNIX, socket.SOCK_STREAM).getsockname()).toBe(p);
  });

  it('detects proto too (test_socket_fileno, proto)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP);
    const s2 = check(s, socket.AF_INET, socket.SOCK_STREAM);
    expect(s2.proto).toBe(socket.IPPROTO_TCP);
  });

  it('a family/type that does not match the fd is OSError EINVAL, and the fd stays open (test_unknown_socket_family_repr, bsdsock decision)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    const fd = s.detach();
    try {
      const e = catchError(() => socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0, fd));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(22);
      const e2 = catchError(() => socket.socket(9999, 99, 23, fd));
      expect(e2).toBeInstanceOf(socket.OSError);
      expect(e2.errno).toBe(22);
      expect(fdTarget(fd)).toMatch(/^socket:/);
      // Matching values are accepted.
      const ok = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, fd);
      expect(ok.fileno()).toBe(fd);
      ok.detach();
    } finally {
      socket.close(fd);
    }
  });

  it('explicit family and type with proto 0 (the default protocol) are accepted for a TCP fd (test_socket_fileno, explicit arguments)', () => {
    // proto 0 means "the default protocol of the family and type", which a TCP fd reports
    // as IPPROTO_TCP; socket(AF_INET, SOCK_STREAM, 0, fd) is what fromfd() does by default.
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    const fd = s.detach();
    const ok = track(socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd));
    expect(ok.fileno()).toBe(fd);
    expect(ok.family).toBe(socket.AF_INET);
    expect(ok.type).toBe(socket.SOCK_STREAM);
  });

  it('a non-integer fileno is a TypeError (test_socket_fileno_rejects_float)', () => {
    expect(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, 42.5)).toThrow(TypeError);
  });

  it('a string fileno is a TypeError (test_socket_fileno_rejects_other_types)', () => {
    expect(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, A('foo'))).toThrow(TypeError);
  });

  it('fileno -1 is a RangeError "negative file descriptor" (test_socket_fileno_rejects_invalid_socket)', () => {
    expect(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, -1)).toThrow(RangeError);
    expect(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, -1)).toThrow(
      'negative file descriptor',
    );
  });

  it('fileno -42 is a RangeError too (test_socket_fileno_rejects_negative)', () => {
    expect(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, -42)).toThrow(
      'negative file descriptor',
    );
  });

  it('a closed fd number is OSError EBADF (test_socket_fileno_requires_valid_fd)', () => {
    const bad = 1 << 20; // far above RLIMIT_NOFILE, never open
    let e = catchError(() => socket.socket(undefined, undefined, undefined, bad));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
    e = catchError(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, bad));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
  });

  it('a regular file fd is OSError ENOTSOCK (test_socket_fileno_requires_socket_fd)', () => {
    const fd = fs.openSync('/proc/self/status', 'r');
    try {
      expect(() => socket.socket(undefined, undefined, undefined, fd)).toThrow(socket.OSError);
      const e = catchError(() => socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, fd));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(88);
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe('default timeout (GeneralModuleTests)', () => {
  it('starts null, propagates to new sockets, rejects bad values (testDefaultTimeout)', () => {
    expect(socket.getdefaulttimeout()).toBeNull();
    expect(sock().gettimeout()).toBeNull();
    socket.setdefaulttimeout(10);
    expect(socket.getdefaulttimeout()).toBe(10);
    expect(sock().gettimeout()).toBe(10);
    socket.setdefaulttimeout(null);
    expect(socket.getdefaulttimeout()).toBeNull();
    expect(sock().gettimeout()).toBeNull();
    expect(() => socket.setdefaulttimeout(-1)).toThrow(RangeError);
    expect(() => socket.setdefaulttimeout(-1)).toThrow('Timeout value out of range');
    expect(() => socket.setdefaulttimeout(A('spam'))).toThrow(TypeError);
    expect(socket.getdefaulttimeout()).toBeNull();
  });

  it('applies to socketpair, fromfd and socket(fileno=) too (setdefaulttimeout)', () => {
    socket.setdefaulttimeout(2.5);
    const [a, b] = pair();
    expect(a.gettimeout()).toBe(2.5);
    expect(b.gettimeout()).toBe(2.5);
    const c = track(socket.fromfd(a.fileno(), socket.AF_UNIX, socket.SOCK_STREAM));
    expect(c.gettimeout()).toBe(2.5);
    const d = track(socket.socket(undefined, undefined, undefined, socket.dup(b.fileno())));
    expect(d.gettimeout()).toBe(2.5);
    socket.setdefaulttimeout(0);
    const e = sock();
    expect(e.gettimeout()).toBe(0);
    expect(e.getblocking()).toBe(false);
  });
});

describe('the state a socket carries', () => {
  it('shows no own enumerable properties: Object.keys, JSON and structuredClone see nothing', async () => {
    const [a, b] = pair();
    const aa = socket.aio.from_stdlib_socket(a);
    // After a wait, the engine's record hangs off the state too.
    const got = aa.recv(4);
    b.send(Buffer.from('x'));
    expect((await got).toString()).toBe('x');
    expect(Object.keys(a)).toEqual([]);
    expect(JSON.stringify(a)).toBe('{}');
    expect(JSON.stringify(aa)).toBe('{}');
    expect(structuredClone(a)).toEqual({});
  });

  it("a subclass's own fields named like the state (fd, watch, _timeout) change nothing", async () => {
    class Tagged extends socket.Socket {
      fd = 'tag';
      watch = new Set<number>();
      _timeout = 5;
      waitTimeout = 'x';
    }
    const s = track(new Tagged(socket.AF_UNIX, socket.SOCK_STREAM));
    expect(s.fd).toBe('tag');
    expect(s.fileno()).toBeGreaterThanOrEqual(0);
    expect(s.gettimeout()).toBeNull();
    s.settimeout(2);
    expect(s.gettimeout()).toBe(2);
    const fd = s.fileno();
    s.close();
    expect(s.fileno()).toBe(-1);
    expect(fdTarget(fd) ?? 'closed').not.toMatch(/^socket:/);
  });
});
