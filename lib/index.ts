// bsdsock: the public surface of the package (Python's socket module names).
/**
 * bsdsock: BSD sockets for Node.js with the API of Python's socket module.
 *
 * `import * as socket from 'bsdsock'` gives Python's names: socket.socket(...), the
 * constants, the module functions and the error classes. The async twin is
 * `bsdsock/aio` (also `socket.aio`).
 */
import { Socket } from './socket';
import { pythonCall } from './signatures';
import { sig } from './pyargs';
import type { SocketCall, SocketConstructor } from './factories';
import type { Given } from './families';

export * from './constants';
export * from './functions';
export * from './public-errors';
export { Socket, Socket as SocketType } from './socket';
// The module functions with Python's arity and keyword arguments (lib/signatures.ts); these
// names take precedence over the plain ones of `export * from './functions'`.
export {
  CMSG_LEN,
  CMSG_SPACE,
  close,
  create_connection,
  create_server,
  dup,
  fromfd,
  getaddrinfo,
  getdefaulttimeout,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  gethostname,
  getnameinfo,
  getprotobyname,
  getservbyname,
  getservbyport,
  has_dualstack_ipv6,
  htonl,
  htons,
  if_indextoname,
  if_nameindex,
  if_nametoindex,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
  recv_fds,
  send_fds,
  setdefaulttimeout,
  socketpair,
} from './signatures';
export type {
  Address,
  Inet4Address,
  Inet4AddressArg,
  Inet6Address,
  Inet6AddressArg,
  NetlinkAddress,
  OtherAddress,
  PacketAddress,
  PacketAddressArg,
  RecvAddress,
  SockAddr,
  UnixAddress,
  UnixAddressArg,
} from './families';
export * as aio from './aio';
export * from './rings';

/** socket()'s keyword arguments. */
export interface SocketOptions<F extends Given = Given, T extends Given = Given> {
  family?: F;
  type?: T;
  proto?: number | null;
  fileno?: number | null;
}

/**
 * socket.socket(...) as a callable that also works with `new` and `instanceof`. The
 * socket's type parameters are the family and type given (Python's defaults AF_INET and
 * SOCK_STREAM when omitted), or `number` where an fd (`fileno`) decides them.
 */
export interface SocketFactory extends SocketCall<'sync'>, SocketConstructor {
  prototype: Socket;
}

const SOCKET_INIT = sig('__init__', ['family', 'type', 'proto', 'fileno'], 0, 'method', 'socket.__init__');
const newSocket = pythonCall(
  SOCKET_INIT,
  (family?: number | null, type?: number | null, proto?: number | null, fileno?: number | null) =>
    new Socket(family, type, proto, fileno),
);

/**
 * Mirrors Python's socket.socket(family = AF_INET, type = SOCK_STREAM, proto = 0,
 * fileno = null). Calls socket(2). No `new` needed; `s instanceof socket.socket` holds.
 */
export const socket: SocketFactory = function socket(...args: unknown[]): Socket {
  return (newSocket as (...a: unknown[]) => Socket)(...args);
} as SocketFactory;
socket.prototype = Socket.prototype;
