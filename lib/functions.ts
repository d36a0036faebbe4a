// The module functions of bsdsock: socketpair, fromfd, create_connection, resolution, conversions, fd passing.
/**
 * Module-level functions of Python's socket module: creation helpers, resolution,
 * conversions, interfaces. Mirrors Lib/socket.py and Modules/socketmodule.c.
 */
import { toInt, typeName } from './args';
import { bytesHost, toSockAddr } from './address';
import type { Address } from './families';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  AI_PASSIVE,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOL_SOCKET,
  has_ipv6,
} from './constants';
import { OSError, ebadf } from './oserror';
import { drive } from './drive';
import {
  connectionFlow,
  fdsFromAncdata,
  fdsAncbufsize,
  fdsToBytes,
  gaiArgs,
  type ConnectionSteps,
  nameinfoArgs,
} from './function-args';
import { native, nonblockFlag } from './native';
import { formatAddress } from './finalizer';
import { Socket } from './socket';
import { getdefaulttimeout } from './state';

// ---- creation ------------------------------------------------------------------------

/**
 * Mirrors socket.socketpair(family = AF_UNIX, type = SOCK_STREAM, proto = 0): two
 * connected sockets. Calls socketpair(2).
 */
export function socketpair(family?: number | null, type?: number, proto?: number): [Socket, Socket] {
  const fam = family === undefined || family === null ? AF_UNIX : toInt(family, 'family');
  const ty = type === undefined ? SOCK_STREAM : toInt(type, 'type');
  const pr = proto === undefined ? 0 : toInt(proto, 'proto');
  const bare = ty & ~(SOCK_NONBLOCK | native.constants.SOCK_CLOEXEC);
  const t = ty & SOCK_NONBLOCK ? 0 : (getdefaulttimeout() ?? -1);
  // Not destructured: that is a call (the array iterator), which can fail at the stack's
  // limit before the try below.
  const ab = native.socketpair(fam, bare | nonblockFlag(t), pr);
  let first: Socket | null = null;
  try {
    first = Socket._wrap(ab[0], fam, bare, pr, t);
    return [first, Socket._wrap(ab[1], fam, bare, pr, t)];
  } catch (e) {
    // A socket that was made owns its fd (the finalizer closes it); the others are closed
    // (native calls, as in ops/accept.ts acceptNow).
    if (first === null) native.close(ab[0]);
    native.close(ab[1]);
    throw e;
  }
}

/**
 * Mirrors socket.fromfd(fd, family, type, proto = 0): a socket on a dup() of `fd`
 * (the original stays open and owned by the caller). Timeout: getdefaulttimeout().
 */
export function fromfd(fd: number, family: number, type: number, proto?: number): Socket {
  const copy = native.dup(checkFd(fd, 'dup'));
  try {
    return new Socket(family, type, proto ?? 0, copy);
  } catch (e) {
    native.close(copy);
    throw e;
  }
}

const blockingSteps: ConnectionSteps<Socket> = {
  resolve: (host, port) => getaddrinfo(host, port, 0, SOCK_STREAM),
  open: (family, type, proto) => new Socket(family, type, proto),
  bind: (sock, address) => sock.bind(address as Address),
  connect: (sock, address) => sock.connect(address as Address),
};

/** Options of create_connection (Python's keyword-only arguments). */
export interface CreateConnectionOptions {
  all_errors?: boolean;
}

/**
 * Mirrors socket.create_connection(address, timeout?, source_address?, { all_errors }).
 * Tries every getaddrinfo result in turn. `timeout` omitted keeps the default timeout;
 * null means blocking. On failure throws the last error, or with all_errors an
 * AggregateError (Python's ExceptionGroup) of every attempt's error.
 */
export function create_connection(
  address: [string, number],
  timeout?: number | null,
  source_address?: Address | null,
  options: CreateConnectionOptions = {},
): Socket {
  const flow = connectionFlow(blockingSteps, address, timeout, source_address, options.all_errors);
  return drive(flow, (step) => step) as Socket;
}

/** Options of create_server (Python's keyword-only arguments). */
export interface CreateServerOptions<F extends number = number> {
  family?: F;
  backlog?: number | null;
  reuse_port?: boolean;
  dualstack_ipv6?: boolean;
}

/**
 * Mirrors socket.create_server(address, { family = AF_INET, backlog, reuse_port,
 * dualstack_ipv6 }): a listening TCP socket with SO_REUSEADDR set.
 */
export function create_server<F extends number = typeof AF_INET>(
  address: Address<F>,
  options: CreateServerOptions<F> = {},
): Socket<F, typeof SOCK_STREAM> {
  const family = options.family ?? AF_INET;
  if (options.reuse_port && SO_REUSEPORT === undefined)
    throw new RangeError('SO_REUSEPORT not supported on this platform');
  if (options.dualstack_ipv6) {
    if (!has_dualstack_ipv6()) throw new RangeError('dualstack_ipv6 not supported on this platform');
    if (family !== AF_INET6) throw new RangeError('dualstack_ipv6 requires AF_INET6 family');
  }
  const sock = new Socket(family as F, SOCK_STREAM);
  try {
    try {
      sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    } catch {
      // Python ignores a failure here too (some families lack SO_REUSEADDR).
    }
    if (options.reuse_port) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (has_ipv6 && family === AF_INET6) {
      sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, options.dualstack_ipv6 ? 0 : 1);
    }
    try {
      sock.bind(address);
    } catch (e) {
      if (e instanceof OSError && e.errno !== null) {
        const err = new OSError(
          e.errno,
          `${e.strerror} (while attempting to bind on address ${formatAddress(address)})`,
        );
        err.syscall = 'bind';
        throw err;
      }
      throw e;
    }
    if (options.backlog === undefined || options.backlog === null) sock.listen();
    else sock.listen(options.backlog);
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

/** Mirrors socket.has_dualstack_ipv6(): whether an AF_INET6 socket accepts IPV6_V6ONLY = 0. */
export function has_dualstack_ipv6(): boolean {
  if (!has_ipv6) return false;
  try {
    const s = new Socket(AF_INET6, SOCK_STREAM);
    try {
      s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
      return true;
    } finally {
      s.close();
    }
  } catch {
    return false;
  }
}

// ---- resolution ----------------------------------------------------------------------

/** One getaddrinfo result: [family, type, proto, canonname, sockaddr]. */
export type AddrInfo = [number, number, number, string, unknown];

/**
 * Mirrors socket.getaddrinfo(host, port, family = 0, type = 0, proto = 0, flags = 0).
 * Calls getaddrinfo(3) and blocks the calling thread (aio.getaddrinfo does not).
 */
export function getaddrinfo(
  host: string | null,
  port: string | number | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  return native.getaddrinfo(...gaiArgs(host, port, family, type, proto, flags));
}

/** Mirrors socket.getnameinfo(sockaddr, flags): [host, port]. Calls getnameinfo(3). */
export function getnameinfo(sockaddr: [string, number, number?, number?], flags: number): [string, string] {
  const fl = toInt(flags, 'flags');
  const [family, sa] = nameinfoArgs(sockaddr);
  return native.getnameinfo(family, sa, fl);
}

function checkName(name: unknown, fn: string): string {
  if (typeof name !== 'string') throw new TypeError(`${fn}() argument 1 must be str, not ${typeName(name)}`);
  return name;
}

/** The protocolname of getservbyname/getservbyport: a string, or omitted (null is a TypeError, as None in Python). */
function checkProto(proto: unknown, fn: string): string | null {
  if (proto === undefined) return null;
  if (typeof proto !== 'string')
    throw new TypeError(`${fn}() argument 2 must be str, not ${typeName(proto)}`);
  return proto;
}

/** A host name argument of the gethostby* functions (Python: TypeError for a NUL in it). */
function checkHostName(name: unknown, fn: string): string | Buffer {
  // A bytes host reaches the resolver unchanged, as in CPython (bytesHost).
  const isBytes = ArrayBuffer.isView(name);
  if (typeof name !== 'string' && !isBytes)
    throw new TypeError(`${fn}() argument 1 must be str, bytes or bytearray, not ${typeName(name)}`);
  const n = isBytes ? bytesHost(name as ArrayBufferView) : (name as string);
  if (n.includes('\0'))
    throw new TypeError(
      `${fn}() argument 1 must be encoded string without null bytes, not ${isBytes ? 'bytes' : 'str'}`,
    );
  return n;
}

/** Mirrors socket.gethostbyname(hostname): an IPv4 address as text. */
export function gethostbyname(hostname: string | ArrayBufferView): string {
  const a = toSockAddr(AF_INET, [checkHostName(hostname, 'gethostbyname'), 0], 'gethostbyname') as [
    string,
    number,
  ];
  return a[0];
}

/** Mirrors socket.gethostbyname_ex(hostname): [hostname, aliaslist, ipaddrlist] (IPv4). */
export function gethostbyname_ex(hostname: string | ArrayBufferView): [string, string[], string[]] {
  const name = checkHostName(hostname, 'gethostbyname_ex');
  toSockAddr(AF_INET, [name, 0], 'gethostbyname_ex');
  return native.gethostbyname_ex(name);
}

/** Mirrors socket.gethostbyaddr(ip_address): [hostname, aliaslist, ipaddrlist]. */
export function gethostbyaddr(ip_address: string | ArrayBufferView): [string, string[], string[]] {
  const name = checkHostName(ip_address, 'gethostbyaddr');
  // '' is the wildcard, as in CPython's setipaddr(): getaddrinfo(NULL, "0", AI_PASSIVE),
  // which on a dual-stack host gives both families.
  const res =
    name === ''
      ? native.getaddrinfo(null, '0', AF_UNSPEC, SOCK_DGRAM, 0, AI_PASSIVE)
      : native.getaddrinfo(name, null, AF_UNSPEC, 0, 0, 0);
  if (name === '' && res.length > 1) throw new OSError('wildcard resolved to multiple address');
  if (res.length === 0) throw new OSError('getaddrinfo returns an empty list');
  const [family, , , , sa] = res[0];
  return native.gethostbyaddr((sa as [string])[0], family);
}

/** Mirrors socket.gethostname(). Calls gethostname(2). */
export function gethostname(): string {
  return native.gethostname();
}

/** Mirrors socket.getfqdn(name = ''): the first name with a dot among gethostbyaddr's, else the hostname. */
export function getfqdn(name = ''): string {
  if (typeof name !== 'string') throw new TypeError(`getfqdn() argument must be str, not ${typeName(name)}`);
  let n = name.trim();
  if (!n || n === '0.0.0.0' || n === '::') n = gethostname();
  try {
    const [hostname, aliases] = gethostbyaddr(n);
    for (const candidate of [hostname, ...aliases]) if (candidate.includes('.')) return candidate;
    return hostname;
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
}

/** Mirrors socket.getservbyname(servicename, protocolname?): the port number. */
export function getservbyname(servicename: string, protocolname?: string): number {
  const port = native.getservbyname(
    checkName(servicename, 'getservbyname'),
    checkProto(protocolname, 'getservbyname'),
  );
  if (port === null) throw new OSError('service/proto not found');
  return port;
}

/** Mirrors socket.getservbyport(port, protocolname?): the service name. */
export function getservbyport(port: number, protocolname?: string): string {
  const p = toInt(port, 'port', -Infinity, Infinity);
  if (p < 0 || p > 65535) throw new RangeError('getservbyport: port must be 0-65535.');
  const name = native.getservbyport(p, checkProto(protocolname, 'getservbyport'));
  if (name === null) throw new OSError('port/proto not found');
  return name;
}

/** Mirrors socket.getprotobyname(protocolname): the protocol number. */
export function getprotobyname(protocolname: string): number {
  const p = native.getprotobyname(checkName(protocolname, 'getprotobyname'));
  if (p === null) throw new OSError('protocol not found');
  return p;
}

// ---- conversions: lib/conversions.ts -------------------------------------------------

export { htonl, htons, inet_aton, inet_ntoa, inet_ntop, inet_pton, ntohl, ntohs } from './conversions';

// ---- interfaces ----------------------------------------------------------------------

/** Mirrors socket.if_nameindex(): [index, name][]. */
export function if_nameindex(): [number, string][] {
  return native.if_nameindex();
}

/** Mirrors socket.if_nametoindex(if_name). */
export function if_nametoindex(if_name: string | ArrayBufferView): number {
  if (typeof if_name !== 'string' && !ArrayBuffer.isView(if_name)) {
    throw new TypeError(`expected str, bytes or os.PathLike object, not ${typeName(if_name)}`);
  }
  const name =
    typeof if_name === 'string'
      ? if_name
      : Buffer.from(if_name.buffer, if_name.byteOffset, if_name.byteLength).toString();
  if (name.includes('\0')) throw new RangeError('embedded null byte');
  const idx = native.if_nametoindex(name);
  if (idx === 0) throw new OSError('no interface with this name');
  return idx;
}

/** Mirrors socket.if_indextoname(if_index). Unknown index: OSError ENXIO. */
export function if_indextoname(if_index: number): string {
  if (typeof if_index !== 'number' || !Number.isInteger(if_index))
    throw new TypeError('an integer is required');
  if (if_index < 0) throw new RangeError("can't convert negative value to unsigned int");
  if (if_index >= 2 ** 64) throw new RangeError('Python int too large to convert to C unsigned long');
  // CPython passes an unsigned long to if_indextoname(3), whose unsigned int parameter
  // keeps the low 32 bits: 2**32 is index 0 (ENXIO).
  return native.if_indextoname(Number(BigInt.asUintN(32, BigInt(if_index))));
}

// ---- CMSG sizes ----------------------------------------------------------------------

/** Mirrors socket.CMSG_LEN(length). */
export function CMSG_LEN(length: number): number {
  const n = toInt(length, 'length', -Infinity, Infinity);
  if (n < 0 || n > 0x7fffffff - native.CMSG_LEN(0)) throw new RangeError('CMSG_LEN() argument out of range');
  return native.CMSG_LEN(n);
}

/** Mirrors socket.CMSG_SPACE(length). */
export function CMSG_SPACE(length: number): number {
  const n = toInt(length, 'length', -Infinity, Infinity);
  // As CPython: the bound leaves room for the padding of any non-empty item.
  if (n < 0 || n > 0x7fffffff - native.CMSG_SPACE(1))
    throw new RangeError('CMSG_SPACE() argument out of range');
  return native.CMSG_SPACE(n);
}

// ---- checksums -----------------------------------------------------------------------

/**
 * Beyond Python: the RFC 1071 Internet checksum of `data` (0..0xffff), to be written
 * big-endian into an ICMP, IP, UDP or TCP header built by hand (checksum field zeroed
 * while computing).
 */
export function inet_checksum(data: ArrayBufferView): number {
  if (!ArrayBuffer.isView(data))
    throw new TypeError(`a bytes-like object is required, not '${typeName(data)}'`);
  return native.inet_checksum(data);
}

// ---- fd passing ----------------------------------------------------------------------

/**
 * Mirrors socket.send_fds(sock, buffers, fds, flags = 0, address = null): sends `fds`
 * with SCM_RIGHTS beside `buffers` in one sendmsg(2). (Python 3.13 ignores flags and
 * address; bsdsock passes them on.)
 */
export function send_fds(
  sock: Socket,
  buffers: Iterable<ArrayBufferView>,
  fds: Iterable<number>,
  flags?: number,
  address?: Address | null,
): number {
  return blockingSocket(sock, 'send_fds').sendmsg(
    buffers,
    [[SOL_SOCKET, SCM_RIGHTS, fdsToBytes(fds)]],
    flags,
    address,
  );
}

/** The sock argument of send_fds/recv_fds: a blocking Socket (aio has its own twins). */
function blockingSocket(sock: unknown, fn: string): Socket {
  if (sock instanceof Socket) return sock;
  const hint = typeName(sock) === 'AsyncSocket' ? ' (use aio.' + fn + ' for an AsyncSocket)' : '';
  throw new TypeError(`${fn}() argument 1 must be a socket.socket, not ${typeName(sock)}${hint}`);
}

/**
 * Mirrors socket.recv_fds(sock, bufsize, maxfds, flags = 0): [data, fds, msg_flags,
 * address], collecting the fds of every SCM_RIGHTS item (a partial trailing int is
 * dropped, as Python does).
 */
export function recv_fds(
  sock: Socket,
  bufsize: number,
  maxfds: number,
  flags?: number,
): [Buffer, number[], number, unknown] {
  const s = blockingSocket(sock, 'recv_fds');
  const [data, ancdata, msgFlags, addr] = s.recvmsg(bufsize, fdsAncbufsize(maxfds), flags);
  return [data, fdsFromAncdata(ancdata), msgFlags, addr];
}

// ---- fds -----------------------------------------------------------------------------

/** An fd argument: an integer; a negative one is OSError EBADF, as the syscall would say. */
function checkFd(fd: unknown, syscall: string): number {
  const n = toInt(fd, 'fd');
  if (n < 0) throw ebadf(syscall);
  return n;
}

/** Mirrors socket.close(fd): closes a socket fd. Calls close(2). */
export function close(fd: number): void {
  native.close(checkFd(fd, 'close'));
}

/** Mirrors socket.dup(fd): a non-inheritable duplicate. */
export function dup(fd: number): number {
  return native.dup(checkFd(fd, 'dup'));
}
