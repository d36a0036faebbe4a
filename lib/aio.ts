// bsdsock/aio: the public surface of the async twin (trio.socket's names), assembled from lib/aio/.
export * from './constants';
export * from './public-errors';
export { AsyncSocket, type RecvIntoKeywords } from './aio/socket';
export { AbortError, type WaitOptions } from './aio/runner';
export * from './aio/functions';
// With Python's arity and keyword arguments (lib/signatures.ts); these take precedence.
export {
  aioCreate_connection as create_connection,
  aioCreate_server as create_server,
  aioFromfd as fromfd,
  aioGetaddrinfo as getaddrinfo,
  aioGetnameinfo as getnameinfo,
  aioRecv_fds as recv_fds,
  aioSend_fds as send_fds,
  aioSocket as socket,
  aioSocketpair as socketpair,
  has_dualstack_ipv6,
} from './signatures';
export * from './rings';
// Re-exported so `aio` can be used alone, as trio.socket re-exports them.
export {
  htons,
  htonl,
  ntohs,
  ntohl,
  inet_aton,
  inet_ntoa,
  inet_pton,
  inet_ntop,
  if_nameindex,
  if_nametoindex,
  if_indextoname,
  gethostname,
  CMSG_LEN,
  CMSG_SPACE,
} from './signatures';
export { inet_checksum } from './functions';
