// The address types of each family (types only): what a Socket<F, T> takes and returns as an address.
/**
 * A socket's type parameters are its family and type when they are known statically:
 * `socket.socket(socket.AF_INET, socket.SOCK_DGRAM)` is a `Socket<2, 2>`, whose addresses
 * are `[string, number]`. Where the family is not known (a `number`), the address types are
 * the union of every family's. The forms are those of docs/api.md, "Addresses".
 */
import type {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_PACKET,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
} from './constants';
import type { AncData } from './native';

/** A bytes-like argument. */
type Bytes = ArrayBufferView;

/** AF_INET, returned: `['127.0.0.1', 8080]`. */
export type Inet4Address = [host: string, port: number];
/** AF_INET6, returned: always four items, `['::1', 8080, 0, 0]`. */
export type Inet6Address = [host: string, port: number, flowinfo: number, scope_id: number];
/** AF_UNIX, returned: a string for a path (or '' for an unnamed socket), a Buffer for an abstract name. */
export type UnixAddress = string | Buffer;
/** AF_PACKET, returned: `['lo', 3, 0, 772, <Buffer 00 00 00 00 00 00>]`. */
export type PacketAddress = [ifname: string, proto: number, pkttype: number, hatype: number, addr: Buffer];
/** AF_NETLINK, taken and returned: `[pid, groups]`. */
export type NetlinkAddress = [pid: number, groups: number];
/** A family bsdsock has no codec for, returned as Python does: the family and the raw sa_data. */
export type OtherAddress = [family: number, data: Buffer];

/** AF_INET, taken: `[host, port]`, the host as text or a bytes-like holding it. */
export type Inet4AddressArg = [host: string | Bytes, port: number];
/** AF_INET6, taken: `[host, port, flowinfo?, scope_id?]`. */
export type Inet6AddressArg = [host: string | Bytes, port: number, flowinfo?: number, scope_id?: number];
/** AF_UNIX, taken: a path (a string, encoded as UTF-8) or a bytes-like. */
export type UnixAddressArg = string | Bytes | ArrayBuffer;
/** AF_PACKET, taken: `[ifname, proto, pkttype?, hatype?, addr?]`. */
export type PacketAddressArg = [
  ifname: string,
  proto: number,
  pkttype?: number,
  hatype?: number,
  addr?: Bytes,
];

/** Every family's returned form. */
type AnySockAddr = Inet4Address | Inet6Address | UnixAddress | PacketAddress | NetlinkAddress | OtherAddress;
/** Every family's argument form. */
type AnyAddressArg = Inet4AddressArg | Inet6AddressArg | UnixAddressArg | PacketAddressArg | NetlinkAddress;

// The types below are distributive conditional types over F (and T), with the union for a
// `number` (a family not known statically): so a Socket<2> is a Socket<number>, as its values
// are (TypeScript cannot compare other forms of conditional types across type arguments).

/**
 * The address a socket of family F returns (getsockname, getpeername, accept, recvfrom,
 * ...). For a family not known statically (or one without a codec), the union of every
 * family's.
 */
export type SockAddr<F extends number = number> = F extends typeof AF_INET
  ? Inet4Address
  : F extends typeof AF_INET6
    ? Inet6Address
    : F extends typeof AF_UNIX
      ? UnixAddress
      : F extends typeof AF_PACKET
        ? PacketAddress
        : F extends typeof AF_NETLINK
          ? NetlinkAddress
          : AnySockAddr;

/**
 * The address a socket of family F takes (bind, connect, connect_ex, sendto, sendmsg,
 * sendmmsg). For a family not known statically, any family's form.
 */
export type Address<F extends number = number> = F extends typeof AF_INET
  ? Inet4AddressArg
  : F extends typeof AF_INET6
    ? Inet6AddressArg
    : F extends typeof AF_UNIX
      ? UnixAddressArg
      : F extends typeof AF_PACKET
        ? PacketAddressArg
        : F extends typeof AF_NETLINK
          ? NetlinkAddress
          : AnyAddressArg;

/** Families whose datagram and raw sockets always receive a source address. */
type Addressed = typeof AF_INET | typeof AF_INET6 | typeof AF_PACKET | typeof AF_NETLINK;

/**
 * The source address recvfrom, recvfrom_into and recvmmsg return on a socket of family F
 * and type T: none (null) on a TCP socket, always one on a datagram or raw socket of the IP,
 * packet and netlink families, and otherwise an address or null (an AF_UNIX peer with no
 * name, a connected stream). recvmsg adds null to it: a message from the error queue
 * (MSG_ERRQUEUE) may come without an address.
 */
export type RecvAddress<F extends number = number, T extends number = number> = F extends Addressed
  ? T extends typeof SOCK_STREAM
    ? F extends typeof AF_INET | typeof AF_INET6
      ? null
      : SockAddr<F> | null
    : T extends typeof SOCK_DGRAM | typeof SOCK_RAW
      ? SockAddr<F>
      : SockAddr<F> | null
  : SockAddr<F> | null;

/**
 * What recvmsg (D = Buffer) and recvmsg_into (D = number) give on a socket of family F and
 * type T: [data or nbytes, ancdata, msg_flags, address].
 */
export type RecvmsgResult<D, F extends number = number, T extends number = number> = [
  D,
  AncData[],
  number,
  RecvAddress<F, T> | null,
];

/** A family or type argument of a function that makes a socket: a number, or null/undefined for the default. */
export type Given = number | null | undefined;
/** The family (or type) a socket gets from argument V: V's number, else the default D. */
export type Or<V, D extends number> = V extends number ? V : D;
