/**
 * The blocking socket object, mirroring Python's socket.socket.
 *
 * As in CPython, the fd is blocking in blocking mode and O_NONBLOCK otherwise (on a worker
 * thread, always O_NONBLOCK: see fdNonblocking). Timeouts are carried out in native code
 * (native/sock_call.h) with the timeout this object passes on every call.
 * A blocking call blocks the calling JavaScript thread, as fs.readFileSync does: use it
 * in a worker_thread, or use the async twin (bsdsock/aio) on the main thread.
 */
import type { Duplex } from 'node:stream';
import { readSync } from 'node:fs';
import { inspect } from 'node:util';
import { asBuffer, parseTimeout, toBytes, toFlags, toInt, typeName } from './args';
import { toSockAddr, type Address } from './address';
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
  SOMAXCONN,
} from './constants';
import { BlockingIOError, OSError, PermissionError, fromErrno, strerror } from './errors';
import { fdNonblocking, native, nonblockFlag, WOULD_BLOCK, type AncData } from './native';

const EBADF = 9;
const EAGAIN = 11;
const EINVAL = 22;
const EPERM = 1;
const EACCES = 13;

/** Internal state of one socket. Shared with the finalizer, so it never refers to the Socket. */
export interface State {
  fd: number;
  family: number;
  type: number;
  proto: number;
  /** Seconds; -1 = blocking (None), 0 = non-blocking. */
  timeout: number;
  /** The readiness watcher of the async twin (native/watcher.h), or -1. */
  pollId: number;
}

// aio.ts installs this: it rejects the waiters of a watcher and closes it.
let pollCloser: (pollId: number) => void = (id) => native.poll_close(id);
/** @internal */
export function setPollCloser(fn: (pollId: number) => void): void {
  pollCloser = fn;
}

/** Python's keyword arguments of makefile(). */
export interface MakefileOptions {
  buffering?: number | null;
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

type MakefileImpl = (sock: Socket, mode: string, options: MakefileOptions) => Duplex;
// aio.ts installs the implementation (makefile runs on the async path).
let makefileImpl: MakefileImpl | null = null;
/** @internal */
export function setMakefile(fn: MakefileImpl): void {
  makefileImpl = fn;
}

/** Closes the watcher of `s`, if any, before its fd is closed or given away. */
function closePoll(s: State): void {
  const id = s.pollId;
  if (id >= 0) {
    s.pollId = -1;
    pollCloser(id);
  }
}

// ---- default timeout -----------------------------------------------------------------

let defaultTimeout = -1;

/** Python's socket.getdefaulttimeout(): seconds, or null (blocking). */
export function getdefaulttimeout(): number | null {
  return defaultTimeout < 0 ? null : defaultTimeout;
}

/** Python's socket.setdefaulttimeout(timeout): applies to sockets created afterwards. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = parseTimeout(timeout);
}

// ---- finalizer -------------------------------------------------------------------------

function reprState(s: State): string {
  return `fd=${s.fd}, family=${s.family}, type=${s.type}, proto=${s.proto}`;
}

/** Python's repr of a socket from its state (the same text for toString and the finalizer). */
function repr(s: State): string {
  if (s.fd < 0) return `<socket.socket [closed] ${reprState(s)}>`;
  let out = `<socket.socket ${reprState(s)}`;
  try {
    const l = native.getsockname(s.fd);
    if (l !== '' && l !== null) out += `, laddr=${formatAddress(l)}`;
  } catch {
    // No local address to show.
  }
  try {
    const r = native.getpeername(s.fd);
    if (r !== '' && r !== null) out += `, raddr=${formatAddress(r)}`;
  } catch {
    // Not connected.
  }
  return out + '>';
}

// A socket collected while open is closed here, with Python's ResourceWarning. Sockets
// are registered without an unregister token (a token costs an identity hash and a
// registry table entry per socket): close() and detach() set the state's fd to -1, so the
// callback of a socket that was closed does nothing.
const registry = new FinalizationRegistry<State>((s) => {
  if (s.fd < 0) return;
  const text = `unclosed ${repr(s)}`;
  const fd = s.fd;
  s.fd = -1;
  try {
    // No waiter can exist (it would keep the socket reachable), so just close the watcher.
    if (s.pollId >= 0) native.poll_close(s.pollId);
    native.close(fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
  process.emitWarning(text, 'ResourceWarning');
});

// ---- repr ------------------------------------------------------------------------------

/** Formats an address the way API.md shows it: ['127.0.0.1', 8080]. */
export function formatAddress(a: unknown): string {
  if (Array.isArray(a)) return `[${a.map(formatAddress).join(', ')}]`;
  if (typeof a === 'string') return `'${a.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Buffer.isBuffer(a)) return inspect(a);
  return String(a);
}

// ---- the socket class ------------------------------------------------------------------

let internalState: State | null = null;

function ebadf(syscall: string): OSError {
  return fromErrno(EBADF, syscall);
}

function wouldBlock(syscall: string): BlockingIOError {
  return fromErrno(EAGAIN, syscall) as BlockingIOError;
}

/** Returns `buf` cut to `n` bytes; copies when most of a large buffer would be wasted. */
function trim(buf: Buffer, n: number): Buffer {
  const len = buf.length;
  if (n >= len) return buf;
  if (len - n > 8192) return Buffer.from(buf.subarray(0, n));
  return buf.subarray(0, n);
}

function checkWritable(buffer: unknown, caller: string): ArrayBufferView {
  if (!ArrayBuffer.isView(buffer)) {
    throw new TypeError(
      `${caller}() argument 1 must be read-write bytes-like object, not ${typeName(buffer)}`,
    );
  }
  return buffer;
}

/** nbytes as Python's recv_into: 0 or omitted = the whole buffer. */
function checkNbytes(buffer: ArrayBufferView, nbytes: unknown, caller: string, tooBig: string): number {
  const n = nbytes === undefined ? 0 : toInt(nbytes, 'nbytes');
  if (n < 0) throw new RangeError(`negative buffersize in ${caller}`);
  if (n > buffer.byteLength) throw new RangeError(tooBig);
  return n === 0 ? buffer.byteLength : n;
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

/**
 * A BSD socket, mirroring Python's socket.socket. Create one with `socket.socket(...)`
 * or `new Socket(...)`.
 */
export class Socket {
  #s: State;
  /** The AsyncSocket over this socket, if any (bsdsock/aio keeps one per Socket). */
  #twin: object | null = null;

  /**
   * Mirrors Python socket.socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None).
   * Calls socket(2), or wraps `fileno` (family/type/proto then default to the fd's own, and
   * given values must match it: an OSError EINVAL otherwise).
   */
  constructor(family?: number | null, type?: number | null, proto?: number | null, fileno?: number | null) {
    if (internalState) {
      this.#s = internalState;
      internalState = null;
    } else if (fileno === undefined || fileno === null) {
      const fam =
        family === undefined || family === null || family === -1 ? AF_INET : toInt(family, 'family');
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
      this.#s = { fd, family: fam, type: bare, proto: pr, timeout, pollId: -1 };
    } else {
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
      this.#s = { fd, family: fam, type: ty, proto: pr, timeout: defaultTimeout, pollId: -1 };
    }
    registry.register(this, this.#s);
  }

  /** Wraps an fd this module already owns (accept, dup, socketpair, fromfd). @internal */
  static _wrap(fd: number, family: number, type: number, proto: number, timeout: number): Socket {
    internalState = { fd, family, type, proto, timeout, pollId: -1 };
    return new Socket();
  }

  #fd(syscall: string): number {
    const fd = this.#s.fd;
    if (fd < 0) throw ebadf(syscall);
    return fd;
  }

  /** The address family (AF_INET, ...), as a number. Readable after close. */
  get family(): number {
    return this.#s.family;
  }
  /** The socket type (SOCK_STREAM, ...), without SOCK_NONBLOCK/SOCK_CLOEXEC. */
  get type(): number {
    return this.#s.type;
  }
  /** The protocol number. */
  get proto(): number {
    return this.#s.proto;
  }
  /** Python's read-only `timeout` attribute: gettimeout(). */
  get timeout(): number | null {
    return this.gettimeout();
  }

  // ---- lifetime ------------------------------------------------------------------------

  /** Mirrors socket.fileno(): the fd, or -1 once closed or detached. */
  fileno(): number {
    return this.#s.fd;
  }

  /** Mirrors socket.close(). Calls close(2). Idempotent; later calls on the socket raise EBADF. */
  close(): void {
    const fd = this.#s.fd;
    if (fd < 0) return;
    closePoll(this.#s);
    this.#s.fd = -1;
    native.close(fd);
  }

  /** Mirrors socket.detach(): gives up the fd without closing it and returns it (-1 if closed). */
  detach(): number {
    const fd = this.#s.fd;
    if (fd < 0) return -1;
    closePoll(this.#s);
    this.#s.fd = -1;
    native.release(fd);
    return fd;
  }

  /** The state shared with bsdsock/aio. @internal */
  _state(): State {
    return this.#s;
  }

  /** The AsyncSocket of bsdsock/aio over this socket, or null. @internal */
  _twin(): object | null {
    return this.#twin;
  }

  /** Records the AsyncSocket over this socket. @internal */
  _setTwin(twin: object): void {
    this.#twin = twin;
  }

  /** Mirrors socket.dup(). Calls fcntl(F_DUPFD_CLOEXEC); the copy has the same timeout. */
  dup(): Socket {
    const s = this.#s;
    return Socket._wrap(native.dup(this.#fd('dup')), s.family, s.type, s.proto, s.timeout);
  }

  /** Mirrors socket.get_inheritable(): true when FD_CLOEXEC is clear. */
  get_inheritable(): boolean {
    return native.get_inheritable(this.#fd('fcntl'));
  }

  /** Mirrors socket.set_inheritable(inheritable). */
  set_inheritable(inheritable: boolean): void {
    native.set_inheritable(this.#fd('fcntl'), !!inheritable);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // ---- modes ---------------------------------------------------------------------------

  /** Mirrors socket.gettimeout(): seconds, 0 (non-blocking) or null (blocking). */
  gettimeout(): number | null {
    const t = this.#s.timeout;
    return t < 0 ? null : t;
  }

  /**
   * Mirrors socket.settimeout(value): null blocks, 0 is non-blocking, > 0 bounds each call.
   * Sets or clears O_NONBLOCK as Python does (so an fd closed underneath raises EBADF).
   */
  settimeout(value: number | null): void {
    if (arguments.length === 0) throw new TypeError('settimeout() takes exactly one argument (0 given)');
    this.#setMode(parseTimeout(value), 'settimeout');
  }

  #setMode(timeout: number, syscall: string): void {
    native.set_blocking(this.#fd(syscall), !fdNonblocking(timeout));
    this.#s.timeout = timeout;
  }

  /** Mirrors socket.getblocking(): false only in non-blocking mode (timeout 0). */
  getblocking(): boolean {
    return this.#s.timeout !== 0;
  }

  /** Mirrors socket.setblocking(flag): truthy = settimeout(null), falsy = settimeout(0). */
  setblocking(flag: unknown): void {
    this.#setMode(flag ? -1 : 0, 'setblocking');
  }

  // ---- addresses and connections -------------------------------------------------------

  /** Mirrors socket.bind(address). Calls bind(2). */
  bind(address: Address): void {
    const fd = this.#fd('bind');
    native.bind(fd, this.#s.family, toSockAddr(this.#s.family, address, 'bind'));
  }

  /** Mirrors socket.listen(backlog = min(SOMAXCONN, 128)). Calls listen(2). */
  listen(backlog?: number): void {
    const b = backlog === undefined ? Math.min(SOMAXCONN, 128) : toInt(backlog, 'backlog');
    native.listen(this.#fd('listen'), b);
  }

  /**
   * Mirrors socket.accept(): returns [conn, address]. Calls accept4(2). The new socket's
   * timeout is getdefaulttimeout(), else blocking, whatever the listener's (bpo-7995).
   */
  accept(): [Socket, unknown] {
    const s = this.#s;
    const r = native.accept(this.#fd('accept'), s.timeout, fdNonblocking(defaultTimeout));
    if (r === WOULD_BLOCK) throw wouldBlock('accept');
    const [fd, addr] = r as [number, unknown];
    return [Socket._wrap(fd, s.family, s.type, s.proto, defaultTimeout), addr];
  }

  /**
   * Mirrors socket.connect(address). Calls connect(2); with a timeout, waits for the
   * connection within it (EINPROGRESS, poll, SO_ERROR). Non-blocking: BlockingIOError 115.
   */
  connect(address: Address): void {
    const fd = this.#fd('connect');
    const s = this.#s;
    native.connect(fd, s.family, toSockAddr(s.family, address, 'connect'), s.timeout, false);
  }

  /** Mirrors socket.connect_ex(address): the errno instead of an exception (0 on success, 11 on timeout). */
  connect_ex(address: Address): number {
    const s = this.#s;
    const addr = toSockAddr(s.family, address, 'connect_ex');
    if (s.fd < 0) return EBADF;
    return native.connect(s.fd, s.family, addr, s.timeout, true) as number;
  }

  /** Mirrors socket.getsockname(). Calls getsockname(2). */
  getsockname(): unknown {
    return native.getsockname(this.#fd('getsockname'));
  }

  /** Mirrors socket.getpeername(). Calls getpeername(2). */
  getpeername(): unknown {
    return native.getpeername(this.#fd('getpeername'));
  }

  /** Mirrors socket.shutdown(how): SHUT_RD, SHUT_WR or SHUT_RDWR. Calls shutdown(2). */
  shutdown(how: number): void {
    native.shutdown(this.#fd('shutdown'), toInt(how, 'how'));
  }

  // ---- receiving -----------------------------------------------------------------------

  /**
   * Mirrors socket.recv(bufsize, flags = 0): at most `bufsize` bytes; an empty Buffer at
   * end of stream. Calls recv(2). With MSG_TRUNC it still returns at most `bufsize` bytes.
   */
  recv(bufsize: number, flags?: number): Buffer {
    const n = toInt(bufsize, 'bufsize');
    if (n < 0) throw new RangeError('negative buffersize in recv');
    const fl = toFlags(flags);
    const fd = this.#fd('recv');
    if (n === 0) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(n);
    const r = native.recv_into(fd, buf, n, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recv');
    return trim(buf, r);
  }

  /**
   * Mirrors socket.recv_into(buffer, nbytes = 0, flags = 0): receives into `buffer` and
   * returns the kernel's count. Calls recv(2).
   */
  recv_into(buffer: ArrayBufferView, nbytes?: number, flags?: number): number {
    const b = checkWritable(buffer, 'recv_into');
    const n = checkNbytes(b, nbytes, 'recv_into', 'buffer too small for requested bytes');
    const fl = toFlags(flags);
    const r = native.recv_into(this.#fd('recv'), b, n, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recv');
    return r;
  }

  /** Mirrors socket.recvfrom(bufsize, flags = 0): [data, address]. Calls recvfrom(2). */
  recvfrom(bufsize: number, flags?: number): [Buffer, unknown] {
    const n = toInt(bufsize, 'bufsize');
    if (n < 0) throw new RangeError('negative buffersize in recvfrom');
    const fl = toFlags(flags);
    const buf = Buffer.allocUnsafe(n);
    const r = native.recvfrom_into(this.#fd('recvfrom'), buf, n, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recvfrom');
    const [count, addr] = r as [number, unknown];
    return [trim(buf, count), addr];
  }

  /** Mirrors socket.recvfrom_into(buffer, nbytes = 0, flags = 0): [count, address]. Calls recvfrom(2). */
  recvfrom_into(buffer: ArrayBufferView, nbytes?: number, flags?: number): [number, unknown] {
    const b = checkWritable(buffer, 'recvfrom_into');
    const n = checkNbytes(b, nbytes, 'recvfrom_into', 'nbytes is greater than the length of the buffer');
    const fl = toFlags(flags);
    const r = native.recvfrom_into(this.#fd('recvfrom'), b, n, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recvfrom');
    return r as [number, unknown];
  }

  // ---- sending -------------------------------------------------------------------------

  /** Mirrors socket.send(data, flags = 0): bytes sent, possibly fewer than given. Calls send(2) with MSG_NOSIGNAL. */
  send(data: ArrayBufferView, flags?: number): number {
    const d = toBytes(data);
    const fl = toFlags(flags);
    const r = native.send(this.#fd('send'), d, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('send');
    return r;
  }

  /**
   * Mirrors socket.sendall(data, flags = 0): sends everything, looping send(2) under one
   * deadline for the whole call. On failure the error's `bytes_sent` says what went out.
   */
  sendall(data: ArrayBufferView, flags?: number): void {
    const d = toBytes(data);
    const fl = toFlags(flags);
    native.sendall(this.#fd('send'), d, fl, this.#s.timeout);
  }

  /** Mirrors socket.sendto(data, address) and sendto(data, flags, address). Calls sendto(2). */
  sendto(data: ArrayBufferView, address: Address): number;
  sendto(data: ArrayBufferView, flags: number, address: Address): number;
  sendto(...args: unknown[]): number {
    if (args.length !== 2 && args.length !== 3) {
      throw new TypeError(`sendto() takes 2 or 3 arguments (${args.length} given)`);
    }
    const d = toBytes(args[0]);
    const fl = args.length === 3 ? toInt(args[1], 'flags') : 0;
    const s = this.#s;
    const addr = toSockAddr(s.family, args[args.length - 1], 'sendto');
    const r = native.sendto(this.#fd('sendto'), d, fl, s.family, addr, s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('sendto');
    return r;
  }

  // ---- messages ------------------------------------------------------------------------

  /**
   * Mirrors socket.recvmsg(bufsize, ancbufsize = 0, flags = 0): [data, ancdata, msg_flags,
   * address], ancdata being [cmsg_level, cmsg_type, cmsg_data][]. Calls recvmsg(2).
   * MSG_CTRUNC in msg_flags says the ancillary buffer was too small.
   */
  recvmsg(bufsize: number, ancbufsize?: number, flags?: number): [Buffer, AncData[], number, unknown] {
    const [n, anc, fl] = checkRecvmsgArgs(bufsize, ancbufsize, flags);
    const buf = Buffer.allocUnsafe(n);
    const r = native.recvmsg(this.#fd('recvmsg'), [buf], anc, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recvmsg');
    const [count, ancdata, msgFlags, addr] = r as [number, AncData[], number, unknown];
    return [trim(buf, count), ancdata, msgFlags, addr];
  }

  /**
   * Mirrors socket.recvmsg_into(buffers, ancbufsize = 0, flags = 0): scatters into
   * `buffers` and returns [nbytes, ancdata, msg_flags, address]. Calls recvmsg(2).
   */
  recvmsg_into(
    buffers: Iterable<ArrayBufferView>,
    ancbufsize?: number,
    flags?: number,
  ): [number, AncData[], number, unknown] {
    const bufs = checkBufferList(buffers, 'recvmsg_into', true);
    const [, anc, fl] = checkRecvmsgArgs(0, ancbufsize, flags);
    const r = native.recvmsg(this.#fd('recvmsg'), bufs, anc, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recvmsg');
    return r as [number, AncData[], number, unknown];
  }

  /**
   * Mirrors socket.sendmsg(buffers, ancdata = [], flags = 0, address = null): gathers
   * `buffers` and sends them with ancillary data [level, type, data][]. Calls sendmsg(2).
   */
  sendmsg(
    buffers: Iterable<ArrayBufferView>,
    ancdata?: Iterable<[number, number, ArrayBufferView]>,
    flags?: number,
    address?: Address | null,
  ): number {
    const s = this.#s;
    const [bufs, anc, fl, addr] = checkSendmsgArgs(s.family, buffers, ancdata, flags, address);
    const r = native.sendmsg(this.#fd('sendmsg'), bufs, anc, fl, s.family, addr, s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('sendmsg');
    return r;
  }

  /**
   * Beyond Python: one recvmmsg(2) for up to `vlen` datagrams of at most `bufsize` bytes.
   * Waits (per the timeout) until one is queued, then returns all queued, up to vlen, as
   * [data, address][].
   */
  recvmmsg(vlen: number, bufsize: number, flags?: number): [Buffer, unknown][] {
    const [v, n, fl] = checkMmsgArgs(vlen, bufsize, flags);
    const buf = Buffer.allocUnsafe(v * n);
    const r = native.recvmmsg(this.#fd('recvmmsg'), buf, v, n, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recvmmsg');
    return mmsgResults(buf, n, r as [number, unknown, number][]);
  }

  /**
   * Beyond Python: the allocation-free batched receive. One recvmmsg(2) of up to
   * `sizes.length` datagrams into `buffer`, datagram i at offset i * bufsize, its length
   * written to sizes[i]; returns how many arrived. Waits (per the timeout) until one is
   * queued. No addresses (use recvmmsg for those); a datagram longer than bufsize is cut,
   * and with MSG_TRUNC in flags sizes[i] is its full length.
   */
  recvmmsg_into(
    buffer: ArrayBufferView,
    bufsize: number,
    sizes: Int32Array | Uint32Array,
    flags?: number,
  ): number {
    const [b, n, sz, fl] = checkMmsgIntoArgs(buffer, bufsize, sizes, flags);
    const r = native.recvmmsg_into(this.#fd('recvmmsg'), b, n, sz, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recvmmsg');
    return r;
  }

  /**
   * Beyond Python: one sendmmsg(2) for `messages`, either Buffer[] (connected socket) or
   * [data, address][]. Returns how many were sent (it may be fewer than given).
   */
  sendmmsg(messages: ArrayBufferView[] | [ArrayBufferView, Address][], flags?: number): number {
    const s = this.#s;
    const [bufs, addrs] = checkSendmmsgArgs(s.family, messages);
    const fl = toFlags(flags);
    if (bufs.length === 0) return 0;
    const r = native.sendmmsg(this.#fd('sendmmsg'), bufs, addrs, fl, s.family, s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('sendmmsg');
    return r;
  }

  /**
   * Mirrors socket.sendfile(file, offset = 0, count = null): sends a file with sendfile(2)
   * (a file descriptor number or a fs.promises.FileHandle), falling back to a read/send
   * loop where sendfile(2) does not apply, as Python. Returns the bytes sent; the file
   * position is left at offset + sent.
   */
  sendfile(file: number | { fd: number }, offset = 0, count: number | null = null): number {
    const [inFd, off, cnt] = checkSendfileArgs(this.#s, file, offset, count);
    const s = this.#s;
    if (s.timeout === 0) throw new RangeError('non-blocking sockets are not supported');
    const fd = this.#fd('sendfile');
    try {
      return native.sendfile(fd, inFd, off, cnt, s.timeout);
    } catch (e) {
      if (!sendfileFallsBack(e)) throw e;
    }
    // sendfile(2) does not apply (e.g. the file is a pipe or socket): read and send.
    return sendfileFallback(inFd, off, cnt, (chunk) => native.sendall(fd, chunk, 0, s.timeout));
  }

  // ---- filters -------------------------------------------------------------------------

  /**
   * Beyond Python: attaches a classic BPF program, given as [code, jt, jf, k][] (what
   * `tcpdump -dd` prints), with setsockopt(SO_ATTACH_FILTER). Every field is checked
   * first (TypeError/RangeError); a program the kernel rejects is OSError EINVAL.
   */
  attach_filter(program: [number, number, number, number][]): void {
    native.attach_filter(this.#fd('setsockopt'), program);
  }

  /** Beyond Python: removes the attached BPF program (setsockopt(SO_DETACH_FILTER)). */
  detach_filter(): void {
    native.detach_filter(this.#fd('setsockopt'));
  }

  // ---- options -------------------------------------------------------------------------

  /**
   * Mirrors socket.getsockopt(level, optname[, buflen]): a number, or with buflen in
   * 1..1024 a Buffer of what the kernel returned. Calls getsockopt(2).
   */
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    const lv = toInt(level, 'level');
    const opt = toInt(optname, 'optname');
    const bl = buflen === undefined ? 0 : toInt(buflen, 'buflen');
    if (bl < 0 || bl > 1024) throw new OSError('getsockopt buflen out of range');
    return native.getsockopt(this.#fd('getsockopt'), lv, opt, bl);
  }

  /**
   * Mirrors socket.setsockopt(level, optname, value) with an integer (or boolean) or a
   * bytes-like value, and setsockopt(level, optname, null, optlen). Calls setsockopt(2).
   */
  setsockopt(
    level: number,
    optname: number,
    value: number | boolean | ArrayBufferView | null,
    optlen?: number,
  ): void {
    const lv = toInt(level, 'level');
    const opt = toInt(optname, 'optname');
    let v: number | ArrayBufferView | null;
    let len: number | undefined;
    if (value === null) {
      if (optlen === undefined) {
        throw new TypeError("invalid value for argument 'value', must not be null when specifying optlen");
      }
      v = null;
      len = toInt(optlen, 'optlen', 0, 0x7fffffff);
    } else {
      if (optlen !== undefined) {
        throw new TypeError("invalid value for argument 'value': must be null when specifying optlen");
      }
      if (typeof value === 'boolean') v = value ? 1 : 0;
      else if (
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= -0x80000000 &&
        value <= 0x7fffffff
      )
        v = value;
      else v = toBytes(value);
    }
    native.setsockopt(this.#fd('setsockopt'), lv, opt, v, len);
  }

  /**
   * Mirrors socket.makefile(mode = 'r', { buffering, encoding, errors, newline }): a Node
   * stream.Duplex over the socket (Python returns a file object). It runs on the event
   * loop through bsdsock/aio, so it never blocks, and leaves this socket's mode alone.
   */
  makefile(mode = 'r', options: MakefileOptions = {}): Duplex {
    this.#fd('makefile');
    if (!makefileImpl) throw new Error('bsdsock/aio is not loaded');
    return makefileImpl(this, mode, options);
  }

  // ---- repr ----------------------------------------------------------------------------

  /** Python's repr: <socket.socket fd=3, family=2, type=1, proto=0, laddr=['127.0.0.1', 8080]>. */
  toString(): string {
    return repr(this.#s);
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

// ---- message argument checks (shared with bsdsock/aio) -----------------------------------

function checkRecvmsgArgs(bufsize: unknown, ancbufsize: unknown, flags: unknown): [number, number, number] {
  const n = toInt(bufsize, 'bufsize');
  if (n < 0) throw new RangeError('negative buffer size in recvmsg()');
  const anc = ancbufsize === undefined ? 0 : toInt(ancbufsize, 'ancbufsize', -Infinity, Infinity);
  if (anc < 0 || anc > 0x7fffffff) throw new RangeError('invalid ancillary data buffer length');
  return [n, anc, toFlags(flags)];
}

function checkBufferList(buffers: unknown, caller: string, writable: boolean): ArrayBufferView[] {
  if (
    buffers === null ||
    typeof buffers !== 'object' ||
    typeof (buffers as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`${caller}() argument 1 must be an iterable`);
  }
  const out = Array.from(buffers as Iterable<unknown>, (b) => {
    if (!ArrayBuffer.isView(b)) {
      throw new TypeError(
        writable
          ? `${caller}() argument 1 must be an iterable of single-segment read-write buffers`
          : `a bytes-like object is required, not '${typeName(b)}'`,
      );
    }
    return b;
  });
  if (out.length > 1024) throw new OSError(`${caller}() argument 1 is too long`);
  return out;
}

function checkSendmsgArgs(
  family: number,
  buffers: unknown,
  ancdata: unknown,
  flags: unknown,
  address: unknown,
): [ArrayBufferView[], AncData[], number, unknown] {
  const bufs = checkBufferList(buffers, 'sendmsg', false);
  const anc: AncData[] = [];
  if (ancdata !== undefined && ancdata !== null) {
    if (
      typeof ancdata !== 'object' ||
      typeof (ancdata as Iterable<unknown>)[Symbol.iterator] !== 'function'
    ) {
      throw new TypeError('sendmsg() argument 2 must be an iterable');
    }
    for (const item of ancdata as Iterable<unknown>) {
      if (!Array.isArray(item) || item.length !== 3) {
        const len = Array.isArray(item) ? item.length : typeName(item);
        throw new TypeError(`sendmsg() ancillary data items must be [level, type, data] arrays, not ${len}`);
      }
      anc.push([toInt(item[0], 'cmsg_level'), toInt(item[1], 'cmsg_type'), asBuffer(toBytes(item[2]))]);
    }
  }
  const fl = toFlags(flags);
  const addr = address === undefined || address === null ? null : toSockAddr(family, address, 'sendmsg');
  return [bufs, anc, fl, addr];
}

function checkMmsgArgs(vlen: unknown, bufsize: unknown, flags: unknown): [number, number, number] {
  const v = toInt(vlen, 'vlen');
  if (v < 1 || v > 1024) throw new RangeError('recvmmsg(): vlen must be 1-1024');
  const n = toInt(bufsize, 'bufsize');
  if (n < 0) throw new RangeError('negative buffersize in recvmmsg');
  if (v * n > 0x7fffffff) throw new RangeError('recvmmsg(): vlen * bufsize is too large');
  return [v, n, toFlags(flags)];
}

function checkMmsgIntoArgs(
  buffer: unknown,
  bufsize: unknown,
  sizes: unknown,
  flags: unknown,
): [ArrayBufferView, number, Int32Array | Uint32Array, number] {
  const b = checkWritable(buffer, 'recvmmsg_into');
  const n = toInt(bufsize, 'bufsize');
  if (n < 0) throw new RangeError('negative buffersize in recvmmsg_into');
  if (!(sizes instanceof Int32Array || sizes instanceof Uint32Array)) {
    throw new TypeError(
      `recvmmsg_into() sizes must be an Int32Array or a Uint32Array, not ${typeName(sizes)}`,
    );
  }
  if (sizes.length < 1 || sizes.length > 1024)
    throw new RangeError('recvmmsg_into(): sizes must hold 1-1024 entries');
  if (sizes.length * n > b.byteLength)
    throw new RangeError('recvmmsg_into(): buffer too small for sizes.length * bufsize');
  return [b, n, sizes, toFlags(flags)];
}

function mmsgResults(buf: Buffer, bufsize: number, r: [number, unknown, number][]): [Buffer, unknown][] {
  return r.map(([len, addr], i) => [buf.subarray(i * bufsize, i * bufsize + Math.min(len, bufsize)), addr]);
}

function checkSendmmsgArgs(family: number, messages: unknown): [ArrayBufferView[], unknown[] | null] {
  if (!Array.isArray(messages))
    throw new TypeError(`sendmmsg() messages must be an array, not ${typeName(messages)}`);
  if (messages.length > 1024) throw new RangeError('sendmmsg() takes at most 1024 messages per call');
  if (messages.length === 0) return [[], null];
  if (Array.isArray(messages[0])) {
    const bufs: ArrayBufferView[] = [];
    const addrs: unknown[] = [];
    for (const m of messages) {
      if (!Array.isArray(m) || m.length !== 2)
        throw new TypeError('sendmmsg() messages must all be [data, address]');
      bufs.push(toBytes(m[0]));
      addrs.push(toSockAddr(family, m[1], 'sendmmsg'));
    }
    return [bufs, addrs];
  }
  return [messages.map((m) => toBytes(m)), null];
}

function checkSendfileArgs(
  s: State,
  file: unknown,
  offset: unknown,
  count: unknown,
): [number, number, number] {
  let inFd: number;
  if (typeof file === 'number') inFd = toInt(file, 'file');
  else if (file !== null && typeof file === 'object' && typeof (file as { fd?: unknown }).fd === 'number') {
    inFd = (file as { fd: number }).fd;
  } else
    throw new TypeError(`sendfile() file must be a file descriptor or a FileHandle, not ${typeName(file)}`);
  if (inFd < 0) throw new RangeError('sendfile() file is closed');
  if (s.type !== SOCK_STREAM) throw new RangeError('only SOCK_STREAM type sockets are supported');
  const off = toInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  let cnt = 0;
  if (count !== null && count !== undefined) {
    if (typeof count !== 'number' || !Number.isInteger(count)) {
      throw new TypeError(`count must be a positive integer (got ${formatAddress(count)})`);
    }
    if (count <= 0) throw new RangeError(`count must be a positive integer (got ${count})`);
    cnt = count;
  }
  return [inFd, off, cnt];
}

/**
 * Python's sendfile fallback: reads the file in 8 KiB blocks and sends them. Like Python,
 * offset 0 reads from the current position (so pipes and sockets work); another offset
 * reads at that offset. A read error is an OSError; any error carries `bytes_sent`.
 */
function sendfileFallback(inFd: number, off: number, cnt: number, sendall: (chunk: Buffer) => void): number {
  const chunk = Buffer.allocUnsafe(8192);
  let sent = 0;
  for (;;) {
    const want = cnt > 0 ? Math.min(chunk.length, cnt - sent) : chunk.length;
    if (want <= 0) break;
    let got: number;
    try {
      got = readSync(inFd, chunk, 0, want, off === 0 ? null : off + sent);
    } catch (e) {
      throw fsError(e, sent);
    }
    if (got === 0) break;
    try {
      sendall(chunk.subarray(0, got));
    } catch (e) {
      if (e instanceof OSError) e.bytes_sent = sent + (e.bytes_sent ?? 0);
      throw e;
    }
    sent += got;
  }
  return sent;
}

/** A Node fs error as Python's OSError (Node's errno is negative), with bytes_sent. */
function fsError(e: unknown, sent: number): unknown {
  const errno = (e as NodeJS.ErrnoException)?.errno;
  if (typeof errno !== 'number') return e;
  const err = fromErrno(Math.abs(errno), (e as NodeJS.ErrnoException).syscall ?? 'read', sent);
  return err;
}

// Errors of sendfile(2) itself (nothing sent yet) after which Python falls back to read/send.
const SENDFILE_FALLBACK = new Set([22 /* EINVAL */, 38 /* ENOSYS */, 95 /* EOPNOTSUPP */, 29 /* ESPIPE */]);
function sendfileFallsBack(e: unknown): boolean {
  return e instanceof OSError && e.errno !== null && SENDFILE_FALLBACK.has(e.errno) && !e.bytes_sent;
}

/** Helpers the module functions and bsdsock/aio share with the class. @internal */
export const internals = {
  wouldBlock,
  trim,
  asBuffer,
  ebadf,
  checkWritable,
  checkNbytes,
  capabilityError,
  checkRecvmsgArgs,
  checkBufferList,
  checkSendmsgArgs,
  checkMmsgArgs,
  checkMmsgIntoArgs,
  mmsgResults,
  checkSendmmsgArgs,
  checkSendfileArgs,
  sendfileFallsBack,
  fsError,
};
