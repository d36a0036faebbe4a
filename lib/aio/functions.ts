// The module functions of bsdsock/aio: creating AsyncSockets, async name resolution, create_connection/create_server.
import { toInt, typeName } from '../args';
import { toSockAddrAsync } from '../address';
import type { Address } from '../families';
import { AF_INET, AF_INET6, SOCK_NONBLOCK, SOCK_STREAM } from '../constants';
import {
  create_server as syncCreateServer,
  fromfd as syncFromfd,
  getaddrinfo as syncGetaddrinfo,
  socketpair as syncSocketpair,
  type AddrInfo,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from '../functions';
import { drive } from '../drive';
import {
  connectionFlow,
  fdsAncbufsize,
  fdsFromAncdata,
  fdsToBytes,
  gaiArgs,
  nameinfoArgs,
  type ConnectionSteps,
} from '../function-args';
import { SCM_RIGHTS, SOL_SOCKET } from '../constants';
import { native } from '../native';
import { Socket } from '../socket';
import { AsyncSocket } from './socket';
import type { WaitOptions } from './runner';

/** `type` with SOCK_NONBLOCK, so the fd is created non-blocking (anything invalid is left for Socket to reject). */
function nonblockingType(type: number | null | undefined): number | null | undefined {
  if (type === undefined || type === null || type === -1) return SOCK_STREAM | SOCK_NONBLOCK;
  return Number.isInteger(type) ? type | SOCK_NONBLOCK : type;
}

/** Like socket.socket(), returning an AsyncSocket (synchronous, as in trio). */
export function socket(
  family?: number | null,
  type?: number | null,
  proto?: number | null,
  fileno?: number | null,
): AsyncSocket {
  // A Socket made for the AsyncSocket (the state record the two share), which the
  // finalizer watches through the AsyncSocket, as for an accepted one.
  if (fileno === undefined || fileno === null)
    return AsyncSocket._of(Socket._unwatched(-1, family, nonblockingType(type), proto, 0));
  return new AsyncSocket(new Socket(family, type, proto, fileno));
}

/** Like socket.socketpair(), returning two AsyncSockets. */
export function socketpair(
  family?: number | null,
  type?: number,
  proto?: number,
): [AsyncSocket, AsyncSocket] {
  const [a, b] = syncSocketpair(family, nonblockingType(type) ?? undefined, proto);
  return [new AsyncSocket(a), new AsyncSocket(b)];
}

/** Like socket.fromfd(), returning an AsyncSocket on a dup() of `fd`. */
export function fromfd(fd: number, family: number, type: number, proto?: number): AsyncSocket {
  return new AsyncSocket(syncFromfd(fd, family, type, proto));
}

/**
 * trio's from_stdlib_socket(sock): the AsyncSocket over a blocking Socket (made
 * non-blocking). The same Socket always gives the same AsyncSocket.
 */
export function from_stdlib_socket<F extends number, T extends number>(
  sock: Socket<F, T>,
): AsyncSocket<F, T> {
  if (!(sock instanceof Socket))
    throw new TypeError(`expected object of type 'socket.socket', not '${typeName(sock)}'`);
  return (sock._twin() as AsyncSocket<F, T> | null) ?? new AsyncSocket(sock);
}

/** Like socket.getaddrinfo(), but async: getaddrinfo(3) runs on the libuv thread pool. */
export async function getaddrinfo(...args: Parameters<typeof syncGetaddrinfo>): Promise<AddrInfo[]> {
  return native.getaddrinfo_async(...gaiArgs(...args));
}

/** Like socket.getnameinfo(), but async (getnameinfo(3) on the libuv thread pool). */
export async function getnameinfo(
  sockaddr: [string, number, number?, number?],
  flags: number,
): Promise<[string, string]> {
  const fl = toInt(flags, 'flags');
  const [family, sa] = nameinfoArgs(sockaddr);
  return native.getnameinfo_async(family, sa, fl);
}

/** create_connection options of the async twin: Python's keyword arguments plus `signal`. */
export interface AsyncCreateConnectionOptions extends CreateConnectionOptions, WaitOptions {}

/**
 * Like socket.create_connection(), but async: tries each getaddrinfo result in turn.
 * `timeout` bounds each attempt's waiting calls (and stays set on the returned socket).
 */
export async function create_connection(
  address: [string, number],
  timeout?: number | null,
  source_address?: Address<typeof AF_INET | typeof AF_INET6> | null,
  options: AsyncCreateConnectionOptions = {},
): Promise<AsyncSocket<typeof AF_INET | typeof AF_INET6, typeof SOCK_STREAM>> {
  const steps: ConnectionSteps<AsyncSocket> = {
    resolve: (host, port) => getaddrinfo(host, port, 0, SOCK_STREAM),
    open: (family, type, proto) => socket(family, type, proto),
    bind: (sock, address) => sock.bind(address as Address),
    connect: (sock, address) => sock.connect(address as Address, { signal: options.signal }),
  };
  return drive(
    connectionFlow(steps, address, timeout, source_address, options.all_errors),
    (step) => step,
  ) as Promise<AsyncSocket<typeof AF_INET | typeof AF_INET6, typeof SOCK_STREAM>>;
}

/** Like socket.create_server(), but async (a host name is resolved off-thread); resolves to an AsyncSocket. */
export async function create_server<F extends number = typeof AF_INET>(
  address: Address<F>,
  options: CreateServerOptions<F> = {},
): Promise<AsyncSocket<F, typeof SOCK_STREAM>> {
  const family = options.family ?? AF_INET;
  const numeric = await toSockAddrAsync(family, address, 'bind');
  // The AF_UNIX form is bytes; create_server takes the original there.
  const addr = Array.isArray(numeric) ? (numeric as Address) : address;
  return new AsyncSocket(syncCreateServer(addr as Address<F>, options));
}

/**
 * Like socket.send_fds(sock, buffers, fds, flags=0, address=None), for an AsyncSocket:
 * sends `fds` as SCM_RIGHTS with the data. Calls sendmsg(2) when the socket is writable.
 */
export async function send_fds(
  sock: AsyncSocket,
  buffers: Iterable<ArrayBufferView>,
  fds: Iterable<number>,
  flags?: number,
  address?: Address | null,
): Promise<number> {
  if (!(sock instanceof AsyncSocket))
    throw new TypeError(`send_fds() argument 1 must be an AsyncSocket, not ${typeName(sock)}`);
  return sock.sendmsg(buffers, [[SOL_SOCKET, SCM_RIGHTS, fdsToBytes(fds)]], flags, address);
}

/**
 * Like socket.recv_fds(sock, bufsize, maxfds, flags=0), for an AsyncSocket: resolves to
 * [data, fds, msg_flags, address]. Calls recvmsg(2) when the socket is readable.
 */
export async function recv_fds(
  sock: AsyncSocket,
  bufsize: number,
  maxfds: number,
  flags?: number,
): Promise<[Buffer, number[], number, unknown]> {
  if (!(sock instanceof AsyncSocket))
    throw new TypeError(`recv_fds() argument 1 must be an AsyncSocket, not ${typeName(sock)}`);
  const [data, ancdata, msgFlags, addr] = await sock.recvmsg(bufsize, fdsAncbufsize(maxfds), flags ?? 0);
  return [data, fdsFromAncdata(ancdata), msgFlags, addr];
}
