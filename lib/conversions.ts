// Conversions of Python's socket module: IPv4/IPv6 addresses between text and bytes, and byte order.
import { endianness } from 'node:os';
import { toInt, typeName } from './args';
import { AF_INET, AF_INET6 } from './constants';
import { OSError } from './oserror';
import { native } from './native';

function checkText(v: unknown, fn: string, position = 1): string {
  if (typeof v !== 'string')
    throw new TypeError(`${fn}() argument ${position} must be str, not ${typeName(v)}`);
  if (v.includes('\0')) throw new RangeError('embedded null character');
  return v;
}

/** Mirrors socket.inet_aton(ip_string): 4 bytes, with the BSD parsing rules ('127.1'). */
export function inet_aton(ip_string: string): Buffer {
  const r = native.inet_aton(checkText(ip_string, 'inet_aton'));
  if (r === null) throw new OSError('illegal IP address string passed to inet_aton');
  return r;
}

/** Mirrors socket.inet_ntoa(packed_ip): dotted-quad text of 4 bytes. */
export function inet_ntoa(packed_ip: ArrayBufferView): string {
  if (!ArrayBuffer.isView(packed_ip))
    throw new TypeError(`a bytes-like object is required, not '${typeName(packed_ip)}'`);
  if (packed_ip.byteLength !== 4) throw new OSError('packed IP wrong length for inet_ntoa');
  return native.inet_ntop(AF_INET, packed_ip);
}

/** Mirrors socket.inet_pton(address_family, ip_string). Calls inet_pton(3). */
export function inet_pton(address_family: number, ip_string: string): Buffer {
  const fam = toInt(address_family, 'address_family');
  if (typeof ip_string !== 'string')
    throw new TypeError(`inet_pton() argument 2 must be str, not ${typeName(ip_string)}`);
  const r = native.inet_pton(fam, checkText(ip_string, 'inet_pton', 2));
  if (r === null) throw new OSError('illegal IP address string passed to inet_pton');
  return r;
}

/** Mirrors socket.inet_ntop(address_family, packed_ip). Calls inet_ntop(3). */
export function inet_ntop(address_family: number, packed_ip: ArrayBufferView): string {
  const fam = toInt(address_family, 'address_family');
  if (!ArrayBuffer.isView(packed_ip))
    throw new TypeError(`a bytes-like object is required, not '${typeName(packed_ip)}'`);
  const want = fam === AF_INET ? 4 : fam === AF_INET6 ? 16 : 0;
  if (want === 0) throw new RangeError(`unknown address family ${fam}`);
  if (packed_ip.byteLength !== want) throw new RangeError('invalid length of packed IP address string');
  return native.inet_ntop(fam, packed_ip);
}

const LITTLE = endianness() === 'LE';

function check16(x: unknown, fn: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x))
    throw new TypeError(`'${typeName(x)}' object cannot be interpreted as an integer`);
  if (x < 0) throw new RangeError(`${fn}: can't convert negative Python int to C 16-bit unsigned integer`);
  if (x > 0xffff) throw new RangeError(`${fn}: Python int too large to convert to C 16-bit unsigned integer`);
  return x;
}

function check32(x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x))
    throw new TypeError(`'${typeName(x)}' object cannot be interpreted as an integer`);
  if (x < 0) throw new RangeError("can't convert negative value to unsigned int");
  if (x > 0xffffffff) throw new RangeError('int larger than 32 bits');
  return x;
}

const swap16 = (x: number) => (LITTLE ? ((x & 0xff) << 8) | (x >>> 8) : x);
const swap32 = (x: number) =>
  LITTLE ? (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0 : x;

/** Mirrors socket.htons(x). */
export function htons(x: number): number {
  return swap16(check16(x, 'htons'));
}
/** Mirrors socket.ntohs(x). */
export function ntohs(x: number): number {
  return swap16(check16(x, 'ntohs'));
}
/** Mirrors socket.htonl(x). */
export function htonl(x: number): number {
  return swap32(check32(x));
}
/** Mirrors socket.ntohl(x). */
export function ntohl(x: number): number {
  return swap32(check32(x));
}
