// Type cases, compiled (never run) by test/types/types.test.ts against the built package as
// a user imports it. A line must compile unless it follows `// @ts-expect-error`, and then
// it must not (tsc reports a directive with no error under it). `exact<T>()(value)`
// compiles only when value's type is exactly T. Not in tsconfig.check.json: it reads the
// package's declarations (dist/), where the internal members are absent.
import * as socket from 'bsdsock';
import * as aio from 'bsdsock/aio';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
declare function exact<T>(): <V>(value: V, ...mismatch: Equal<V, T> extends true ? [] : [never]) => void;

declare const anyFamily: number;
declare const anyType: number;
declare const data: Buffer;

export function constants(): void {
  exact<2>()(socket.AF_INET);
  exact<10>()(socket.AF_INET6);
  exact<1>()(socket.AF_UNIX);
  exact<1>()(socket.SOCK_STREAM);
  exact<2>()(socket.SOCK_DGRAM);
  exact<17>()(aio.AF_PACKET);
  // Values that differ between builds (glibc, musl) are numbers.
  exact<number>()(socket.SOMAXCONN);
  exact<number>()(socket.NI_MAXHOST);
  // Bitwise combinations are numbers.
  exact<number>()(socket.SOCK_STREAM | socket.SOCK_NONBLOCK);

  exact<2>()(socket.AddressFamily.AF_INET);
  exact<1>()(socket.SocketKind.SOCK_STREAM);
  exact<2>()(socket.MsgFlag.MSG_PEEK);
  exact<1>()(socket.AddressInfo.AI_PASSIVE);
  exact<string>()(socket.AddressFamily[2]);
  // @ts-expect-error -- a misspelt member
  void socket.AddressFamily.AF_INTE;
  // @ts-expect-error -- a member of another map
  void socket.SocketKind.AF_INET;
  // @ts-expect-error -- AF_DECnet is not in Python's AddressFamily (nor at run time)
  void socket.AddressFamily.AF_DECnet;
}

export function families(): void {
  // AF_INET: [host, port]; the UDP echo of the issue.
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  exact<socket.Socket<2, 2>>()(udp);
  const [host, port] = udp.getsockname();
  exact<string>()(host);
  exact<number>()(port);
  exact<[string, number]>()(udp.getpeername());
  const [payload, from] = udp.recvfrom(1024);
  exact<[string, number]>()(from);
  udp.sendto(payload, from);
  udp.sendto(payload, socket.MSG_DONTWAIT, from);
  exact<[string, number]>()(udp.recvfrom_into(data)[1]);
  exact<[Buffer, [string, number]][]>()(udp.recvmmsg(8, 1500));
  // recvmsg may read the error queue, whose messages can come without an address.
  exact<[string, number] | null>()(udp.recvmsg(1500, 64)[3]);
  exact<[string, number] | null>()(udp.recvmsg_into([data])[3]);
  udp.sendmsg([data], [], 0, from);
  udp.sendmmsg([[data, from]]);
  udp.sendmmsg([data]);
  udp.bind(['', 0]);
  udp.bind([Buffer.from('127.0.0.1'), 0]);
  udp.connect(['localhost', 53]);
  exact<number>()(udp.connect_ex(['127.0.0.1', 53]));
  exact<2>()(udp.family);
  exact<2>()(udp.type);
  // @ts-expect-error -- the port first
  udp.connect([8080, '127.0.0.1']);
  // @ts-expect-error -- an AF_INET6 address on an AF_INET socket
  udp.connect(['::1', 53, 0, 0]);
  // @ts-expect-error -- an AF_UNIX address on an AF_INET socket
  udp.bind('/tmp/socket');
  // @ts-expect-error -- sendto's address is not optional
  udp.sendto(payload);
  // @ts-expect-error -- a wrong address in sendmmsg
  udp.sendmmsg([[data, ['127.0.0.1']]]);

  // A TCP socket's recvfrom has no source address; accept gives a socket of the same kind.
  const tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  exact<null>()(tcp.recvfrom(10)[1]);
  const [conn, peer] = tcp.accept();
  exact<socket.Socket<2, 1>>()(conn);
  exact<[string, number]>()(peer);
  exact<socket.Socket<2, 1>>()(tcp.dup());
  exact<socket.Socket<2, 1>>()(socket.socket());
  exact<socket.Socket<2, 1>>()(socket.socket(null));
  exact<socket.Socket<10, 2>>()(socket.socket({ family: socket.AF_INET6, type: socket.SOCK_DGRAM }));
  exact<socket.Socket<10, 1>>()(socket.socket(socket.AF_INET6, { proto: 0 }));
  exact<socket.Socket<2, 1>>()(new socket.socket(socket.AF_INET, socket.SOCK_STREAM));

  // AF_INET6: four items back, two to four in.
  const v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM);
  exact<[string, number, number, number]>()(v6.getsockname());
  const [host6, port6, flowinfo, scope] = v6.getpeername();
  exact<string>()(host6);
  exact<number>()(port6 + flowinfo + scope);
  v6.connect(['::1', 80]);
  v6.connect(['fe80::1%lo', 80, 0]);
  v6.connect(['fe80::1', 80, 0, 1]);
  // @ts-expect-error -- a host alone
  v6.connect(['::1']);

  // AF_UNIX: a path or an abstract name.
  const unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  exact<string | Buffer>()(unix.getsockname());
  exact<string | Buffer | null>()(unix.recvfrom(10)[1]);
  unix.bind('/tmp/socket');
  unix.bind(Buffer.from('\0abstract'));
  unix.sendto(data, '/tmp/other');
  // @ts-expect-error -- an AF_INET address on an AF_UNIX socket
  unix.connect(['127.0.0.1', 80]);

  // AF_PACKET: [ifname, proto, pkttype, hatype, addr].
  const packet = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL));
  exact<[string, number, number, number, Buffer]>()(packet.getsockname());
  exact<[string, number, number, number, Buffer]>()(packet.recvfrom(2048)[1]);
  packet.bind(['lo', socket.ETH_P_ALL]);
  packet.sendto(data, ['lo', socket.ETH_P_IP, 0, 0, Buffer.alloc(6)]);
  // @ts-expect-error -- the interface name first
  packet.bind([socket.ETH_P_ALL, 'lo']);

  // AF_NETLINK: [pid, groups].
  const netlink = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE);
  exact<[number, number]>()(netlink.getsockname());
  netlink.bind([0, 0]);
  // @ts-expect-error -- not a netlink address
  netlink.bind(['lo', 0]);

  // A family not known statically keeps the union, in and out, and no wrong shape passes.
  const any = socket.socket(anyFamily, anyType);
  exact<socket.Socket>()(any);
  exact<socket.SockAddr>()(any.getsockname());
  exact<socket.SockAddr | null>()(any.recvfrom(10)[1]);
  any.connect(['127.0.0.1', 80]);
  any.connect('/tmp/socket');
  any.connect([0, 0]);
  // @ts-expect-error -- the port first
  any.connect([8080, '127.0.0.1']);
  // An fd decides the family: the union.
  exact<socket.Socket>()(socket.socket(null, null, null, 3));
  exact<socket.Socket>()(socket.socket({ fileno: 3 }));

  // Every typed socket is a Socket, and a typed address an address.
  const sockets: socket.Socket[] = [udp, tcp, v6, unix, packet, netlink, any];
  const addresses: socket.SockAddr[] = [from, peer, v6.getsockname(), unix.getsockname()];
  void [sockets, addresses];

  // The module functions.
  const [a, b] = socket.socketpair();
  exact<socket.Socket<1, 1>>()(a);
  exact<socket.Socket<1, 1>>()(b);
  exact<socket.Socket<1, 2>>()(socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0]);
  exact<socket.Socket<2, 2>>()(socket.fromfd(3, socket.AF_INET, socket.SOCK_DGRAM));
  exact<socket.Socket<2, 1>>()(socket.fromfd(3, socket.AF_INET, socket.SOCK_STREAM, { proto: 0 }));
  const client = socket.create_connection(['localhost', 80], 5);
  exact<socket.Socket<2 | 10, 1>>()(client);
  const [localHost, localPort] = client.getsockname();
  exact<string>()(localHost);
  exact<number>()(localPort);
  socket.create_connection(['localhost', 80], 5, ['', 0]);
  // @ts-expect-error -- the port first
  socket.create_connection([80, 'localhost']);
  exact<socket.Socket<2, 1>>()(socket.create_server(['127.0.0.1', 0]));
  const server6 = socket.create_server(['::', 0], { family: socket.AF_INET6, dualstack_ipv6: true });
  exact<socket.Socket<10, 1>>()(server6);
  exact<socket.Socket<1, 1>>()(socket.create_server('/tmp/socket', { family: socket.AF_UNIX }));
  // @ts-expect-error -- an AF_UNIX address for the default AF_INET
  socket.create_server('/tmp/socket');
}

export function options(): void {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  exact<number>()(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE));
  exact<number>()(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 0));
  exact<Buffer>()(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8));
  s.setblocking(false);
  // @ts-expect-error -- setblocking takes a boolean
  s.setblocking('yes');
  // @ts-expect-error -- internal
  s._state();
  // @ts-expect-error -- internal
  s._twin();
  // @ts-expect-error -- internal
  s._setTwin({});
  // @ts-expect-error -- internal
  void socket.Socket._wrap;
}

export async function async(): Promise<void> {
  const udp = aio.socket(aio.AF_INET, aio.SOCK_DGRAM);
  exact<aio.AsyncSocket<2, 2>>()(udp);
  const [payload, from] = await udp.recvfrom(1024);
  exact<[string, number]>()(from);
  await udp.sendto(payload, from);
  await udp.sendto(payload, 0, from, { signal: AbortSignal.timeout(1000) });
  exact<[number, [string, number]]>()(await udp.recvfrom_into(data));
  exact<[string, number] | null>()((await udp.recvmsg(1500))[3]);
  exact<[Buffer, [string, number]][]>()(await udp.recvmmsg(8, 1500));
  exact<[string, number]>()(udp.getsockname());
  await udp.bind(['', 0]);
  // @ts-expect-error -- the port first
  await udp.connect([8080, '127.0.0.1']);

  const tcp = aio.socket(aio.AF_INET6, aio.SOCK_STREAM);
  const [conn, peer] = await tcp.accept();
  exact<aio.AsyncSocket<10, 1>>()(conn);
  exact<[string, number, number, number]>()(peer);
  exact<aio.AsyncSocket<10, 1>>()(tcp.dup());
  exact<aio.AsyncSocket<2, 1>>()(aio.socket());
  exact<aio.AsyncSocket>()(aio.socket(null, null, null, 3));
  exact<[aio.AsyncSocket<1, 1>, aio.AsyncSocket<1, 1>]>()(aio.socketpair());
  exact<aio.AsyncSocket<2, 2>>()(aio.fromfd(3, aio.AF_INET, aio.SOCK_DGRAM));
  exact<aio.AsyncSocket<10, 2>>()(aio.socket(aio.AF_INET6, { type: aio.SOCK_DGRAM }));
  exact<aio.AsyncSocket<2, 1>>()(aio.fromfd({ fd: 3, family: aio.AF_INET, type: aio.SOCK_STREAM }));
  exact<aio.AsyncSocket<2, 1>>()(aio.from_stdlib_socket(socket.socket()));
  exact<aio.AsyncSocket<2 | 10, 1>>()(await aio.create_connection(['localhost', 80]));
  exact<aio.AsyncSocket<2, 1>>()(await aio.create_server(['127.0.0.1', 0]));
  // @ts-expect-error -- an AF_INET6 address for the default AF_INET
  await aio.create_server(['::1', 0, 0, 0]);

  exact<number>()(tcp.getsockopt(aio.SOL_SOCKET, aio.SO_TYPE));
  exact<Buffer>()(tcp.getsockopt(aio.SOL_SOCKET, aio.SO_LINGER, 8));
  tcp.setblocking(true);
  // @ts-expect-error -- setblocking takes a boolean
  tcp.setblocking(1);
  // @ts-expect-error -- internal
  tcp._state();

  // Python's keywords, with trio's signal beside them.
  const signal = AbortSignal.timeout(1000);
  exact<number>()(await conn.recv_into(data, { nbytes: 4, signal }));
  exact<[number, [string, number]]>()(await udp.recvfrom_into(data, { nbytes: 4, flags: 0 }));
  exact<number>()(await conn.sendfile(3, { offset: 0, count: 10, signal }));
  exact<number>()(await conn.sendfile(3, 0, null, { signal }));
  // @ts-expect-error -- not one of recv_into's keywords
  await conn.recv_into(data, { bufsize: 4 });
}
