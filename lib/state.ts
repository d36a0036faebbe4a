// A socket's state record (the Socket itself, shared with its AsyncSocket): filling one for a new or adopted fd, the attributes read from it, the default timeout.
import { parseTimeout, toInt } from './args';
import {
  AF_INET,
  AF_PACKET,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_STREAM,
} from './constants';
import { EACCES, EINVAL, EPERM } from './errno';
import { fdNonblocking, native, nonblockFlag } from './native';
import { OSError, PermissionError, ebadf, strerror } from './oserror';
import type { Watch } from './aio/readiness';

// The keys of a socket's state fields. Symbols, not names: the state lives on the Socket
// itself, and symbol-keyed fields stay out of Object.keys, JSON.stringify, structuredClone
// and duck tests for an `fd` property, and no field of a user's subclass can overwrite one.
// V8 caches a property load by a constant symbol as it does one by name.
export const FD: unique symbol = Symbol('bsdsock.fd');
export const FAMILY: unique symbol = Symbol('bsdsock.family');
export const TYPE: unique symbol = Symbol('bsdsock.type');
export const PROTO: unique symbol = Symbol('bsdsock.proto');
export const TIMEOUT: unique symbol = Symbol('bsdsock.timeout');
export const WAIT_TIMEOUT: unique symbol = Symbol('bsdsock.waitTimeout');
export const WATCH: unique symbol = Symbol('bsdsock.watch');

/**
 * Internal state of one socket. The blocking Socket is this record itself (one object per
 * socket), and an AsyncSocket refers to its Socket's. The fields are keyed by the symbols
 * above.
 */
export interface State {
  [FD]: number;
  [FAMILY]: number;
  [TYPE]: number;
  [PROTO]: number;
  /** Seconds; -1 = blocking (None), 0 = non-blocking. What the blocking runner passes native. */
  [TIMEOUT]: number;
  /** Seconds bounding each waiting call of the async runner; -1 = none (AsyncSocket.settimeout). */
  [WAIT_TIMEOUT]: number;
  /** The readiness engine's record for this socket (watcher and wait queues), or null. */
  [WATCH]: Watch | null;
}

/** Fills `st` for an fd it now owns; the async fields start idle. */
export function initState(
  st: State,
  fd: number,
  family: number,
  type: number,
  proto: number,
  timeout: number,
): void {
  st[FD] = fd;
  st[FAMILY] = family;
  st[TYPE] = type;
  st[PROTO] = proto;
  st[TIMEOUT] = timeout;
  st[WAIT_TIMEOUT] = -1;
  st[WATCH] = null;
}

/** The open fd of `st`, or OSError EBADF naming `syscall`. */
export function openFd(st: State, syscall: string): number {
  const fd = st[FD];
  if (fd < 0) throw ebadf(syscall);
  return fd;
}

/** What Socket and AsyncSocket share: Python's read-only family, type and proto, read from the State. */
export abstract class SocketAttributes<F extends number = number, T extends number = number> {
  /** The state record: a Socket's own, an AsyncSocket's Socket. @internal */
  abstract _state(): State;

  /** The address family (AF_INET, ...), as a number. Readable after close. */
  get family(): F {
    return this._state()[FAMILY] as F;
  }
  /** The socket type (SOCK_STREAM, ...), without SOCK_NONBLOCK/SOCK_CLOEXEC. */
  get type(): T {
    return this._state()[TYPE] as T;
  }
  /** The protocol number. */
  get proto(): number {
    return this._state()[PROTO];
  }
}

let defaultTimeout = -1;

/** The default timeout in State form (-1 = blocking). */
export function defaultTimeoutValue(): number {
  return defaultTimeout;
}

/** Python's socket.getdefaulttimeout(): seconds, or null (blocking). */
export function getdefaulttimeout(): number | null {
  return defaultTimeout < 0 ? null : defaultTimeout;
}

/** Python's socket.setdefaulttimeout(timeout): applies to sockets created afterwards. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = parseTimeout(timeout);
}

/**
 * Fills `st` for a socket that wraps an existing fd (socket(fileno=...), fromfd): family,
 * type and proto default to the fd's own, and given values must match it (OSError
 * EINVAL otherwise). The fd gets O_NONBLOCK if the default timeout needs it.
 */
export function adoptState(st: State, fileno: unknown, family: unknown, type: unknown, proto: unknown): void {
  const fd = toInt(fileno, 'fileno');
  if (fd < 0) throw new RangeError('negative file descriptor');
  const [fam, ty, pr] = native.adopt(fd, fdNonblocking(defaultTimeout));
  const want = [
    family,
    type === undefined || type === null || type === -1
      ? type
      : toInt(type, 'type') & ~(SOCK_NONBLOCK | SOCK_CLOEXEC),
    proto,
  ];
  const have = [fam, ty, pr];
  for (let i = 0; i < 3; i++) {
    const w = want[i];
    // Omitted (or -1) is not checked; neither is proto 0, which means "the default
    // protocol" (fromfd(fd, AF_INET, SOCK_DGRAM) on a UDP socket whose proto is 17).
    if (w === undefined || w === null || w === -1 || (i === 2 && w === 0)) continue;
    if (toInt(w) !== have[i]) {
      const err = new OSError(
        EINVAL,
        `${strerror(EINVAL)}: file descriptor ${fd} is a socket of family ${fam}, type ${ty}, proto ${pr}`,
      );
      err.syscall = 'socket';
      throw err;
    }
  }
  initState(st, fd, fam, ty, pr, defaultTimeout);
}

/** Fills `st` for a new socket: socket(2) with Python's defaults (AF_INET, SOCK_STREAM, 0). */
export function createState(st: State, family: unknown, type: unknown, proto: unknown): void {
  const fam = family === undefined || family === null || family === -1 ? AF_INET : toInt(family, 'family');
  const ty = type === undefined || type === null || type === -1 ? SOCK_STREAM : toInt(type, 'type');
  const pr = proto === undefined || proto === null || proto === -1 ? 0 : toInt(proto, 'proto');
  const bare = ty & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  const timeout = ty & SOCK_NONBLOCK ? 0 : defaultTimeout;
  let fd: number;
  try {
    fd = native.socket(fam, bare | nonblockFlag(timeout), pr);
  } catch (e) {
    throw capabilityError(e, fam, bare, pr);
  }
  initState(st, fd, fam, bare, pr, timeout);
}

function capabilityError(e: unknown, family: number, type: number, proto: number): unknown {
  if (!(e instanceof OSError) || (e.errno !== EPERM && e.errno !== EACCES)) return e;
  let hint: string;
  if (type === SOCK_RAW || family === AF_PACKET) {
    hint =
      'raw and packet sockets need CAP_NET_RAW ' +
      '(run as root, or grant it to node: sudo setcap cap_net_raw+ep "$(readlink -f "$(command -v node)")")';
  } else if (type === SOCK_DGRAM && (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6)) {
    hint =
      "unprivileged ICMP sockets need the process's group in net.ipv4.ping_group_range " +
      '(e.g. sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"), or use SOCK_RAW with CAP_NET_RAW';
  } else {
    return e;
  }
  const err = new PermissionError(e.errno, `${e.strerror}: ${hint}`);
  err.syscall = 'socket';
  return err;
}
