// AsyncSocket: Socket's methods as promises (trio.socket's socket); each I/O method hands a lib/ops/ operation to the async runner.
/**
 * An AsyncSocket has the methods of Socket; those that can wait return promises. Each
 * call first tries the syscall (timeout 0) and, only if it would block, queues itself on
 * the readiness engine (aio/readiness.ts) and waits. Reads and writes have separate FIFO
 * queues, so concurrent calls of one direction complete in call order. Every method that
 * returns a promise reports every error, bad arguments included, by rejecting it.
 */
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { parseTimeout, typeName } from '../args';
import { toSockAddrAsync } from '../address';
import type { Address, RecvAddress, RecvmsgResult, SockAddr } from '../families';
import { native } from '../native';
import { acceptOperation } from '../ops/accept';
import { Recvmsg, RecvmsgInto, Sendmsg } from '../ops/message';
import { Recvmmsg, RecvmmsgInto, Sendmmsg } from '../ops/mmsg';
import { Recv, RecvInto, Recvfrom, RecvfromInto } from '../ops/recv';
import { Send, Sendall, Sendto } from '../ops/send';
import { sendfileAsync } from '../sendfile';
import { repr, watchState } from '../finalizer';
import { closeState, Socket } from '../socket';
import {
  FAMILY,
  FD,
  openFd,
  PROTO,
  SocketAttributes,
  type State,
  TIMEOUT,
  TYPE,
  WAIT_TIMEOUT,
} from '../state';
import { connect } from './connect';
import { makefile, type MakefileOptions } from './makefile';
import { isOpts, start, waitFor, WaitReadable, WaitWritable, type WaitOptions } from './runner';
import {
  rxRing,
  txRing,
  type AsyncRxRing,
  type AsyncTxRing,
  type RxRingOptions,
  type TxRingOptions,
} from '../ring';

// The Socket that _of hands the constructor, read only when its argument is ADOPT (as
// lib/socket.ts HANDOVER: one left behind by a constructor that failed is never taken).
const ADOPT: unique symbol = Symbol('bsdsock.adopt');
let internalSocket: Socket | null = null;

/** recv_into's and recvfrom_into's keyword arguments, with trio's `signal` beside them. */
export interface RecvIntoKeywords extends WaitOptions {
  nbytes?: number;
  flags?: number;
}

/**
 * An async socket, mirroring trio.socket's socket object. Create one with aio.socket(),
 * aio.socketpair(), aio.fromfd() or aio.from_stdlib_socket().
 */
export class AsyncSocket<F extends number = number, T extends number = number> extends SocketAttributes<
  F,
  T
> {
  /**
   * The Socket this wraps, which is also the state record the two share (lib/state.ts).
   * The only field, and no private methods (they would add a brand slot per instance).
   */
  #st: Socket<F, T>;

  /**
   * Wraps a blocking Socket (prefer aio.from_stdlib_socket). The Socket is made
   * non-blocking unless `keepMode`.
   */
  constructor(sock: Socket<F, T>, keepMode = false) {
    super();
    if ((sock as unknown) === ADOPT) {
      // A Socket made for this one (accept, aio.socket): the finalizer watches this object.
      const st = internalSocket as Socket<F, T>;
      internalSocket = null;
      this.#st = st;
      st._setTwin(this);
      watchState(this, st);
      return;
    }
    if (!(sock instanceof Socket))
      throw new TypeError(`expected object of type 'socket.socket', not '${typeName(sock)}'`);
    if (sock._twin())
      throw new TypeError('this socket already has an AsyncSocket: use aio.from_stdlib_socket()');
    this.#st = sock;
    // Timeout 0 already means an O_NONBLOCK fd (aio.socket and accept create it so).
    if (sock[FD] >= 0 && !keepMode && sock[TIMEOUT] !== 0) sock.setblocking(false);
    sock._setTwin(this);
  }

  /** An AsyncSocket over a new O_NONBLOCK fd (accept), made in one step. @internal */
  static _adopt(fd: number, family: number, type: number, proto: number): AsyncSocket {
    return AsyncSocket._of(Socket._unwatched(fd, family, type, proto, 0));
  }

  /** An AsyncSocket over `sock`, a Socket made for it by Socket._unwatched (O_NONBLOCK fd). @internal */
  static _of(sock: Socket): AsyncSocket {
    internalSocket = sock;
    // If the constructor throws, the caller closes the fd (`sock` is watched through the
    // AsyncSocket only).
    return new AsyncSocket(ADOPT as never);
  }

  // ---- properties and synchronous methods ------------------------------------------

  /** The state this AsyncSocket shares with its Socket. @internal */
  override _state(): State {
    return this.#st;
  }

  /** Like socket.fileno(). */
  fileno(): number {
    return this.#st[FD];
  }

  /** Like socket.close(): pending calls reject with OSError EBADF; the watcher is closed before the fd. */
  close(): void {
    closeState(this.#st, false);
  }

  /** Like socket.detach(): pending calls reject with EBADF and the watcher is closed; returns the fd. */
  detach(): number {
    return closeState(this.#st, true);
  }

  /** Like socket.dup(), returning an AsyncSocket. */
  dup(): AsyncSocket<F, T> {
    const s = new AsyncSocket(this.#st.dup());
    s.#st[WAIT_TIMEOUT] = this.#st[WAIT_TIMEOUT];
    return s;
  }

  /** Like socket.get_inheritable(). */
  get_inheritable(): boolean {
    return this.#st.get_inheritable();
  }
  /** Like socket.set_inheritable(). */
  set_inheritable(inheritable: boolean): void {
    this.#st.set_inheritable(inheritable);
  }
  /** Like socket.getsockname(). */
  getsockname(): SockAddr<F> {
    return this.#st.getsockname();
  }
  /** Like socket.getpeername(). */
  getpeername(): SockAddr<F> {
    return this.#st.getpeername();
  }
  /** Like socket.getsockopt(): a number. */
  getsockopt(level: number, optname: number, buflen?: 0): number;
  /** Like socket.getsockopt() with buflen in 1..1024: a Buffer. */
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    return this.#st.getsockopt(level, optname, buflen as number);
  }
  /** Like socket.setsockopt(). */
  setsockopt(...args: Parameters<Socket['setsockopt']>): void {
    this.#st.setsockopt(...args);
  }
  /** Like Socket.attach_filter(): a classic BPF program as [code, jt, jf, k][]. */
  attach_filter(program: [number, number, number, number][]): void {
    this.#st.attach_filter(program);
  }
  /** Like Socket.detach_filter(). */
  detach_filter(): void {
    this.#st.detach_filter();
  }
  /** Like socket.listen(). */
  listen(backlog?: number): void {
    this.#st.listen(backlog);
  }
  /** Like socket.shutdown(). */
  shutdown(how: number): void {
    this.#st.shutdown(how);
  }

  /** Seconds that bound each waiting call (TimeoutError), 0 (BlockingIOError instead of waiting), or null. */
  gettimeout(): number | null {
    return this.#st[WAIT_TIMEOUT] < 0 ? null : this.#st[WAIT_TIMEOUT];
  }
  /** Bounds each waiting call: null = no bound (the default), 0 = never wait. */
  settimeout(value: number | null): void {
    // Stored even on a closed socket, which then raises EBADF, as CPython's settimeout.
    this.#st[WAIT_TIMEOUT] = parseTimeout(value);
    openFd(this.#st, 'settimeout');
  }
  /** False only when settimeout(0). */
  getblocking(): boolean {
    return this.#st[WAIT_TIMEOUT] !== 0;
  }
  /** setblocking(true) = settimeout(null); setblocking(false) = settimeout(0). */
  setblocking(flag: boolean): void {
    this.#st[WAIT_TIMEOUT] = flag ? -1 : 0;
    openFd(this.#st, 'setblocking');
  }

  /** trio's is_readable(): whether a read would not block now. */
  is_readable(): boolean {
    return native.wait(openFd(this.#st, 'poll'), false, 0);
  }

  /** trio's wait_readable(): resolves when the socket is readable. */
  wait_readable(opts?: WaitOptions): Promise<void> {
    return waitFor(WaitReadable, this, this.#st, opts);
  }

  /** Like Socket.rx_ring(), with a promise-based next_block() and `for await` (lib/ring.ts). */
  rx_ring(options: RxRingOptions): AsyncRxRing {
    return rxRing(this, this.#st, options, true);
  }

  /** Like Socket.tx_ring(), with a send() that waits for free slots through the event loop. */
  tx_ring(options: TxRingOptions): AsyncTxRing {
    return txRing(this, this.#st, options, true);
  }

  /** trio's wait_writable(): resolves when the socket is writable. */
  wait_writable(opts?: WaitOptions): Promise<void> {
    return waitFor(WaitWritable, this, this.#st, opts);
  }

  // ---- I/O: each operation is described once in lib/ops/ and run here by the async runner

  /** Like socket.bind(), but async: a host name is resolved off the event loop thread. */
  async bind(address: Address<F>): Promise<void> {
    const st = this.#st;
    const addr = await toSockAddrAsync(st[FAMILY], address, 'bind');
    native.bind(openFd(this.#st, 'bind'), st[FAMILY], addr);
  }

  /** Like socket.accept(), but async: resolves to [AsyncSocket, address]. */
  accept(opts?: WaitOptions): Promise<[AsyncSocket<F, T>, SockAddr<F>]> {
    return start(AcceptAsync, this, this.#st, opts) as Promise<[AsyncSocket<F, T>, SockAddr<F>]>;
  }

  /**
   * Like socket.connect(), but async: connect(2), then on EINPROGRESS waits for
   * writability and reads SO_ERROR (trio). An abort or timeout while connecting closes
   * the socket, as trio does on cancellation.
   */
  connect(address: Address<F>, opts?: WaitOptions): Promise<void> {
    return connect(this, this.#st, address, opts);
  }

  /** Like socket.recv(), but async. */
  recv(bufsize: number, flags?: number | WaitOptions, opts?: WaitOptions): Promise<Buffer> {
    return start(Recv, this, this.#st, bufsize, flags, opts);
  }

  /** Like socket.recv_into(), but async: resolves to the kernel's count. */
  recv_into(
    buffer: ArrayBufferView,
    nbytes?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number>;
  /** recv_into with keywords (lib/signatures.ts maps them): `recv_into(buf, { nbytes, signal })`. */
  recv_into(buffer: ArrayBufferView, options: RecvIntoKeywords): Promise<number>;
  recv_into(
    buffer: ArrayBufferView,
    nbytes?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number> {
    return start(RecvInto, this, this.#st, buffer, nbytes, flags, opts);
  }

  /** Like socket.recvfrom(), but async: resolves to [data, address]. */
  recvfrom(
    bufsize: number,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[Buffer, RecvAddress<F, T>]> {
    return start(Recvfrom, this, this.#st, bufsize, flags, opts) as Promise<[Buffer, RecvAddress<F, T>]>;
  }

  /** Like socket.recvfrom_into(), but async: resolves to [count, address]. */
  recvfrom_into(
    buffer: ArrayBufferView,
    nbytes?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[number, RecvAddress<F, T>]>;
  /** recvfrom_into with keywords (lib/signatures.ts maps them): `recvfrom_into(buf, { nbytes, signal })`. */
  recvfrom_into(buffer: ArrayBufferView, options: RecvIntoKeywords): Promise<[number, RecvAddress<F, T>]>;
  recvfrom_into(
    buffer: ArrayBufferView,
    nbytes?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[number, RecvAddress<F, T>]> {
    return start(RecvfromInto, this, this.#st, buffer, nbytes, flags, opts) as Promise<
      [number, RecvAddress<F, T>]
    >;
  }

  /** Like socket.send(), but async: resolves to the bytes sent (possibly fewer). */
  send(data: ArrayBufferView, flags?: number | WaitOptions, opts?: WaitOptions): Promise<number> {
    return start(Send, this, this.#st, data, flags, opts);
  }

  /** Like socket.sendto(data, [flags,] address), but async (a host name is resolved off-thread). */
  sendto(data: ArrayBufferView, address: Address<F>, opts?: WaitOptions): Promise<number>;
  sendto(data: ArrayBufferView, flags: number, address: Address<F>, opts?: WaitOptions): Promise<number>;
  sendto(...args: unknown[]): Promise<number> {
    const opts = args.length > 2 && isOpts(args[args.length - 1]) ? args.pop() : undefined;
    const n = args.length;
    const go = (addr: unknown) =>
      start(Sendto, this, this.#st, args[0], n === 3 ? args[1] : addr, n === 3 ? addr : undefined, n, opts);
    try {
      const addr = n === 2 || n === 3 ? toSockAddrAsync(this.#st[FAMILY], args[n - 1], 'sendto') : undefined;
      return addr instanceof Promise ? addr.then(go) : go(addr);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like socket.sendall(), but async: resolves once everything is sent. On failure (and on
   * timeout or abort) the error's `bytes_sent` says what went out.
   */
  sendall(data: ArrayBufferView, flags?: number | WaitOptions, opts?: WaitOptions): Promise<void> {
    return start(Sendall, this, this.#st, data, flags, opts);
  }

  /** Like socket.recvmsg(), but async: [data, ancdata, msg_flags, address]. */
  recvmsg(
    bufsize: number,
    ancbufsize?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<RecvmsgResult<Buffer, F, T>> {
    return start(Recvmsg, this, this.#st, bufsize, ancbufsize, flags, opts) as Promise<
      RecvmsgResult<Buffer, F, T>
    >;
  }

  /** Like socket.recvmsg_into(), but async: [nbytes, ancdata, msg_flags, address]. */
  recvmsg_into(
    buffers: Iterable<ArrayBufferView>,
    ancbufsize?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<RecvmsgResult<number, F, T>> {
    return start(RecvmsgInto, this, this.#st, buffers, ancbufsize, flags, opts) as Promise<
      RecvmsgResult<number, F, T>
    >;
  }

  /** Like socket.sendmsg(), but async (an address host name is resolved first). */
  async sendmsg(
    buffers: Iterable<ArrayBufferView>,
    ancdata?: Iterable<[number, number, ArrayBufferView]>,
    flags?: number,
    address?: Address<F> | null,
    opts?: WaitOptions,
  ): Promise<number> {
    const family = this.#st[FAMILY];
    // Numeric once resolved, so the operation's own check of it costs no lookup.
    const addr =
      address === undefined || address === null ? address : await toSockAddrAsync(family, address, 'sendmsg');
    return start(Sendmsg, this, this.#st, buffers, ancdata, flags, addr, opts);
  }

  /** Like Socket.recvmmsg(), but async: waits for one datagram, then returns all queued up to vlen. */
  recvmmsg(
    vlen: number,
    bufsize: number,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[Buffer, RecvAddress<F, T>][]> {
    return start(Recvmmsg, this, this.#st, vlen, bufsize, flags, opts) as Promise<
      [Buffer, RecvAddress<F, T>][]
    >;
  }

  /** Like Socket.recvmmsg_into(), but async: waits for one datagram, then takes all queued, up to sizes.length. */
  recvmmsg_into(
    buffer: ArrayBufferView,
    bufsize: number,
    sizes: Int32Array | Uint32Array,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number> {
    return start(RecvmmsgInto, this, this.#st, buffer, bufsize, sizes, flags, opts);
  }

  /**
   * Like Socket.sendmmsg(), but async: resolves to how many were sent. If it has to wait,
   * the payloads are copied first, so changing them afterwards cannot change what is sent.
   */
  sendmmsg(
    messages: ArrayBufferView[] | [ArrayBufferView, Address<F>][],
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number> {
    return start(Sendmmsg, this, this.#st, messages, flags, opts);
  }

  /**
   * Like socket.sendfile(file, offset = 0, count = null), but async: sendfile(2) whenever
   * the socket is writable, or a read/send loop where sendfile(2) does not apply. On
   * failure the error's `bytes_sent` says what went out.
   */
  sendfile(
    file: number | { fd: number },
    offset?: number,
    count?: number | null,
    opts?: WaitOptions,
  ): Promise<number>;
  /** sendfile with keywords (lib/signatures.ts maps them): `sendfile(fd, { offset, count, signal })`. */
  sendfile(
    file: number | { fd: number },
    options: { offset?: number; count?: number | null; signal?: AbortSignal },
  ): Promise<number>;
  sendfile(
    file: number | { fd: number },
    offset: number | object = 0,
    count: number | null = null,
    opts?: WaitOptions,
  ): Promise<number> {
    // The keyword form reaches here as positional arguments (lib/signatures.ts).
    return sendfileAsync(this, this.#st, file, offset as number, count, opts);
  }

  // ---- streams, repr, disposal ---------------------------------------------------------

  /** Like socket.makefile(mode = 'r', { encoding }): a Node stream.Duplex over the socket (see aio/makefile.ts). */
  makefile(mode = 'r', options: MakefileOptions = {}): Duplex {
    return makefile(this, this.#st, mode, options);
  }

  /** Python-style repr, naming the async module. */
  toString(): string {
    return repr(this.#st).replace('<socket.socket', '<aio.socket');
  }

  [inspect.custom](): string {
    return this.toString();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** accept()'s operation: the new fd becomes an AsyncSocket in the attempt itself. */
const AcceptAsync = acceptOperation((fd, ls) => AsyncSocket._adopt(fd, ls[FAMILY], ls[TYPE], ls[PROTO]));
