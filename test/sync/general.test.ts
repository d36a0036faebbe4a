// Port of the Linux-relevant parts of CPython's GeneralModuleTests (Lib/test/test_socket.py):
// module functions, socket attributes, repr, options, fd adoption. Each title names the
// original test. Python's tuples are arrays here, None is null, and ValueError/OverflowError
// on arguments are RangeError (API.md).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { inspect } from 'node:util';
import * as socket from '../../lib/index';
import {
  catchError,
  fdTarget,
  listener,
  pair,
  sock,
  tcpPair,
  track,
  udp,
  unixPath,
  useSockets,
} from '../helpers/tracker';

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
    expect(String(s)).toBe(`<socket.socket fd=${s.fileno()}, family=1, type=1, proto=0, laddr='${p}'>`);
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

describe('constants and enums (GeneralModuleTests)', () => {
  it('the crucial constants exist with Linux values (testCrucialConstants, testCrucialIpProtoConstants)', () => {
    expect(socket.AF_INET).toBe(2);
    expect(socket.AF_INET6).toBe(10);
    expect(socket.AF_UNIX).toBe(1);
    expect(socket.SOCK_STREAM).toBe(1);
    expect(socket.SOCK_DGRAM).toBe(2);
    expect(socket.SOCK_RAW).toBe(3);
    expect(socket.SOCK_RDM).toBe(4);
    expect(socket.SOCK_SEQPACKET).toBe(5);
    expect(socket.SOL_SOCKET).toBe(1);
    expect(socket.SO_REUSEADDR).toBe(2);
    expect(socket.IPPROTO_TCP).toBe(6);
    expect(socket.IPPROTO_UDP).toBe(17);
    expect(socket.IPPROTO_IPV6).toBe(41);
    expect(socket.SOCK_NONBLOCK).toBe(2048);
    expect(socket.SOCK_CLOEXEC).toBe(0x80000);
    expect(socket.has_ipv6).toBe(true);
  });

  it('AddressFamily and SocketKind map names to numbers and back (test_str_for_enums, test_addressfamily_enum, test_socketkind_enum)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect((socket.AddressFamily as any)[s.family]).toBe('AF_INET');
    expect((socket.SocketKind as any)[s.type]).toBe('SOCK_STREAM');
    expect((socket.AddressFamily as any).AF_INET6).toBe(socket.AF_INET6);
    expect((socket.SocketKind as any).SOCK_DGRAM).toBe(socket.SOCK_DGRAM);
    expect((socket.MsgFlag as any).MSG_PEEK).toBe(socket.MSG_PEEK);
    expect((socket.MsgFlag as any)[socket.MSG_PEEK]).toBe('MSG_PEEK');
    expect((socket.AddressInfo as any).AI_PASSIVE).toBe(socket.AI_PASSIVE);
    expect((socket.AddressInfo as any)[socket.AI_CANONNAME]).toBe('AI_CANONNAME');
  });
});

describe('name resolution (GeneralModuleTests)', () => {
  it('gethostname, gethostbyname, gethostbyaddr and getfqdn agree (testHostnameRes)', () => {
    const hostname = socket.gethostname();
    expect(typeof hostname).toBe('string');
    expect(hostname.length).toBeGreaterThan(0);
    const ip = socket.gethostbyname(hostname);
    expect(ip).toContain('.');
    const [hname, aliases] = socket.gethostbyaddr(ip);
    const all = [hostname, hname, ...aliases];
    expect(all).toContain(socket.getfqdn(ip));
  });

  it('gethostbyname returns a dotted quad unchanged; gethostbyaddr knows 127.0.0.1 (test_host_resolution)', () => {
    for (const addr of ['127.0.0.1', '10.0.0.1', '255.255.255.255'])
      expect(socket.gethostbyname(addr)).toBe(addr);
    expect(socket.gethostbyaddr('127.0.0.1')[2]).toContain('127.0.0.1');
    expect(socket.gethostbyname('')).toBe('0.0.0.0');
    expect(socket.gethostbyname('<broadcast>')).toBe('255.255.255.255');
    expect(socket.gethostbyname('localhost')).toBe('127.0.0.1');
  });

  it('malformed addresses fail to resolve with OSError (test_host_resolution_bad_address)', () => {
    for (const addr of ['0.1.1.~1', '1+.1.1.1', '::1q', '::1::2', '1:1:1:1:1:1:1:1:1']) {
      expect(() => socket.gethostbyname(addr), addr).toThrow(socket.OSError);
      expect(() => socket.gethostbyaddr(addr), addr).toThrow(socket.OSError);
    }
  });

  it('gethostbyname of an IPv6 literal is gaierror -9 (gethostbyname, IPv4 only)', () => {
    const e = catchError(() => socket.gethostbyname('::1'));
    expect(e).toBeInstanceOf(socket.gaierror);
    expect(e.errno).toBe(-9);
  });

  it('gethostbyname_ex of a numeric address (gethostbyname_ex)', () => {
    expect(socket.gethostbyname_ex('127.0.0.1')).toEqual(['127.0.0.1', [], ['127.0.0.1']]);
    const [name, aliases, addrs] = socket.gethostbyname_ex('localhost');
    expect(typeof name).toBe('string');
    expect(Array.isArray(aliases)).toBe(true);
    expect(addrs).toContain('127.0.0.1');
  });

  it('an unknown name is gaierror -2 "Name or service not known" (gaierror)', () => {
    for (const fn of [
      () => socket.getaddrinfo('nonexistent.invalid', 80),
      () => socket.gethostbyname('nonexistent.invalid'),
      () => socket.gethostbyname_ex('nonexistent.invalid'),
    ]) {
      const e = catchError(fn);
      expect(e).toBeInstanceOf(socket.gaierror);
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(-2);
      expect(e.strerror).toBe('Name or service not known');
      expect(e.message).toBe('[Errno -2] Name or service not known');
      expect(e.name).toBe('gaierror');
    }
  });

  it('an address without a name is herror 1 "Unknown host" (herror)', () => {
    const e = catchError(() => socket.gethostbyaddr('192.0.2.254'));
    expect(e).toBeInstanceOf(socket.herror);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(1);
    expect(e.message).toBe('[Errno 1] Unknown host');
    expect(e.name).toBe('herror');
  });

  it('getfqdn of "", 0.0.0.0 and :: is the local name (test_getfqdn_filter_localhost)', () => {
    expect(socket.getfqdn()).toBe(socket.getfqdn('0.0.0.0'));
    expect(socket.getfqdn()).toBe(socket.getfqdn('::'));
    expect(socket.getfqdn('')).toBe(socket.getfqdn());
    // An unresolvable name comes back unchanged.
    expect(socket.getfqdn('nonexistent.invalid')).toBe('nonexistent.invalid');
  });

  it('getaddrinfo: 5-item results, filters, proto and flags (testGetaddrinfo)', () => {
    for (const info of socket.getaddrinfo('127.0.0.1', null)) expect(info).toHaveLength(5);
    socket.getaddrinfo('localhost', 80);
    socket.getaddrinfo('127.0.0.1', 80);
    socket.getaddrinfo(null, 80);
    socket.getaddrinfo('::1', 80);
    socket.getaddrinfo('127.0.0.1', 'http');
    socket.getaddrinfo('127.0.0.1', null);
    const infos = socket.getaddrinfo('127.0.0.1', 80, socket.AF_INET, socket.SOCK_STREAM);
    expect(infos.length).toBeGreaterThan(0);
    for (const [family, type, proto, canon, sa] of infos) {
      expect(family).toBe(socket.AF_INET);
      expect(type).toBe(socket.SOCK_STREAM);
      expect(proto).toBe(socket.IPPROTO_TCP);
      expect(canon).toBe('');
      expect(sa).toEqual(['127.0.0.1', 80]);
    }
    for (const [, socktype] of socket.getaddrinfo('127.0.0.1', null, 0, socket.SOCK_STREAM)) {
      expect(socktype).toBe(socket.SOCK_STREAM);
    }
    socket.getaddrinfo('127.0.0.1', null, 0, 0, socket.SOL_TCP);
    socket.getaddrinfo('127.0.0.1', null, 0, 0, 0, socket.AI_PASSIVE);
    const passive = socket.getaddrinfo(null, 0, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE);
    expect(passive.map((i) => i[4])).toContainEqual(['0.0.0.0', 0]);
    const e = catchError(() => socket.getaddrinfo('localhost', 'http', 0, 0, 0, socket.AI_NUMERICSERV));
    expect(e).toBeInstanceOf(socket.gaierror);
    // Outcome undefined, but it must not crash.
    try {
      socket.getaddrinfo('localhost', null, 0, 0, 0, socket.AI_NUMERICSERV);
    } catch (err) {
      expect(err).toBeInstanceOf(socket.gaierror);
    }
  });

  it('getaddrinfo gives AF_INET6 addresses as 4 items, canonname with AI_CANONNAME (testGetaddrinfo, IPv6)', () => {
    const infos = socket.getaddrinfo('::1', 80, socket.AF_INET6, socket.SOCK_STREAM);
    expect(infos[0][0]).toBe(socket.AF_INET6);
    expect(infos[0][4]).toEqual(['::1', 80, 0, 0]);
    const canon = socket.getaddrinfo(
      'localhost',
      null,
      socket.AF_INET,
      socket.SOCK_STREAM,
      0,
      socket.AI_CANONNAME,
    );
    expect(canon[0][3]).toBe('localhost');
  });

  it('getaddrinfo never throws RangeError for a huge integer port (test_getaddrinfo_int_port_overflow)', () => {
    for (const port of [2 ** 32, 2 ** 31, 2 ** 53 - 1, -1, -(2 ** 31) - 1]) {
      try {
        socket.getaddrinfo(null, port, 0, socket.SOCK_STREAM);
      } catch (e) {
        expect(e, String(port)).toBeInstanceOf(socket.gaierror);
      }
    }
    socket.getaddrinfo(null, 0, 0, socket.SOCK_STREAM);
    socket.getaddrinfo(null, 0xffff, 0, socket.SOCK_STREAM);
  });

  it('getnameinfo only takes numeric hosts (test_getnameinfo)', () => {
    expect(() => socket.getnameinfo(['mail.python.org', 0], 0)).toThrow(socket.OSError);
    expect(socket.getnameinfo(['127.0.0.1', 80], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)).toEqual([
      '127.0.0.1',
      '80',
    ]);
    expect(socket.getnameinfo(['127.0.0.1', 80], socket.NI_NUMERICHOST)).toEqual(['127.0.0.1', 'http']);
    const [host] = socket.getnameinfo(['127.0.0.1', 0], 0);
    expect(host).toBe('localhost');
  });

  it('getnameinfo with a name in a 4-item address does not crash (testInterpreterCrash)', () => {
    expect(() => socket.getnameinfo(['x', 0, 0, 0], 0)).toThrow(socket.OSError);
  });

  it('getnameinfo of an IPv4 address with 4 items is OSError (getnameinfo, IPv4 sockaddr must be 2 tuple)', () => {
    const e = catchError(() => socket.getnameinfo(A(['127.0.0.1', 80, 0, 0]), 0));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe('IPv4 sockaddr must be 2 tuple');
  });

  it('getservbyname/getservbyport agree, with and without protocol (testGetServBy)', () => {
    let service = '';
    let port = 0;
    for (const candidate of ['daytime', 'qotd', 'domain']) {
      try {
        port = socket.getservbyname(candidate, 'tcp');
        service = candidate;
        break;
      } catch {
        // try the next one
      }
    }
    expect(service).not.toBe('');
    const port2 = socket.getservbyname(service);
    expect(port2).toBe(port);
    let udpport: number | null = null;
    try {
      udpport = socket.getservbyname(service, 'udp');
    } catch {
      udpport = null;
    }
    if (udpport !== null) expect(udpport).toBe(port);
    expect(socket.getservbyport(port2)).toBe(service);
    expect(socket.getservbyport(port, 'tcp')).toBe(service);
    if (udpport !== null) expect(socket.getservbyport(udpport, 'udp')).toBe(service);
    expect(() => socket.getservbyport(-1)).toThrow(RangeError);
    expect(() => socket.getservbyport(65536)).toThrow(RangeError);
    expect(() => socket.getservbyport(65536)).toThrow('getservbyport: port must be 0-65535.');
    expect(socket.getservbyname('http', 'tcp')).toBe(80);
  });

  it('unknown services and protocols are OSError without errno (getservbyname, getservbyport, getprotobyname)', () => {
    let e = catchError(() => socket.getservbyname('no-such-service-here'));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBeNull();
    expect(e.message).toBe('service/proto not found');
    e = catchError(() => socket.getservbyport(1, 'no-such-proto'));
    expect(e.message).toBe('port/proto not found');
    e = catchError(() => socket.getprotobyname('no-such-protocol'));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe('protocol not found');
    expect(socket.getprotobyname('tcp')).toBe(6);
    expect(socket.getprotobyname('udp')).toBe(17);
    expect(socket.getprotobyname('icmp')).toBe(1);
  });
});

describe('interfaces (GeneralModuleTests)', () => {
  it('if_nameindex, if_nametoindex and if_indextoname agree (testInterfaceNameIndex)', () => {
    const interfaces = socket.if_nameindex();
    expect(interfaces.length).toBeGreaterThan(0);
    for (const [index, name] of interfaces) {
      expect(Number.isInteger(index)).toBe(true);
      expect(typeof name).toBe('string');
      expect(index).toBeGreaterThan(0);
      expect(socket.if_nametoindex(name)).toBe(index);
      expect(socket.if_indextoname(index)).toBe(name);
    }
    expect(interfaces.map((i) => i[1])).toContain('lo');
    expect(socket.if_nametoindex(Buffer.from('lo'))).toBe(socket.if_nametoindex('lo'));
  });

  it('if_indextoname rejects 0, negative, huge and string indexes (testInvalidInterfaceIndexToName)', () => {
    const e = catchError(() => socket.if_indextoname(0));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(6);
    expect(() => socket.if_indextoname(-1)).toThrow(RangeError);
    expect(() => socket.if_indextoname(2 ** 53)).toThrow(RangeError);
    expect(() => socket.if_indextoname(A('_DEADBEEF'))).toThrow(TypeError);
    const known = new Set(socket.if_nameindex().map((i) => i[0]));
    for (const index of [2 ** 32 - 1]) {
      if (!known.has(index)) expect(() => socket.if_indextoname(index)).toThrow(Error);
    }
  });

  it('if_nametoindex rejects a number and an unknown name (testInvalidInterfaceNameToIndex)', () => {
    expect(() => socket.if_nametoindex(A(0))).toThrow(TypeError);
    const e = catchError(() => socket.if_nametoindex('_DEADBEEF'));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe('no interface with this name');
  });
});

describe('byte order and address conversions (GeneralModuleTests)', () => {
  it('htons/ntohs/htonl/ntohl are their own inverse (testNtoH)', () => {
    const fns: [(x: number) => number, number][] = [
      [socket.htonl, 32],
      [socket.ntohl, 32],
      [socket.htons, 16],
      [socket.ntohs, 16],
    ];
    for (const [fn, size] of fns) {
      const mask = size === 32 ? 0xffffffff : 0xffff;
      for (const i of [0, 1, 0xffff, 2, 0x01234567, 0x76543210, 0xffff0000]) {
        const v = size === 32 ? i >>> 0 : i & mask;
        expect(fn(fn(v))).toBe(v);
      }
      expect(fn(mask)).toBe(mask);
      expect(() => fn(2 ** 34)).toThrow(RangeError);
    }
    expect(socket.htons(0x1234)).toBe(0x3412);
    expect(socket.htonl(0x01020304)).toBe(0x04030201);
    expect(socket.ntohl(0xff000000)).toBe(0xff);
  });

  it('byte-order functions reject negative and too large values (testNtoHErrors)', () => {
    const sGood = [0, 1, 2, 0xffff];
    const lGood = [...sGood, 0xffffffff];
    const neg = [-1, -2, -(2 ** 15) - 1, -(2 ** 31) - 1, -(2 ** 53)];
    const lBad = [2 ** 32, 2 ** 52];
    const sBad = [...lBad, 2 ** 16, 2 ** 31 - 1, 2 ** 31];
    for (const k of sGood) {
      socket.ntohs(k);
      socket.htons(k);
    }
    for (const k of lGood) {
      socket.ntohl(k);
      socket.htonl(k);
    }
    for (const k of neg) {
      for (const fn of [socket.ntohs, socket.htons, socket.ntohl, socket.htonl])
        expect(() => fn(k), String(k)).toThrow(RangeError);
    }
    for (const k of sBad) {
      expect(() => socket.ntohs(k)).toThrow(RangeError);
      expect(() => socket.htons(k)).toThrow(RangeError);
    }
    for (const k of lBad) {
      expect(() => socket.ntohl(k)).toThrow(RangeError);
      expect(() => socket.htonl(k)).toThrow(RangeError);
    }
    for (const fn of [socket.ntohs, socket.htons, socket.ntohl, socket.htonl]) {
      expect(() => fn(1.5)).toThrow(TypeError);
      expect(() => fn(A('1'))).toThrow(TypeError);
    }
  });

  it('inet_aton always returns 4 bytes (testIPv4_inet_aton_fourbytes)', () => {
    expect(socket.inet_aton('0.0.0.0')).toEqual(Buffer.alloc(4));
    expect(socket.inet_aton('255.255.255.255')).toEqual(Buffer.alloc(4, 0xff));
  });

  it('inet_aton follows the BSD rules (inet_aton)', () => {
    expect(socket.inet_aton('1.2')).toEqual(Buffer.from([1, 0, 0, 2]));
    expect(socket.inet_aton('127')).toEqual(Buffer.from([0, 0, 0, 127]));
    expect(socket.inet_aton('0x7f.1')).toEqual(Buffer.from([127, 0, 0, 1]));
  });

  it('inet_aton and inet_pton(AF_INET) parse dotted quads (testIPv4toString)', () => {
    const g = (a: string) => socket.inet_pton(socket.AF_INET, a);
    for (const f of [socket.inet_aton, g]) {
      expect(f('0.0.0.0')).toEqual(Buffer.from([0, 0, 0, 0]));
      expect(f('255.0.255.0')).toEqual(Buffer.from([255, 0, 255, 0]));
      expect(f('170.170.170.170')).toEqual(Buffer.from([0xaa, 0xaa, 0xaa, 0xaa]));
      expect(f('1.2.3.4')).toEqual(Buffer.from([1, 2, 3, 4]));
      expect(f('255.255.255.255')).toEqual(Buffer.from([255, 255, 255, 255]));
      for (const bad of ['0.0.0.', '300.0.0.0', 'a.0.0.0', '1.2.3.4.5', '::1']) {
        expect(() => f(bad), bad).toThrow(socket.OSError);
      }
    }
    expect(() => socket.inet_aton('300.0.0.0')).toThrow('illegal IP address string passed to inet_aton');
    expect(() => g('300.0.0.0')).toThrow('illegal IP address string passed to inet_pton');
  });

  it('inet_pton(AF_INET6) parses IPv6 text (testIPv6toString)', () => {
    const f = (a: string) => socket.inet_pton(socket.AF_INET6, a);
    expect(f('::')).toEqual(Buffer.alloc(16));
    expect(f('0::0')).toEqual(Buffer.alloc(16));
    expect(f('1::')).toEqual(Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(14)]));
    expect(f('45ef:76cb:1a:56ef:afeb:bac:1924:aeae')).toEqual(
      Buffer.from('45ef76cb001a56efafeb0bac1924aeae', 'hex'),
    );
    expect(f('ad42:abc::127:0:254:2')).toEqual(Buffer.from('ad420abc000000000127000002540002', 'hex'));
    expect(f('12:a::')).toEqual(Buffer.concat([Buffer.from([0, 0x12, 0, 0x0a]), Buffer.alloc(12)]));
    expect(f('::254.42.23.64')).toEqual(
      Buffer.concat([Buffer.alloc(12), Buffer.from([0xfe, 0x2a, 0x17, 0x40])]),
    );
    expect(f('42::a29b:254.42.23.64')).toEqual(Buffer.from('00420000000000000000a29bfe2a1740', 'hex'));
    expect(f('42:a8b9:0:2:ffff:a29b:254.42.23.64')).toEqual(
      Buffer.from('0042a8b900000002ffffa29bfe2a1740', 'hex'),
    );
    for (const bad of [
      '0x20::',
      ':::',
      '::0::',
      '1::abc::',
      '1::abc::def',
      '1:2:3:4:5:6',
      '1:2:3:4:5:6:',
      '1:2:3:4:5:6:7:8:0',
      '1:2:3:4:5:6:7:8:',
      '255.254.253.252',
      '1::260.2.3.0',
      '1::0.be.e.0',
      '1:2:3:4:5:6:7:1.2.3.4',
      '::1.2.3.4:0',
      '0.100.200.0:3:4:5:6:7:8',
    ]) {
      expect(() => f(bad), bad).toThrow(socket.OSError);
    }
  });

  it('inet_ntoa and inet_ntop(AF_INET) format 4 bytes (testStringToIPv4)', () => {
    const g = (a: ArrayBufferView) => socket.inet_ntop(socket.AF_INET, a);
    for (const f of [socket.inet_ntoa, g]) {
      expect(f(Buffer.from([1, 0, 1, 0]))).toBe('1.0.1.0');
      expect(f(Buffer.from([0xaa, 0x55, 0xaa, 0x55]))).toBe('170.85.170.85');
      expect(f(Buffer.from([255, 255, 255, 255]))).toBe('255.255.255.255');
      expect(f(new Uint8Array([0xaa, 0x55, 0xaa, 0x55]))).toBe('170.85.170.85');
      for (const n of [3, 5, 16]) expect(() => f(Buffer.alloc(n))).toThrow(Error);
    }
    expect(socket.inet_ntoa(Buffer.from([1, 2, 3, 4]))).toBe('1.2.3.4');
    expect(() => socket.inet_ntoa(Buffer.alloc(3))).toThrow(socket.OSError);
    expect(() => socket.inet_ntoa(Buffer.alloc(3))).toThrow('packed IP wrong length for inet_ntoa');
    expect(() => g(Buffer.alloc(3))).toThrow(RangeError);
    expect(() => g(Buffer.alloc(3))).toThrow('invalid length of packed IP address string');
  });

  it('inet_ntop(AF_INET6) formats 16 bytes (testStringToIPv6)', () => {
    const f = (a: ArrayBufferView) => socket.inet_ntop(socket.AF_INET6, a);
    expect(f(Buffer.alloc(16))).toBe('::');
    expect(f(Buffer.concat([Buffer.alloc(15), Buffer.from([1])]))).toBe('::1');
    expect(f(Buffer.from('0aef0b0105061001ffff999700550170', 'hex'))).toBe(
      'aef:b01:506:1001:ffff:9997:55:170',
    );
    expect(f(new Uint8Array([...new Array(15).fill(0), 1]))).toBe('::1');
    expect(f(Buffer.from('00000000000000000000ffff7f000001', 'hex'))).toBe('::ffff:127.0.0.1');
    for (const n of [15, 17, 4]) expect(() => f(Buffer.alloc(n, 0x12))).toThrow(RangeError);
    expect(() => socket.inet_ntop(12345, Buffer.alloc(4))).toThrow('unknown address family 12345');
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
