// What the blocking and async module functions share: argument checks, fd-passing helpers, create_connection's flow.
import { toInt, typeName } from './args';
import { asciiHost } from './address';
import { AF_INET, AF_UNSPEC, AI_NUMERICHOST, SCM_RIGHTS, SOCK_DGRAM, SOL_SOCKET } from './constants';
import { OSError } from './oserror';
import { native, type GaiArgs } from './native';
import { endianness } from 'node:os';

const HOST_LE = endianness() === 'LE';

/** getaddrinfo's host argument as the C library takes it (IDNA for non-ASCII names). */
export function gaiHost(host: unknown): string | Buffer | null {
  if (host === null || host === undefined) return null;
  // The C library reads the host up to its first NUL, as it does in CPython (native cuts
  // a bytes host there).
  const cut = (h: string) => (h.includes('\0') ? h.slice(0, h.indexOf('\0')) : h);
  if (ArrayBuffer.isView(host)) return Buffer.from(host.buffer, host.byteOffset, host.byteLength);
  if (typeof host !== 'string') throw new TypeError('getaddrinfo() argument 1 must be string or null');
  return asciiHost(cut(host));
}

/** getaddrinfo's arguments, checked, as native.getaddrinfo and getaddrinfo_async take them. */
export function gaiArgs(
  host: unknown,
  port: unknown,
  family: unknown = 0,
  type: unknown = 0,
  proto: unknown = 0,
  flags: unknown = 0,
): GaiArgs {
  return [
    gaiHost(host),
    gaiPort(port),
    toInt(family, 'family'),
    toInt(type, 'type'),
    toInt(proto, 'proto'),
    toInt(flags, 'flags'),
  ];
}

/** getaddrinfo's port argument: numbers are stringified, as Python does. */
export function gaiPort(port: unknown): string | null {
  if (port === null || port === undefined) return null;
  if (typeof port === 'number' && Number.isInteger(port)) return String(port);
  if (typeof port === 'string') return port;
  if (ArrayBuffer.isView(port))
    return Buffer.from(port.buffer, port.byteOffset, port.byteLength).toString('utf8');
  throw new OSError('Int or String expected');
}

/** The numeric sockaddr and family for getnameinfo, as Python resolves it. */
export function nameinfoArgs(sockaddr: unknown): [number, unknown] {
  if (!Array.isArray(sockaddr)) throw new TypeError('getnameinfo() argument 1 must be an array');
  if (sockaddr.length < 2 || sockaddr.length > 4)
    throw new TypeError('getnameinfo(): illegal sockaddr argument');
  const [host, port, flowinfo = 0, scope_id = 0] = sockaddr;
  // The port converts as a C int first, as in CPython ("'str' object cannot be ...").
  if (typeof host === 'string') toInt(port, 'port', -Infinity, Infinity);
  if (typeof host !== 'string' || typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError('getnameinfo(): illegal sockaddr argument');
  }
  // flowinfo and scope_id are C unsigned ints taken modulo 2**32, as CPython's "I" format
  // (so a scope_id of -1 is 4294967295 and 2**32 is 0).
  const u32 = (v: unknown, what: string) =>
    Number(BigInt.asUintN(32, BigInt(toInt(v, what, -Infinity, Infinity))));
  const flow = u32(flowinfo, 'flowinfo');
  if (flow > 0xfffff) throw new RangeError('getnameinfo(): flowinfo must be 0-1048575.');
  const scope = u32(scope_id, 'scope_id');
  const res = native.getaddrinfo(host, String(port), AF_UNSPEC, SOCK_DGRAM, 0, AI_NUMERICHOST);
  if (res.length === 0) throw new OSError('getaddrinfo returns an empty list');
  if (res.length > 1) throw new OSError('sockaddr resolved to multiple addresses');
  const [family, , , , sa] = res[0];
  if (family === AF_INET) {
    if (sockaddr.length !== 2) throw new OSError('IPv4 sockaddr must be 2 tuple');
    return [family, sa];
  }
  const a = sa as [string, number, number, number];
  return [family, [a[0], a[1], flow, scope || a[3]]];
}

/** fds as the bytes of a C int array, for SCM_RIGHTS. */
export function fdsToBytes(fds: Iterable<number>): Buffer {
  if (
    fds === null ||
    typeof fds !== 'object' ||
    typeof (fds as Iterable<number>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`'${typeName(fds)}' object is not iterable`);
  }
  const list = Array.from(fds, (fd) => toInt(fd, 'fd', 0, 0x7fffffff));
  return Buffer.from(new Int32Array(list).buffer);
}

/** recv_fds's ancbufsize for `maxfds` descriptors (shared by the blocking and async twins). */
export function fdsAncbufsize(maxfds: unknown): number {
  const max = toInt(maxfds, 'maxfds');
  if (max < 0) throw new RangeError('maxfds must not be negative');
  if (max * 4 > 0x7fffffff - native.CMSG_LEN(0)) throw new RangeError('CMSG_LEN() argument out of range');
  return native.CMSG_LEN(max * 4);
}

/** The fds carried by the SCM_RIGHTS items of recvmsg()'s ancdata. */
export function fdsFromAncdata(ancdata: [number, number, Buffer][]): number[] {
  const fds: number[] = [];
  for (const [level, type, data] of ancdata) {
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) continue;
    for (let off = 0; off + 4 <= data.length; off += 4)
      fds.push(HOST_LE ? data.readInt32LE(off) : data.readInt32BE(off));
  }
  return fds;
}

/** What create_connection's flow does through a socket class: values (blocking) or promises (async). */
export interface ConnectionSteps<S> {
  resolve(host: string, port: number): unknown;
  open(family: number, type: number, proto: number): S;
  bind(sock: S, address: unknown): unknown;
  connect(sock: S, address: unknown): unknown;
}

/**
 * create_connection(address, timeout?, source_address?, all_errors), once for both
 * socket classes (run it with drive()): tries every getaddrinfo result in turn; on
 * failure throws the last error, or with all_errors an AggregateError (Python's
 * ExceptionGroup) of every attempt's error.
 */
export function* connectionFlow<S extends { settimeout(t: number | null): void; close(): void }>(
  steps: ConnectionSteps<S>,
  address: unknown,
  timeout: number | null | undefined,
  sourceAddress: unknown,
  allErrors: boolean | undefined,
): Generator<unknown, S, unknown> {
  if (!Array.isArray(address) || address.length !== 2) {
    throw new TypeError('create_connection(): address must be an array [host, port]');
  }
  const errors: unknown[] = [];
  const infos = (yield steps.resolve(address[0], address[1])) as [number, number, number, string, unknown][];
  for (const [af, socktype, proto, , sa] of infos) {
    let sock: S | null = null;
    try {
      sock = steps.open(af, socktype, proto);
      if (timeout !== undefined) sock.settimeout(timeout);
      if (sourceAddress) yield steps.bind(sock, sourceAddress);
      yield steps.connect(sock, sa);
      return sock;
    } catch (e) {
      sock?.close();
      if (!(e instanceof OSError)) throw e;
      errors.push(e);
    }
  }
  if (errors.length === 0) throw new OSError('getaddrinfo returns an empty list');
  if (allErrors) throw new AggregateError(errors, 'create_connection failed');
  throw errors[errors.length - 1];
}
