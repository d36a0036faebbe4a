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
import { parseTimeout, toInt, toOptionValue } from './args';
import { packedV4, toSockAddr } from './address';
import { cancelAll } from './aio/readiness';
import { makefile, type MakefileOptions } from './aio/makefile';
import { SOMAXCONN } from './constants';
import { EBADF } from './errno';
import type { Watch } from './aio/readiness';
import type { Address, RecvAddress, RecvmsgResult, SockAddr } from './families';
import { forgetState, repr, watchState } from './finalizer';
import { fdNonblocking, native } from './native';
import { OSError } from './oserror';
import { acceptOperation } from './ops/accept';
import { Recvmsg, RecvmsgInto, Sendmsg } from './ops/message';
import { Recvmmsg, RecvmmsgInto, Sendmmsg } from './ops/mmsg';
import { Recv, RecvInto, Recvfrom, RecvfromInto } from './ops/recv';
import { Send, Sendall, Sendto } from './ops/send';
import { runBlocking } from './runner';
import { sendfileBlocking } from './sendfile';
import {
  adoptState,
  createState,
  defaultTimeoutValue,
  FAMILY,
  FD,
  initState,
  openFd,
  PROTO,
  SocketAttributes,
  TIMEOUT,
  TYPE,
  WAIT_TIMEOUT,
  WATCH,
  type State,
} from './state';
import {
  closeRings,
  rxRing,
  txRing,
  type RxRing,
  type RxRingOptions,
  type TxRing,
  type TxRingOptions,
} from './ring';

// What _wrap and _unwatched hand the constructor (an fd of -1: a new socket(2) of that
// family, type and proto), read only when the constructor's first argument is HANDOVER.
// So a handover left behind by a constructor that failed at its entry (at the stack's
// limit) is never taken by another socket: each use sets all of it first.
const HANDOVER: unique symbol = Symbol('bsdsock.handover');
let internalFd = -1;
let internalFamily: unknown = 0;
let internalType: unknown = 0;
let internalProto: unknown = 0;
let internalTimeout = -1;
let internalWatch = true;

function handover(
  fd: number,
  family: unknown,
  type: unknown,
  proto: unknown,
  timeout: number,
  watch: boolean,
): typeof HANDOVER {
  internalFd = fd;
  internalFamily = family;
  internalType = type;
  internalProto = proto;
  internalTimeout = timeout;
  internalWatch = watch;
  return HANDOVER;
}

/**
 * Closes (or with `detach` releases) the fd of `sock`: the engine's waiters are rejected
 * and its slot freed, its ring unmapped, the finalizer dropped. Returns the fd, or -1 when
 * it was closed already. For Socket and AsyncSocket. @internal
 */
export function closeState(sock: Socket, detach: boolean): number {
  const fd = sock[FD];
  if (fd < 0) return -1;
  cancelAll(sock);
  closeRings(sock);
  sock[FD] = -1;
  forgetState(sock);
  if (detach) native.release(fd);
  else native.close(fd);
  return fd;
}

/**
 * settimeout/setblocking: stores the timeout first, as CPython does (on a closed socket the
 * call raises EBADF and gettimeout() still returns the new value), then sets O_NONBLOCK.
 */
function setMode(sock: Socket, timeout: number, syscall: string): void {
  sock[TIMEOUT] = timeout;
  native.set_blocking(openFd(sock, syscall), !fdNonblocking(timeout));
}

/**
 * A BSD socket, mirroring Python's socket.socket. Create one with `socket.socket(...)`
 * or `new Socket(...)`.
 */
export class Socket<F extends number = number, T extends number = number> extends SocketAttributes<F, T> {
  // The state record (lib/state.ts) is the Socket itself: one object per blocking socket
  // (structurally a State; not declared `implements`, as the d.ts strips the fields).
  // Declared without initializers, so every field starts out holding undefined and V8
  // keeps them tagged: a fractional timeout is then one immutable number, not a box per
  // socket for a double field. All are set in the constructor, in this order. No private
  // methods or accessors (module functions instead): they would add a brand slot to
  // every instance (8 B).
  /** @internal */
  [FD]!: number;
  /** @internal */
  [FAMILY]!: number;
  /** @internal */
  [TYPE]!: number;
  /** @internal */
  [PROTO]!: number;
  /** @internal */
  [TIMEOUT]!: number;
  /** @internal */
  [WAIT_TIMEOUT]!: number;
  /** @internal */
  [WATCH]!: Watch | null;
  /** The AsyncSocket over this socket, if any (bsdsock/aio keeps one per Socket). */
  #twin: object | null = null;

  /**
   * Mirrors Python socket.socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None).
   * Calls socket(2), or wraps `fileno` (family/type/proto then default to the fd's own, and
   * given values must match it: an OSError EINVAL otherwise).
   */
  constructor(family?: F | null, type?: T | null, proto?: number | null, fileno?: number | null) {
    super();
    if ((family as unknown) === HANDOVER) {
      const watch = internalWatch;
      if (internalFd >= 0) {
        initState(
          this,
          internalFd,
          internalFamily as number,
          internalType as number,
          internalProto as number,
          internalTimeout,
        );
      } else {
        createState(this, internalFamily, internalType, internalProto);
      }
      // A Socket made for an AsyncSocket is watched through that AsyncSocket (which keeps it).
      if (watch) watchState(this, this);
      return;
    }
    if (fileno === undefined || fileno === null) createState(this, family, type, proto);
    else adoptState(this, fileno, family, type, proto);
    watchState(this, this);
  }

  /** Wraps an fd this module already owns (accept, dup, socketpair, fromfd). @internal */
  static _wrap<F extends number = number, T extends number = number>(
    fd: number,
    family: number,
    type: number,
    proto: number,
    timeout: number,
  ): Socket<F, T> {
    // If the constructor throws, the fd is owned by nothing: the caller closes it.
    return new Socket<F, T>(handover(fd, family, type, proto, timeout, true) as never);
  }

  /**
   * A Socket for an AsyncSocket to own, which the finalizer does not watch (the AsyncSocket
   * gets watched instead): over `fd` when it is >= 0 (accept), else a new socket(2). @internal
   */
  static _unwatched(fd: number, family: unknown, type: unknown, proto: unknown, timeout: number): Socket {
    return new Socket(handover(fd, family, type, proto, timeout, false) as never);
  }

  /** Python's read-only `timeout` attribute: gettimeout(). */
  get timeout(): number | null {
    return this.gettimeout();
  }

  // ---- lifetime ------------------------------------------------------------------------

  /** Mirrors socket.fileno(): the fd, or -1 once closed or detached. */
  fileno(): number {
    return this[FD];
  }

  /** Mirrors socket.close(). Calls close(2). Idempotent; later calls on the socket raise EBADF. */
  close(): void {
    closeState(this, false);
  }

  /** Mirrors socket.detach(): gives up the fd without closing it and returns it (-1 if closed). */
  detach(): number {
    return closeState(this, true);
  }

  /** The state shared with bsdsock/aio: this Socket. @internal */
  override _state(): State {
    return this;
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
  dup(): Socket<F, T> {
    const fd = native.dup(openFd(this, 'dup'));
    try {
      return Socket._wrap<F, T>(fd, this[FAMILY], this[TYPE], this[PROTO], this[TIMEOUT]);
    } catch (e) {
      native.close(fd); // no socket took it (see ops/accept.ts acceptNow)
      throw e;
    }
  }

  /** Mirrors socket.get_inheritable(): true when FD_CLOEXEC is clear. */
  get_inheritable(): boolean {
    return native.get_inheritable(openFd(this, 'fcntl'));
  }

  /** Mirrors socket.set_inheritable(inheritable). */
  set_inheritable(inheritable: boolean): void {
    native.set_inheritable(openFd(this, 'fcntl'), !!inheritable);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // ---- modes ---------------------------------------------------------------------------

  /** Mirrors socket.gettimeout(): seconds, 0 (non-blocking) or null (blocking). */
  gettimeout(): number | null {
    const t = this[TIMEOUT];
    return t < 0 ? null : t;
  }

  /**
   * Mirrors socket.settimeout(value): null blocks, 0 is non-blocking, > 0 bounds each call.
   * Sets or clears O_NONBLOCK as Python does (so an fd closed underneath raises EBADF).
   */
  settimeout(value: number | null): void {
    setMode(this, parseTimeout(value), 'settimeout');
  }

  /** Mirrors socket.getblocking(): false only in non-blocking mode (timeout 0). */
  getblocking(): boolean {
    return this[TIMEOUT] !== 0;
  }

  /** Mirrors socket.setblocking(flag): true = settimeout(null), false = settimeout(0) (JavaScript callers: truthy, falsy). */
  setblocking(flag: boolean): void {
    setMode(this, flag ? -1 : 0, 'setblocking');
  }

  // ---- addresses and connections -------------------------------------------------------

  /** Mirrors socket.bind(address). Calls bind(2). */
  bind(address: Address<F>): void {
    // The address is checked before the socket's state, as CPython does.
    const addr = toSockAddr(this[FAMILY], address, 'bind');
    native.bind(openFd(this, 'bind'), this[FAMILY], addr);
  }

  /** Mirrors socket.listen(backlog = min(SOMAXCONN, 128)). Calls listen(2). */
  listen(backlog?: number): void {
    const b = backlog === undefined ? Math.min(SOMAXCONN, 128) : toInt(backlog, 'backlog');
    native.listen(openFd(this, 'listen'), b);
  }

  /**
   * Mirrors socket.accept(): returns [conn, address]. Calls accept4(2). The new socket's
   * timeout is getdefaulttimeout(), else blocking, whatever the listener's (bpo-7995).
   */
  accept(): [Socket<F, T>, SockAddr<F>] {
    return runBlocking(AcceptSocket, this) as [Socket<F, T>, SockAddr<F>];
  }

  /**
   * Mirrors socket.connect(address). Calls connect(2); with a timeout, waits for the
   * connection within it (EINPROGRESS, poll, SO_ERROR). Non-blocking: BlockingIOError 115.
   */
  connect(address: Address<F>): void {
    const family = this[FAMILY];
    const addr = packedV4(family, toSockAddr(family, address, 'connect'));
    native.connect(openFd(this, 'connect'), family, addr, this[TIMEOUT], false);
  }

  /** Mirrors socket.connect_ex(address): the errno instead of an exception (0 on success, 11 on timeout). */
  connect_ex(address: Address<F>): number {
    const family = this[FAMILY];
    const addr = packedV4(family, toSockAddr(family, address, 'connect_ex'));
    if (this[FD] < 0) return EBADF;
    return native.connect(this[FD], family, addr, this[TIMEOUT], true) as number;
  }

  /** Mirrors socket.getsockname(). Calls getsockname(2). */
  getsockname(): SockAddr<F> {
    return native.getsockname(openFd(this, 'getsockname')) as SockAddr<F>;
  }

  /** Mirrors socket.getpeername(). Calls getpeername(2). */
  getpeername(): SockAddr<F> {
    return native.getpeername(openFd(this, 'getpeername')) as SockAddr<F>;
  }

  /** Mirrors socket.shutdown(how): SHUT_RD, SHUT_WR or SHUT_RDWR. Calls shutdown(2). */
  shutdown(how: number): void {
    native.shutdown(openFd(this, 'shutdown'), toInt(how, 'how'));
  }

  // ---- I/O: each operation is described once in lib/ops/ and run here by the blocking runner

  /**
   * Mirrors socket.recv(bufsize, flags = 0): at most `bufsize` bytes; an empty Buffer at
   * end of stream. Calls recv(2). With MSG_TRUNC it still returns at most `bufsize` bytes.
   */
  recv(bufsize: number, flags?: number): Buffer {
    return runBlocking(Recv, this, bufsize, flags);
  }

  /**
   * Mirrors socket.recv_into(buffer, nbytes = 0, flags = 0): receives into `buffer` and
   * returns the kernel's count. Calls recv(2).
   */
  recv_into(buffer: ArrayBufferView, nbytes?: number, flags?: number): number;
  /** recv_into with keywords (lib/signatures.ts maps them): `recv_into(buf, { nbytes })`. */
  recv_into(buffer: ArrayBufferView, options: { nbytes?: number; flags?: number }): number;
  recv_into(buffer: ArrayBufferView, nbytes?: number | object, flags?: number): number {
    return runBlocking(RecvInto, this, buffer, nbytes, flags);
  }

  /** Mirrors socket.recvfrom(bufsize, flags = 0): [data, address]. Calls recvfrom(2). */
  recvfrom(bufsize: number, flags?: number): [Buffer, RecvAddress<F, T>] {
    return runBlocking(Recvfrom, this, bufsize, flags) as [Buffer, RecvAddress<F, T>];
  }

  /** Mirrors socket.recvfrom_into(buffer, nbytes = 0, flags = 0): [count, address]. Calls recvfrom(2). */
  recvfrom_into(buffer: ArrayBufferView, nbytes?: number, flags?: number): [number, RecvAddress<F, T>];
  /** recvfrom_into with keywords (lib/signatures.ts maps them). */
  recvfrom_into(
    buffer: ArrayBufferView,
    options: { nbytes?: number; flags?: number },
  ): [number, RecvAddress<F, T>];
  recvfrom_into(
    buffer: ArrayBufferView,
    nbytes?: number | object,
    flags?: number,
  ): [number, RecvAddress<F, T>] {
    return runBlocking(RecvfromInto, this, buffer, nbytes, flags) as [number, RecvAddress<F, T>];
  }

  /** Mirrors socket.send(data, flags = 0): bytes sent, possibly fewer than given. Calls send(2) with MSG_NOSIGNAL. */
  send(data: ArrayBufferView, flags?: number): number {
    return runBlocking(Send, this, data, flags);
  }

  /**
   * Mirrors socket.sendall(data, flags = 0): sends everything, looping send(2) under one
   * deadline for the whole call. On failure the error's `bytes_sent` says what went out.
   */
  sendall(data: ArrayBufferView, flags?: number): void {
    runBlocking(Sendall, this, data, flags);
  }

  /** Mirrors socket.sendto(data, address) and sendto(data, flags, address). Calls sendto(2). */
  sendto(data: ArrayBufferView, address: Address<F>): number;
  sendto(data: ArrayBufferView, flags: number, address: Address<F>): number;
  sendto(...args: unknown[]): number {
    return runBlocking(Sendto, this, args[0], args[1], args[2], args.length);
  }

  /**
   * Mirrors socket.recvmsg(bufsize, ancbufsize = 0, flags = 0): [data, ancdata, msg_flags,
   * address], ancdata being [cmsg_level, cmsg_type, cmsg_data][]. Calls recvmsg(2).
   * MSG_CTRUNC in msg_flags says the ancillary buffer was too small.
   */
  recvmsg(bufsize: number, ancbufsize?: number, flags?: number): RecvmsgResult<Buffer, F, T> {
    return runBlocking(Recvmsg, this, bufsize, ancbufsize, flags) as RecvmsgResult<Buffer, F, T>;
  }

  /**
   * Mirrors socket.recvmsg_into(buffers, ancbufsize = 0, flags = 0): scatters into
   * `buffers` and returns [nbytes, ancdata, msg_flags, address]. Calls recvmsg(2).
   */
  recvmsg_into(
    buffers: Iterable<ArrayBufferView>,
    ancbufsize?: number,
    flags?: number,
  ): RecvmsgResult<number, F, T> {
    return runBlocking(RecvmsgInto, this, buffers, ancbufsize, flags) as RecvmsgResult<number, F, T>;
  }

  /**
   * Mirrors socket.sendmsg(buffers, ancdata = [], flags = 0, address = null): gathers
   * `buffers` and sends them with ancillary data [level, type, data][]. Calls sendmsg(2).
   */
  sendmsg(
    buffers: Iterable<ArrayBufferView>,
    ancdata?: Iterable<[number, number, ArrayBufferView]>,
    flags?: number,
    address?: Address<F> | null,
  ): number {
    return runBlocking(Sendmsg, this, buffers, ancdata, flags, address);
  }

  /**
   * Beyond Python: one recvmmsg(2) for up to `vlen` datagrams of at most `bufsize` bytes.
   * Waits (per the timeout) until one is queued, then returns all queued, up to vlen, as
   * [data, address][].
   */
  recvmmsg(vlen: number, bufsize: number, flags?: number): [Buffer, RecvAddress<F, T>][] {
    return runBlocking(Recvmmsg, this, vlen, bufsize, flags) as [Buffer, RecvAddress<F, T>][];
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
    return runBlocking(RecvmmsgInto, this, buffer, bufsize, sizes, flags);
  }

  /**
   * Beyond Python: one sendmmsg(2) for `messages`, either Buffer[] (connected socket) or
   * [data, address][]. Returns how many were sent (it may be fewer than given).
   */
  sendmmsg(messages: ArrayBufferView[] | [ArrayBufferView, Address<F>][], flags?: number): number {
    return runBlocking(Sendmmsg, this, messages, flags);
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
    return sendfileBlocking(this, file, offset, count);
  }

  // ---- filters -------------------------------------------------------------------------

  /**
   * Beyond Python: attaches a classic BPF program, given as [code, jt, jf, k][] (what
   * `tcpdump -dd` prints), with setsockopt(SO_ATTACH_FILTER). Every field is checked
   * first (TypeError/RangeError); a program the kernel rejects is OSError EINVAL.
   */
  attach_filter(program: [number, number, number, number][]): void {
    native.attach_filter(openFd(this, 'setsockopt'), program);
  }

  /** Beyond Python: removes the attached BPF program (setsockopt(SO_DETACH_FILTER)). */
  detach_filter(): void {
    native.detach_filter(openFd(this, 'setsockopt'));
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
  getsockopt(level: number, optname: number, buflen?: 0): number;
  /** With buflen in 1..1024: a Buffer of what the kernel returned. */
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    const lv = toInt(level, 'level');
    const opt = toInt(optname, 'optname');
    const bl = buflen === undefined ? 0 : toInt(buflen, 'buflen');
    if (bl < 0 || bl > 1024) throw new OSError('getsockopt buflen out of range');
    return native.getsockopt(openFd(this, 'getsockopt'), lv, opt, bl);
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
    if (value === null) {
      if (optlen === undefined) {
        throw new TypeError("invalid value for argument 'value', must not be null when specifying optlen");
      }
      // An unsigned int taken modulo 2**32, as CPython's "I" format: -1 reaches the kernel
      // as 0xffffffff (EINVAL), it is not refused here.
      const len = Number(BigInt.asUintN(32, BigInt(toInt(optlen, 'optlen', -Infinity, Infinity))));
      native.setsockopt(openFd(this, 'setsockopt'), lv, opt, null, len);
      return;
    }
    if (optlen !== undefined) {
      throw new TypeError("invalid value for argument 'value': must be null when specifying optlen");
    }
    const v = toOptionValue(value);
    native.setsockopt(openFd(this, 'setsockopt'), lv, opt, v, undefined);
  }

  /**
   * Mirrors socket.makefile(mode = 'r', { buffering, encoding, errors, newline }): a Node
   * stream.Duplex over the socket (Python returns a file object). It runs on the event
   * loop through bsdsock/aio, so it never blocks, and leaves this socket's mode alone.
   */
  makefile(mode = 'r', options: MakefileOptions = {}): Duplex {
    openFd(this, 'makefile');
    return makefile(this, this, mode, options);
  }

  // ---- repr ----------------------------------------------------------------------------

  /** Python's repr: <socket.socket fd=3, family=2, type=1, proto=0, laddr=['127.0.0.1', 8080]>. */
  toString(): string {
    return repr(this);
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** socket.accept()'s operation: the new fd wrapped with the default timeout. */
const AcceptSocket = acceptOperation((fd, ls) =>
  Socket._wrap(fd, ls[FAMILY], ls[TYPE], ls[PROTO], defaultTimeoutValue()),
);
