// AF_INET6 on ::1: the IPv6 tests of CPython's test_socket.py (test_flowinfo,
// test_getaddrinfo_ipv6_*, test_getnameinfo_ipv6_*, the IPv6 cases of test_socket_fileno and
// CreateServerTest) plus the address rules of API.md: 2 to 4 items in, always 4 out.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { accept, listener, sock, tcpPair, udp, useSockets } from '../helpers/tracker';

useSockets();

const MSG = Buffer.from('over IPv6 \u00b5\n', 'utf8');

/** A link-local address of some interface, from /proc/net/if_inet6 (or null). */
function linkLocal(): { addr: string; ifname: string; index: number } | null {
  let text = '';
  try {
    text = fs.readFileSync('/proc/net/if_inet6', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.trim().split('\n')) {
    const [hex, idx, , scope, , name] = line.trim().split(/\s+/);
    if (scope === '20' && hex.startsWith('fe80')) {
      const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
      const full = groups.join(':');
      return {
        addr: socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, full)),
        ifname: name,
        index: parseInt(idx, 16),
      };
    }
  }
  return null;
}

describe('IPv6 addresses', () => {
  it('getsockname always returns [host, port, flowinfo, scope_id] (AF_INET6 output)', () => {
    for (const addr of [
      ['::1', 0],
      ['::1', 0, 0],
      ['::1', 0, 0, 0],
    ] as const) {
      const s = sock(socket.AF_INET6, socket.SOCK_STREAM);
      s.bind(addr as any);
      const name = s.getsockname() as unknown[];
      expect(name).toHaveLength(4);
      expect(name[0]).toBe('::1');
      expect(name[1]).toBeGreaterThan(0);
      expect(name.slice(2)).toEqual([0, 0]);
    }
  });

  it("'' is :: on an AF_INET6 socket (AF_INET6 '' host)", () => {
    const s = sock(socket.AF_INET6, socket.SOCK_DGRAM);
    s.bind(['', 0]);
    expect((s.getsockname() as unknown[]).slice(0, 1)).toEqual(['::']);
  });

  it("'<broadcast>' on AF_INET6 is OSError 'address family mismatched' (AF_INET6 '<broadcast>')", () => {
    const e = catchError(() => sock(socket.AF_INET6).bind(['<broadcast>', 0]));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe('address family mismatched');
    expect(e.errno).toBeNull();
  });

  it('an IPv4 literal on AF_INET6 is gaierror -9 (AF_INET6, IPv4 literal)', () => {
    const e = catchError(() => sock(socket.AF_INET6).bind(['127.0.0.1', 0]));
    expect(e).toBeInstanceOf(socket.gaierror);
    expect(e.errno).toBe(-9);
  });

  it('flowinfo above 0xfffff or negative is a RangeError, in bind and getnameinfo (test_flowinfo)', () => {
    expect(() => socket.getnameinfo(['::1', 0, 0xffffffff], 0)).toThrow(RangeError);
    const s = sock(socket.AF_INET6, socket.SOCK_STREAM);
    expect(() => s.bind(['::1', 0, -10])).toThrow(RangeError);
    expect(() => s.bind(['::1', 0, 0x100000, 0])).toThrow(RangeError);
    expect(() => s.bind(['::1', 0, 0x100000, 0])).toThrow('bind(): flowinfo must be 0-1048575.');
    expect(() => s.connect(['::1', 1, 0x100000, 0])).toThrow('connect(): flowinfo must be 0-1048575.');
    // The largest flowinfo is accepted.
    s.bind(['::1', 0, 0xfffff, 0]);
  });

  it('a 1-item or 5-item address is a TypeError (AF_INET6 arity)', () => {
    const s = sock(socket.AF_INET6);
    for (const bad of [['::1'], ['::1', 0, 0, 0, 0]]) {
      const e = catchError(() => s.bind(bad as any));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/^AF_INET6 address must be /);
    }
    const e = catchError(() => s.bind('::1' as any));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('bind(): AF_INET6 address must be an array, not string');
  });

  it('getaddrinfo lower-cases the host and returns 4 items (test_getaddrinfo_ipv6_basic)', () => {
    const res = socket.getaddrinfo(
      'ff02::1de:c0:face:8D',
      1234,
      socket.AF_INET6,
      socket.SOCK_DGRAM,
      socket.IPPROTO_UDP,
    );
    expect(res).toHaveLength(1);
    expect(res[0][4]).toEqual(['ff02::1de:c0:face:8d', 1234, 0, 0]);
  });

  it('getaddrinfo moves a %ifname suffix into scope_id (test_getaddrinfo_ipv6_scopeid_symbolic)', () => {
    const [ifindex, name] = socket.if_nameindex()[0];
    const res = socket.getaddrinfo(
      `ff02::1de:c0:face:8D%${name}`,
      1234,
      socket.AF_INET6,
      socket.SOCK_DGRAM,
      socket.IPPROTO_UDP,
    );
    expect(res).toHaveLength(1);
    expect(res[0][4]).toEqual(['ff02::1de:c0:face:8d', 1234, 0, ifindex]);
  });

  it('getnameinfo renders scope_id as %ifname (test_getnameinfo_ipv6_scopeid_symbolic)', () => {
    const [ifindex, name] = socket.if_nameindex()[0];
    const info = socket.getnameinfo(
      ['ff02::1de:c0:face:8D', 1234, 0, ifindex],
      socket.NI_NUMERICHOST | socket.NI_NUMERICSERV,
    );
    expect(info).toEqual([`ff02::1de:c0:face:8d%${name}`, '1234']);
  });

  it('getnameinfo of ::1 (getnameinfo, IPv6)', () => {
    expect(socket.getnameinfo(['::1', 80], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)).toEqual([
      '::1',
      '80',
    ]);
    expect(socket.getnameinfo(['::1', 80, 0, 0], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)).toEqual([
      '::1',
      '80',
    ]);
  });

  const ll = linkLocal();
  it.skipIf(!ll)(
    'a link-local address binds with its scope_id, which getsockname reports (AF_INET6 scope_id)',
    () => {
      const s = sock(socket.AF_INET6, socket.SOCK_DGRAM);
      s.bind([ll!.addr, 0, 0, ll!.index]);
      const name = s.getsockname() as [string, number, number, number];
      expect(name[0]).toBe(ll!.addr);
      expect(name[3]).toBe(ll!.index);
      // The '%ifname' form works too when no scope_id is given.
      const t = sock(socket.AF_INET6, socket.SOCK_DGRAM);
      t.bind([`${ll!.addr}%${ll!.ifname}`, 0]);
      expect((t.getsockname() as number[])[3]).toBe(ll!.index);
    },
  );
});

describe('TCP and UDP over ::1', () => {
  it('connect, accept and exchange data; accept gives a 4-item address (BasicTCPTest over IPv6)', () => {
    const { cli, conn, port } = tcpPair('::1');
    expect(cli.family).toBe(socket.AF_INET6);
    expect(cli.getpeername()).toEqual(['::1', port, 0, 0]);
    const local = cli.getsockname() as unknown[];
    expect(local).toHaveLength(4);
    expect(conn.getpeername()).toEqual(local);
    cli.sendall(MSG);
    expect(conn.recv(1024)).toEqual(MSG);
    expect(String(cli)).toBe(
      `<socket.socket fd=${cli.fileno()}, family=10, type=1, proto=0, laddr=['::1', ${local[1]}, 0, 0], raddr=['::1', ${port}, 0, 0]>`,
    );
  });

  it('UDP over ::1: recvfrom gives the 4-item sender address (BasicUDPTest over IPv6)', () => {
    const { s: serv, addr } = udp('::1');
    const { s: cli } = udp('::1');
    expect(cli.sendto(MSG, addr)).toBe(MSG.length);
    const [data, from] = serv.recvfrom(1024);
    expect(data).toEqual(MSG);
    expect(from).toEqual(cli.getsockname());
    expect(from).toHaveLength(4);
    const buf = Buffer.alloc(100);
    cli.sendto(MSG, 0, [addr[0], addr[1], 0, 0]);
    expect(serv.recvfrom_into(buf)).toEqual([MSG.length, cli.getsockname()]);
  });

  it('IPV6_V6ONLY off lets an IPv6 listener accept IPv4 clients as ::ffff:127.0.0.1 (IPv4-mapped addresses)', () => {
    const srv = sock(socket.AF_INET6, socket.SOCK_STREAM);
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0);
    expect(srv.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)).toBe(0);
    srv.bind(['::', 0]);
    srv.listen();
    const port = (srv.getsockname() as [string, number])[1];
    const c4 = sock(socket.AF_INET, socket.SOCK_STREAM);
    c4.connect(['127.0.0.1', port]);
    const [, addr] = accept(srv);
    expect((addr as unknown[])[0]).toBe('::ffff:127.0.0.1');
    const c6 = sock(socket.AF_INET6, socket.SOCK_STREAM);
    c6.connect(['::ffff:127.0.0.1', port]);
    accept(srv);
  });

  it('a listener on ::1 from the helper (listener on IPv6)', () => {
    const { srv, addr } = listener('::1');
    expect(srv.family).toBe(socket.AF_INET6);
    const c = sock(socket.AF_INET6);
    expect(c.connect_ex(addr)).toBe(0);
  });
});
