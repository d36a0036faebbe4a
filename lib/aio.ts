/**
 * bsdsock/aio: the async twin, mirroring trio.socket. Every constant, and async name
 * resolution on the libuv thread pool. The AsyncSocket class lands with the async-twin
 * work (see README "Status").
 */
import { toInt } from './args';
import { gaiHost, gaiPort, nameinfoArgs, type AddrInfo } from './functions';
import { native } from './native';

export * from './constants';
export { gaierror, herror } from './errors';

/**
 * Like socket.getaddrinfo(), but async: getaddrinfo(3) runs on the libuv thread pool and
 * the event loop keeps running.
 */
export async function getaddrinfo(
  host: string | null,
  port: string | number | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): Promise<AddrInfo[]> {
  return native.getaddrinfo_async(
    gaiHost(host), gaiPort(port), toInt(family, 'family'), toInt(type, 'type'), toInt(proto, 'proto'), toInt(flags, 'flags'),
  );
}

/** Like socket.getnameinfo(), but async (getnameinfo(3) on the libuv thread pool). */
export async function getnameinfo(sockaddr: [string, number, number?, number?], flags: number): Promise<[string, string]> {
  const fl = toInt(flags, 'flags');
  const [family, sa] = nameinfoArgs(sockaddr);
  return native.getnameinfo_async(family, sa, fl);
}
