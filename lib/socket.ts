// Socket: Python's blocking socket.socket, run by the blocking runner (one native crossing per call).
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
import { inspect } from 'node:util';
import { constants as bufferConstants } from 'node:buffer';
import { parseTimeout, toBytes, toFlags, toInt } from './args';
import { toSockAddr, type Address } from './address';
import { cancelAll } from './aio/readiness';
import { AsyncSocket } from './aio/socket';
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
import { EACCES, EBADF, EINVAL, EPERM } from './errno';
import { registry, repr } from './finalizer';
import {
  checkBufferList,
  checkMmsgArgs,
  checkMmsgIntoArgs,
  checkNbytes,
  checkRecvmsgArgs,
  checkSendmmsgArgs,
  checkSendmsgArgs,
  checkWritable,
  mmsgResults,
  trim,
} from './io-args';
import { OSError, PermissionError, ebadf, strerror, wouldBlock } from './oserror';
import { fdNonblocking, native, nonblockFlag, WOULD_BLOCK, type AncData } from './native';
import {
  closeRings,
  rxRing,
  txRing,
  type RxRing,
  type RxRingOptions,
  type TxRing,
  type TxRingOptions,
} from './ring';
import { checkSendfileArgs, sendfileFallback, sendfileFallsBack } from './sendfile';
import { defaultTimeoutValue, newState, type State } from './state';

/** The largest Buffer Node can allocate: a larger recv() size is Python's MemoryError. */
const MAX_BUFFER = bufferConstants.MAX_LENGTH;

/** Python's keyword arguments of makefile(). */
export interface MakefileOptions {
  buffering?: number | null;
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

let internalState: State | null = null;

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
      const timeout = ty & SOCK_NONBLOCK ? 0 : defaultTimeoutValue();
      let fd: number;
      try {
        fd = native.socket(fam, bare | nonblockFlag(timeout), pr);
      } catch (e) {
        throw capabilityError(e, fam, bare, pr);
      }
      this.#s = newState(fd, fam, bare, pr, timeout);
    } else {
      const fd = toInt(fileno, 'fileno');
      if (fd < 0) throw new RangeError('negative file descriptor');
      const [fam, ty, pr] = native.adopt(fd, fdNonblocking(defaultTimeoutValue()));
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
      this.#s = newState(fd, fam, ty, pr, defaultTimeoutValue());
    }
    registry.register(this, this.#s);
  }

  /** Wraps an fd this module already owns (accept, dup, socketpair, fromfd). @internal */
  static _wrap(fd: number, family: number, type: number, proto: number, timeout: number): Socket {
    internalState = newState(fd, family, type, proto, timeout);
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
    cancelAll(this.#s);
    closeRings(this);
    this.#s.fd = -1;
    native.close(fd);
  }

  /** Mirrors socket.detach(): gives up the fd without closing it and returns it (-1 if closed). */
  detach(): number {
    const fd = this.#s.fd;
    if (fd < 0) return -1;
    cancelAll(this.#s);
    closeRings(this);
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
    this.#setMode(parseTimeout(value), 'settimeout');
  }

  #setMode(timeout: number, syscall: string): void {
    // Stored first, as CPython does: on a closed socket the call raises EBADF and
    // gettimeout() still returns the new value.
    this.#s.timeout = timeout;
    native.set_blocking(this.#fd(syscall), !fdNonblocking(timeout));
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
    // The address is checked before the socket's state, as CPython does.
    const addr = toSockAddr(this.#s.family, address, 'bind');
    native.bind(this.#fd('bind'), this.#s.family, addr);
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
    const r = native.accept(this.#fd('accept'), s.timeout, fdNonblocking(defaultTimeoutValue()));
    if (r === WOULD_BLOCK) throw wouldBlock('accept');
    const [fd, addr] = r as [number, unknown];
    return [Socket._wrap(fd, s.family, s.type, s.proto, defaultTimeoutValue()), addr];
  }

  /**
   * Mirrors socket.connect(address). Calls connect(2); with a timeout, waits for the
   * connection within it (EINPROGRESS, poll, SO_ERROR). Non-blocking: BlockingIOError 115.
   */
  connect(address: Address): void {
    const s = this.#s;
    const addr = toSockAddr(s.family, address, 'connect');
    native.connect(this.#fd('connect'), s.family, addr, s.timeout, false);
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
    // A C ssize_t, as in CPython: a size it cannot allocate is the only size error.
    const n = toInt(bufsize, 'bufsize', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (n < 0) throw new RangeError('negative buffersize in recv');
    const fl = toFlags(flags);
    const fd = this.#fd('recv');
    if (n === 0) return Buffer.alloc(0);
    if (n > MAX_BUFFER) throw new RangeError(`cannot allocate ${n} bytes (MemoryError)`);
    // allocUnsafe does not touch the pages, so a large size costs nothing until data comes.
    const buf = Buffer.allocUnsafe(n);
    const r = native.recv_into(fd, buf, n, fl, this.#s.timeout);
    if (r === WOULD_BLOCK) throw wouldBlock('recv');
    return trim(buf, r);
  }

  /**
   * Mirrors socket.recv_into(buffer, nbytes = 0, flags = 0): receives into `buffer` and
   * returns the kernel's count. Calls recv(2).
   */
  recv_into(buffer: ArrayBufferView, nbytes?: number, flags?: number): number;
  /** recv_into with keywords (lib/signatures.ts maps them): `recv_into(buf, { nbytes })`. */
  recv_into(buffer: ArrayBufferView, options: { nbytes?: number; flags?: number }): number;
  recv_into(buffer: ArrayBufferView, nbytes?: number | object, flags?: number): number {
    const b = checkWritable(buffer, 'recv_into');
    const n = checkNbytes(b, nbytes, 'recv_into', 'buffer too small for requested bytes');
    const fl = toFlags(flags);
    // Nothing to receive: 0 at once, without a system call, as CPython.
    if (n === 0) return 0;
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
  recvfrom_into(buffer: ArrayBufferView, nbytes?: number, flags?: number): [number, unknown];
  /** recvfrom_into with keywords (lib/signatures.ts maps them). */
  recvfrom_into(buffer: ArrayBufferView, options: { nbytes?: number; flags?: number }): [number, unknown];
  recvfrom_into(buffer: ArrayBufferView, nbytes?: number | object, flags?: number): [number, unknown] {
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
  sendfile(file: number | { fd: number }, offset?: number, count?: number | null): number;
  /** sendfile with keywords (lib/signatures.ts maps them): `sendfile(fd, { offset, count })`. */
  sendfile(file: number | { fd: number }, options: { offset?: number; count?: number | null }): number;
  sendfile(file: number | { fd: number }, offset: number | object = 0, count: number | null = null): number {
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

  // ---- rings (lib/ring.ts) ------------------------------------------------------------

  /** Beyond Python: maps a TPACKET_V3 receive ring on this AF_PACKET socket (docs/raw.md). */
  rx_ring(options: RxRingOptions): RxRing {
    return rxRing(this, this, options, false);
  }

  /** Beyond Python: maps a transmit ring on this AF_PACKET SOCK_RAW socket (docs/raw.md). */
  tx_ring(options: TxRingOptions): TxRing {
    return txRing(this, this, options, false);
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
      // An unsigned int taken modulo 2**32, as CPython's "I" format: -1 reaches the kernel
      // as 0xffffffff (EINVAL), it is not refused here.
      len = Number(BigInt.asUintN(32, BigInt(toInt(optlen, 'optlen', -Infinity, Infinity))));
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
    return ((this.#twin as AsyncSocket | null) ?? new AsyncSocket(this, true)).makefile(mode, options);
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
