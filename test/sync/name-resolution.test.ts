// Name, service and interface resolution as CPython's GeneralModuleTests check it
// (Lib/test/test_socket.py): gethostby*, getaddrinfo, getnameinfo, getservby*, if_*.
// Each title names the original test.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { useSockets } from '../helpers/tracker';

useSockets();

const A = (v: unknown) => v as any;

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
    expect(() => socket.if_indextoname(2 ** 1000)).toThrow(RangeError); // CPython: OverflowError
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
