// Socket addresses: Python's checks (getsockaddrarg) and host resolution (setipaddr) into native's numeric form.
/**
 * Socket addresses: Python's validation (getsockaddrarg) and host resolution (setipaddr),
 * producing the numeric form native/sockaddr.cc takes.
 *
 * Python tuples are arrays here, so messages say "array" where Python says "tuple".
 */
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { typeName } from './args';
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX } from './constants';
import { OSError } from './oserror';
import { native } from './native';

/** The address a socket of family F takes (see docs/api.md, "Addresses"; the types are in families.ts). */
export type { Address } from './families';

const SUN_PATH_MAX = 108;

// The last hosts found numeric: sendto() in a loop to one peer skips the regex.
let lastV4: string | undefined;
let lastV6: string | undefined;
// lastV4's four bytes as a number (host order), for packedV4.
let lastV4Bits = 0;

/** The number an IPv4 dotted quad (checked already) stands for. */
function v4Bits(host: string): number {
  const p = host.split('.');
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
}

/**
 * An AF_INET address from toSockAddr in the form native reads fastest: when its host is
 * the last numeric one seen (a client connecting to one server again and again), the
 * number host * 65536 + port, which native converts without an array, a string or
 * inet_pton. Any other address comes back as it is.
 */
export function packedV4(family: number, addr: unknown): unknown {
  if (family === AF_INET && lastV4 !== undefined && Array.isArray(addr) && addr[0] === lastV4) {
    return lastV4Bits * 65536 + (addr[1] as number);
  }
  return addr;
}

/**
 * A bytes host as the resolver takes it: ASCII bytes as the same string, other bytes as a
 * Buffer that native passes to the C library unchanged, as CPython does (no re-encoding).
 */
export function bytesHost(host: ArrayBufferView): string | Buffer {
  const b = Buffer.from(host.buffer, host.byteOffset, host.byteLength);
  const ascii = b.every((c) => c < 0x80);
  return ascii ? b.toString('latin1') : Buffer.from(b);
}

function checkHost(host: unknown): string | Buffer {
  if (typeof host === 'string' || ArrayBuffer.isView(host)) {
    const h = typeof host === 'string' ? host : bytesHost(host);
    if (h.includes('\0')) throw new TypeError('host name must not contain null character');
    return h;
  }
  throw new TypeError(`str, bytes or bytearray expected, not ${typeName(host)}`);
}

/** A host name as getaddrinfo(3) takes it: non-ASCII names are IDNA-encoded (UTS #46), bytes are not. */
export function asciiHost(host: string | Buffer): string | Buffer {
  if (typeof host !== 'string') return host;
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(host)) return host;
  const ascii = domainToASCII(host);
  // domainToASCII does not enforce DNS lengths; the IDNA codec does (63 per label).
  if (!ascii || ascii.length > 253 || ascii.split('.').some((label) => label.length > 63)) {
    throw new TypeError('encoding of hostname failed');
  }
  return ascii;
}

function checkPort(port: unknown, caller: string): number {
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError(`'${typeName(port)}' object cannot be interpreted as an integer`);
  }
  if (port < 0 || port > 65535) throw new RangeError(`${caller}(): port must be 0-65535.`);
  return port;
}

function checkU32(v: unknown, what: string, caller: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  if (v < 0 || v > 0xffffffff) throw new RangeError(`${caller}(): ${what} must be 0-4294967295.`);
  return v;
}

/** Python's setipaddr for AF_INET: '' is INADDR_ANY, '<broadcast>' INADDR_BROADCAST, names resolve. */
function resolveV4(host: string | Buffer): string {
  if (typeof host !== 'string') return lookup(host, AF_INET)[0];
  if (host === lastV4) return host;
  if (isIPv4(host)) {
    lastV4Bits = v4Bits(host);
    lastV4 = host;
    return host;
  }
  if (host === '') return '0.0.0.0';
  if (host === '<broadcast>') return '255.255.255.255';
  return lookup(host, AF_INET)[0];
}

/** The first address getaddrinfo(3) gives for a host name: [host, port, flowinfo?, scope_id?]. */
function lookup(host: string | Buffer, family: number): [string, number, number, number] {
  const res = native.getaddrinfo(asciiHost(host), null, family, 0, 0, 0);
  if (res.length === 0) throw new OSError('getaddrinfo returns an empty list');
  return res[0][4] as [string, number, number, number];
}

/** Returns [host, scope_id found in a '%scope' suffix or by resolution (or -1)]. */
function resolveV6(host: string | Buffer): [string, number] {
  if (typeof host === 'string' && host === lastV6) return [host, -1];
  if (typeof host === 'string') {
    if (!host.includes('%') && isIPv6(host)) {
      lastV6 = host;
      return [host, -1];
    }
    if (host === '') return ['::', -1];
    if (host === '<broadcast>') throw new OSError('address family mismatched');
  }
  const a = lookup(host, AF_INET6);
  return [a[0], a[3]];
}

/** An AF_UNIX address as the bytes of the path (string paths are UTF-8). */
export function unixPathBytes(address: unknown): Buffer {
  let b: Buffer;
  if (typeof address === 'string') b = Buffer.from(address, 'utf8');
  else if (ArrayBuffer.isView(address))
    b = Buffer.from(address.buffer, address.byteOffset, address.byteLength);
  else if (address instanceof ArrayBuffer) b = Buffer.from(address);
  else throw new TypeError(`a bytes-like object is required, not '${typeName(address)}'`);
  const abstract = b.length > 0 && b[0] === 0;
  if (b.length > SUN_PATH_MAX || (!abstract && b.length >= SUN_PATH_MAX))
    throw new OSError('AF_UNIX path too long');
  return b;
}

/**
 * Validates `address` for a socket of `family` as Python does (caller names the method in
 * messages: 'bind', 'connect', 'connect_ex', 'sendto'), resolves host names with
 * getaddrinfo (blocking), and returns the numeric form for the binding.
 */
export function toSockAddr(family: number, address: unknown, caller: string): unknown {
  switch (family) {
    case AF_INET: {
      if (!Array.isArray(address)) {
        throw new TypeError(`${caller}(): AF_INET address must be an array, not ${typeName(address)}`);
      }
      if (address.length !== 2) throw new TypeError('AF_INET address must be a pair (host, port)');
      const host = address[0];
      // Fast path: the same numeric host again (sendto in a loop).
      if (typeof host === 'string' && host === lastV4) {
        checkPort(address[1], caller);
        return address;
      }
      const h = resolveV4(checkHost(host));
      const port = checkPort(address[1], caller);
      return h === host ? address : [h, port];
    }
    case AF_INET6: {
      if (!Array.isArray(address)) {
        throw new TypeError(`${caller}(): AF_INET6 address must be an array, not ${typeName(address)}`);
      }
      if (address.length < 2 || address.length > 4) {
        throw new TypeError('AF_INET6 address must be an array [host, port, flowinfo?, scope_id?]');
      }
      const hostIn = checkHost(address[0]);
      const port = checkPort(address[1], caller);
      let flowinfo = 0;
      if (address.length > 2 && address[2] !== undefined) {
        const f = address[2];
        if (typeof f !== 'number' || !Number.isInteger(f)) {
          throw new TypeError(`'${typeName(f)}' object cannot be interpreted as an integer`);
        }
        if (f < 0 || f > 0xfffff) throw new RangeError(`${caller}(): flowinfo must be 0-1048575.`);
        flowinfo = f;
      }
      const [host, foundScope] = resolveV6(hostIn);
      let scope = foundScope < 0 ? 0 : foundScope;
      // bsdsock keeps a '%ifname' scope unless the array gives scope_id (Python lets the
      // array's default 0 win; see docs/differences.md).
      // scope_id is a C unsigned int taken modulo 2**32, as CPython's "I" format (-1 is
      // 4294967295, 2**32 is 0).
      if (address.length > 3 && address[3] !== undefined) {
        const sc = address[3];
        if (typeof sc !== 'number' || !Number.isInteger(sc))
          throw new TypeError(`'${typeName(sc)}' object cannot be interpreted as an integer`);
        scope = Number(BigInt.asUintN(32, BigInt(sc)));
      }
      return [host, port, flowinfo, scope];
    }
    case AF_UNIX:
      return unixPathBytes(address);
    case AF_PACKET: {
      if (!Array.isArray(address)) {
        throw new TypeError(`${caller}(): AF_PACKET address must be an array, not ${typeName(address)}`);
      }
      if (address.length < 2 || address.length > 5) {
        throw new TypeError('AF_PACKET address must be an array of two to five elements');
      }
      const [ifname, proto, pkttype = 0, hatype = 0, addr = Buffer.alloc(0)] = address;
      if (typeof ifname !== 'string')
        throw new TypeError(`${caller}(): interface name must be a string, not ${typeName(ifname)}`);
      if (typeof proto !== 'number' || !Number.isInteger(proto)) {
        throw new TypeError(`'${typeName(proto)}' object cannot be interpreted as an integer`);
      }
      if (proto < 0 || proto > 0xffff) throw new RangeError(`${caller}(): proto must be 0-65535.`);
      for (const v of [pkttype, hatype]) {
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
        }
        if (v < -0x80000000 || v > 0x7fffffff)
          throw new RangeError(`${caller}(): address argument out of range`);
      }
      if (!ArrayBuffer.isView(addr))
        throw new TypeError(`a bytes-like object is required, not '${typeName(addr)}'`);
      if (addr.byteLength > 8) throw new RangeError('Hardware address must be 8 bytes or less');
      return [ifname, proto, pkttype, hatype, addr];
    }
    case AF_NETLINK: {
      if (!Array.isArray(address)) {
        throw new TypeError(`${caller}(): AF_NETLINK address must be an array, not ${typeName(address)}`);
      }
      if (address.length !== 2) throw new TypeError('AF_NETLINK address must be a pair (pid, groups)');
      return [checkU32(address[0], 'pid', caller), checkU32(address[1], 'groups', caller)];
    }
    default:
      throw new OSError(`${caller}(): bad family`);
  }
}

/** Whether `address` names a host that must go through getaddrinfo (not numeric, '' or '<broadcast>'). */
function needsLookup(family: number, address: unknown): address is [string, ...unknown[]] {
  if ((family !== AF_INET && family !== AF_INET6) || !Array.isArray(address)) return false;
  const host = address[0];
  if (typeof host !== 'string' || host === '' || host === '<broadcast>') return false;
  if (family === AF_INET) return host !== lastV4 && !isIPv4(host);
  return host !== lastV6 && (host.includes('%') || !isIPv6(host));
}

/**
 * Like toSockAddr, but a host name is resolved with getaddrinfo on the libuv thread pool
 * (trio's _resolve_address): the event loop keeps running. Numeric addresses take the
 * synchronous path with no extra tick.
 */
export function toSockAddrAsync(
  family: number,
  address: unknown,
  caller: string,
): unknown | Promise<unknown> {
  if (!needsLookup(family, address)) return toSockAddr(family, address, caller);
  // Validate everything but the name first, so bad input fails before any lookup.
  const probe = [...address];
  probe[0] = family === AF_INET ? '0.0.0.0' : '::';
  toSockAddr(family, probe, caller);
  return native.getaddrinfo_async(asciiHost(checkHost(address[0])), null, family, 0, 0, 0).then((res) => {
    if (res.length === 0) throw new OSError('getaddrinfo returns an empty list');
    const found = res[0][4] as [string, number, number, number];
    const resolved = [...address];
    resolved[0] = found[0];
    if (family === AF_INET6 && (address.length < 4 || address[3] === undefined)) {
      while (resolved.length < 4) resolved.push(undefined);
      resolved[2] = resolved[2] ?? 0;
      resolved[3] = found[3];
    }
    return toSockAddr(family, resolved, caller);
  });
}
