/**
 * bsdsock/aio: the async twin, mirroring trio.socket.
 *
 * An AsyncSocket has the methods of Socket; those that can wait return promises. Each
 * call first tries the syscall (timeout 0) and, only if it would block, queues itself and
 * waits for readiness on the Node event loop: one uv_poll_t per socket (native/watcher.h),
 * watching only the directions someone waits for. Reads and writes have separate FIFO
 * queues, so concurrent calls of one direction complete in call order. Every method that
 * returns a promise reports every error, bad arguments included, by rejecting it.
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import { inspect } from 'node:util';
import { toFlags, toInt, toBytes, typeName, parseTimeout, asBuffer } from './args';
import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
import { toSockAddrAsync, type Address } from './address';
import { AF_INET, SHUT_WR, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_ERROR } from './constants';
import { OSError, strerror, timedOut } from './errors';
import {
  create_server as syncCreateServer,
  fromfd as syncFromfd,
  has_dualstack_ipv6,
  socketpair as syncSocketpair,
  type AddrInfo,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from './functions';
import { connectionAddress, connectionFailure, gaiHost, gaiPort, nameinfoArgs } from './internal';
import { native, WOULD_BLOCK, type AncData } from './native';
import {
  Socket,
  formatAddress,
  internals,
  setMakefile,
  setPollCloser,
  type MakefileOptions,
  type State,
} from './socket';

export * from './constants';
export * from './exceptions';

const {
  wouldBlock,
  trim,
  ebadf,
  checkWritable,
  checkNbytes,
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
} = internals;

const READ = 1; // UV_READABLE
const WRITE = 2; // UV_WRITABLE
const DISCONNECT = 4; // UV_DISCONNECT
const EINPROGRESS = 115;
const EALREADY = 114;
const EISCONN = 106;
/** Waiters served per readiness wake-up and direction, so one busy socket cannot starve the loop. */
const MAX_PER_WAKEUP = 32;
/** Bytes one sendall attempt writes before yielding to the loop. */
const SENDALL_SLICE = 4 * 1024 * 1024;

const AGAIN: unique symbol = Symbol('again');

// Calls that complete at once resolve without the event loop turning; a long streak of
// them (a socket that always has data) would starve timers and other sockets. So after
// IMMEDIATE_STREAK immediate completions, one resolves through setImmediate, which lets
// the loop run (trio makes every call a checkpoint for the same reason). The streak
// restarts whenever the loop has demonstrably turned: at that yield, and at every
// readiness dispatch (poll callbacks run in the loop's poll phase). No per-turn timer.
const IMMEDIATE_STREAK = 64;
let streak = 0;
function yielded<T>(value: T): T {
  streak = 0;
  return value;
}
function settleNow<T>(value: T): Promise<T> {
  if (++streak <= IMMEDIATE_STREAK) return Promise.resolve(value);
  return new Promise((resolve) => setImmediate(() => resolve(yielded(value))));
}
type Attempt<T> = () => T | typeof AGAIN;

interface Waiter {
  attempt: Attempt<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  syscall: string;
  /** Clears the waiter's timer and abort listener; null when it has none. */
  done: (() => void) | null;
}

/** Options every waiting method takes after its positional arguments. */
export interface WaitOptions {
  /** Aborting rejects the call with an AbortError and leaves the socket usable (connect: closes it). */
  signal?: AbortSignal;
}

/** The rejection of an aborted call, as Node's own APIs give it (`name` 'AbortError', `code` 'ABORT_ERR'). */
export class AbortError extends Error {
  code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
  override get name(): string {
    return 'AbortError';
  }
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

function isOpts(v: unknown): v is WaitOptions {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer)
  );
}

// Sockets whose watcher is active, by watcher id: the dispatcher's lookup table. An idle
// socket is not in it, so it can be garbage-collected.
const active = new Map<number, AsyncSocket>();
// One AsyncSocket per Socket, so two wrappers never fight over one watcher: the Socket
// holds its AsyncSocket (Socket._twin; a field, not a WeakMap, which would cost an
// ephemeron per socket and slows every scavenge).
function twinOf(sock: Socket): AsyncSocket | null {
  return sock._twin() as AsyncSocket | null;
}

let dispatchImpl: (id: number, events: number, status: number) => void = () => {};
let trimImpl: (a: AsyncSocket) => void = () => {};

// Sockets whose watcher may watch more than their waiters need; trimmed once per loop turn.
const toTrim = new Set<AsyncSocket>();
function trimAll(): void {
  for (const a of toTrim) trimImpl(a);
  toTrim.clear();
}
function stopLater(a: AsyncSocket): void {
  if (toTrim.size === 0) setImmediate(trimAll);
  toTrim.add(a);
}
let abandonImpl: (a: AsyncSocket) => void = () => {};

native.poll_init((id, events, status) => {
  streak = 0;
  try {
    dispatchImpl(id, events, status);
  } catch (e) {
    // Never let an exception unwind into the uv callback; report it as uncaught.
    process.nextTick(() => {
      throw e;
    });
  }
});

setPollCloser((id) => {
  const a = active.get(id);
  active.delete(id);
  native.poll_close(id);
  if (a) abandonImpl(a);
});

/**
 * An async socket, mirroring trio.socket's socket object. Create one with aio.socket(),
 * aio.socketpair(), aio.fromfd() or aio.from_stdlib_socket().
 */
export class AsyncSocket {
  #sock: Socket;
  #st: State;
  #rq: Waiter[] = [];
  #wq: Waiter[] = [];
  #mask = 0;
  /** Seconds bounding each waiting call; -1 = none. */
  #timeout = -1;

  static {
    trimImpl = (a) => a.#trim();
    dispatchImpl = (id, events, status) => {
      const a = active.get(id);
      if (a) a.#ready(status < 0 ? READ | WRITE : events);
    };
    abandonImpl = (a) => a.#abandon();
  }

  /**
   * Wraps a blocking Socket (prefer aio.from_stdlib_socket). The Socket is made
   * non-blocking unless `keepMode` (used by Socket.makefile).
   */
  constructor(sock: Socket, keepMode = false) {
    if (!(sock instanceof Socket))
      throw new TypeError(`expected object of type 'socket.socket', not '${typeName(sock)}'`);
    if (twinOf(sock))
      throw new TypeError('this socket already has an AsyncSocket: use aio.from_stdlib_socket()');
    this.#sock = sock;
    this.#st = sock._state();
    // Timeout 0 already means an O_NONBLOCK fd (aio.socket and accept create it so).
    if (this.#st.fd >= 0 && !keepMode && this.#st.timeout !== 0) sock.setblocking(false);
    sock._setTwin(this);
  }

  // ---- waiting machinery ---------------------------------------------------------------

  /**
   * Watches the directions that have waiters. Adding a direction takes effect at once;
   * dropping one is deferred to the end of this loop turn (stopLater), because a socket
   * that was just served usually waits again right away (ping-pong, a read loop), and a
   * stop followed by a start costs two epoll_ctl calls for nothing.
   */
  #update(): void {
    const want = (this.#rq.length ? READ : 0) | (this.#wq.length ? WRITE : 0);
    const mask = this.#mask;
    if (want === mask) return;
    if ((want & ~mask) === 0) {
      stopLater(this);
      return;
    }
    this.#apply(want);
  }

  /** Sets the watcher's mask to exactly `want` (0 stops it, so it no longer keeps the loop alive). */
  #apply(want: number): void {
    const st = this.#st;
    if (want === this.#mask) return;
    if (st.pollId < 0) {
      if (want === 0 || st.fd < 0) {
        this.#mask = 0;
        return;
      }
      st.pollId = native.poll_open(st.fd);
    }
    native.poll_start(st.pollId, want);
    this.#mask = want;
    if (want) active.set(st.pollId, this);
    else active.delete(st.pollId);
  }

  /** Drops the directions that still have no waiter (see #update). */
  #trim(): void {
    if (this.#st.pollId < 0 || this.#st.fd < 0) return;
    this.#apply((this.#rq.length ? READ : 0) | (this.#wq.length ? WRITE : 0));
  }

  #ready(events: number): void {
    if (events & (READ | DISCONNECT)) this.#serve(this.#rq);
    if (events & (WRITE | DISCONNECT)) this.#serve(this.#wq);
    this.#update();
  }

  #serve(q: Waiter[]): void {
    for (let n = 0; n < MAX_PER_WAKEUP && q.length > 0; n++) {
      const w = q[0];
      let r: unknown;
      try {
        r = w.attempt();
      } catch (e) {
        q.shift();
        w.done?.();
        w.reject(e);
        continue;
      }
      if (r === AGAIN) return;
      q.shift();
      w.done?.();
      w.resolve(r);
    }
  }

  /** The watcher was closed under us (close/detach): every pending call fails with EBADF. */
  #abandon(): void {
    this.#mask = 0;
    const all = [...this.#rq, ...this.#wq];
    this.#rq.length = 0;
    this.#wq.length = 0;
    for (const w of all) {
      w.done?.();
      w.reject(ebadf(w.syscall));
    }
  }

  /**
   * Runs `attempt` now if nothing of its direction is queued (and `tryFirst`), else (or on
   * AGAIN) queues it to be retried on readiness, bounded by the timeout and the signal.
   */
  #run<T>(
    q: Waiter[],
    attempt: Attempt<T>,
    syscall: string,
    opts: WaitOptions | undefined,
    tryFirst = true,
  ): Promise<T> {
    const signal = opts?.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.#st.fd < 0) return Promise.reject(ebadf(syscall));
    if (tryFirst && q.length === 0) {
      let r: T | typeof AGAIN;
      try {
        r = attempt();
      } catch (e) {
        return Promise.reject(e);
      }
      if (r !== AGAIN) return settleNow(r);
      if (this.#timeout === 0) return Promise.reject(wouldBlock(syscall));
    }
    return new Promise<T>((resolve, reject) => {
      const w: Waiter = { attempt, resolve: resolve as (v: unknown) => void, reject, syscall, done: null };
      const timeout = this.#timeout;
      if (signal || timeout >= 0) {
        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        const remove = () => {
          const i = q.indexOf(w);
          if (i >= 0) q.splice(i, 1);
          w.done?.();
          this.#update();
        };
        if (signal) {
          onAbort = () => {
            remove();
            reject(abortError(signal));
          };
          signal.addEventListener('abort', onAbort, { once: true });
        }
        if (timeout >= 0) {
          timer = setTimeout(() => {
            remove();
            reject(timeout === 0 ? wouldBlock(syscall) : timedOut(syscall));
          }, timeout * 1000);
        }
        w.done = () => {
          w.done = null;
          if (timer) clearTimeout(timer);
          if (onAbort) signal!.removeEventListener('abort', onAbort);
        };
      }
      q.push(w);
      try {
        this.#update();
      } catch (e) {
        q.pop();
        w.done?.();
        reject(e);
      }
    });
  }

  #fd(syscall: string): number {
    const fd = this.#st.fd;
    if (fd < 0) throw ebadf(syscall);
    return fd;
  }

  // ---- properties and synchronous methods ------------------------------------------

  /** The address family. */
  get family(): number {
    return this.#sock.family;
  }
  /** The socket type. */
  get type(): number {
    return this.#sock.type;
  }
  /** The protocol number. */
  get proto(): number {
    return this.#sock.proto;
  }

  /** Like socket.fileno(). */
  fileno(): number {
    return this.#sock.fileno();
  }

  /** Like socket.close(): pending calls reject with OSError EBADF; the watcher is closed before the fd. */
  close(): void {
    this.#sock.close();
  }

  /** Like socket.detach(): pending calls reject with EBADF and the watcher is closed; returns the fd. */
  detach(): number {
    return this.#sock.detach();
  }

  /** Like socket.dup(), returning an AsyncSocket. */
  dup(): AsyncSocket {
    const s = new AsyncSocket(this.#sock.dup());
    s.#timeout = this.#timeout;
    return s;
  }

  /** Like socket.get_inheritable(). */
  get_inheritable(): boolean {
    return this.#sock.get_inheritable();
  }
  /** Like socket.set_inheritable(). */
  set_inheritable(inheritable: boolean): void {
    this.#sock.set_inheritable(inheritable);
  }
  /** Like socket.getsockname(). */
  getsockname(): unknown {
    return this.#sock.getsockname();
  }
  /** Like socket.getpeername(). */
  getpeername(): unknown {
    return this.#sock.getpeername();
  }
  /** Like socket.getsockopt(). */
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    return this.#sock.getsockopt(level, optname, buflen);
  }
  /** Like socket.setsockopt(). */
  setsockopt(
    level: number,
    optname: number,
    value: number | boolean | ArrayBufferView | null,
    optlen?: number,
  ): void {
    this.#sock.setsockopt(level, optname, value, optlen);
  }
  /** Like Socket.attach_filter(): a classic BPF program as [code, jt, jf, k][]. */
  attach_filter(program: [number, number, number, number][]): void {
    this.#sock.attach_filter(program);
  }
  /** Like Socket.detach_filter(). */
  detach_filter(): void {
    this.#sock.detach_filter();
  }
  /** Like socket.listen(). */
  listen(backlog?: number): void {
    this.#sock.listen(backlog);
  }
  /** Like socket.shutdown(). */
  shutdown(how: number): void {
    this.#sock.shutdown(how);
  }

  /** Seconds that bound each waiting call (TimeoutError), 0 (BlockingIOError instead of waiting), or null. */
  gettimeout(): number | null {
    return this.#timeout < 0 ? null : this.#timeout;
  }
  /** Bounds each waiting call: null = no bound (the default), 0 = never wait. */
  settimeout(value: number | null): void {
    if (arguments.length === 0) throw new TypeError('settimeout() takes exactly one argument (0 given)');
    const t = parseTimeout(value);
    this.#fd('settimeout');
    this.#timeout = t;
  }
  /** False only when settimeout(0). */
  getblocking(): boolean {
    return this.#timeout !== 0;
  }
  /** setblocking(true) = settimeout(null); setblocking(false) = settimeout(0). */
  setblocking(flag: unknown): void {
    this.#fd('setblocking');
    this.#timeout = flag ? -1 : 0;
  }

  /** trio's is_readable(): whether a read would not block now. */
  is_readable(): boolean {
    return native.wait(this.#fd('poll'), false, 0);
  }

  /** trio's wait_writable(): resolves when the socket is writable. */
  wait_writable(opts?: WaitOptions): Promise<void> {
    try {
      return this.#run(this.#wq, () => undefined, 'poll', opts, false);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- connections -----------------------------------------------------------------

  /** Like socket.bind(), but async: a host name is resolved off the event loop thread. */
  async bind(address: Address): Promise<void> {
    const addr = await toSockAddrAsync(this.#sock.family, address, 'bind');
    native.bind(this.#fd('bind'), this.#sock.family, addr);
  }

  /** Like socket.accept(), but async: resolves to [AsyncSocket, address]. */
  accept(opts?: WaitOptions): Promise<[AsyncSocket, unknown]> {
    try {
      this.#fd('accept');
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.accept(st.fd, 0, true);
          if (r === WOULD_BLOCK) return AGAIN;
          const [fd, addr] = r as [number, unknown];
          return [new AsyncSocket(Socket._wrap(fd, st.family, st.type, st.proto, 0)), addr] as [
            AsyncSocket,
            unknown,
          ];
        },
        'accept',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like socket.connect(), but async: connect(2), then on EINPROGRESS waits for
   * writability and reads SO_ERROR (trio). An abort or timeout while connecting closes
   * the socket, as trio does on cancellation.
   */
  async connect(address: Address, opts?: WaitOptions): Promise<void> {
    const signal = opts?.signal;
    if (signal?.aborted) throw abortError(signal);
    const family = this.#sock.family;
    let addr: unknown;
    try {
      addr = await toSockAddrAsync(family, address, 'connect');
    } catch (e) {
      if (signal?.aborted) this.close();
      throw e;
    }
    if (signal?.aborted) {
      this.close();
      throw abortError(signal);
    }
    const st = this.#st;
    const fd = this.#fd('connect');
    let err = native.connect(fd, family, addr, 0, true) as number;
    if (err === EINPROGRESS) {
      // Loopback and other fast paths have often finished the handshake by now, and a
      // second connect(2) says so (0; an error such as ECONNREFUSED; EALREADY while it is
      // still in progress), which spares a watcher and a loop turn.
      err = native.connect(fd, family, addr, 0, true) as number;
      if (err === EISCONN) err = 0;
      else if (err === EALREADY) err = EINPROGRESS;
    }
    if (err === EINPROGRESS) {
      try {
        err = await this.#run(
          this.#wq,
          () => native.getsockopt(st.fd, SOL_SOCKET, SO_ERROR, 0) as number,
          'connect',
          opts,
          false,
        );
      } catch (e) {
        if (e instanceof AbortError || (e instanceof OSError && e.errno === null)) this.close();
        throw e;
      }
    }
    if (err !== 0) {
      const e = new OSError(err, `Error connecting to ${formatAddress(address)}: ${strerror(err)}`);
      e.syscall = 'connect';
      throw e;
    }
  }

  // ---- receiving -------------------------------------------------------------------

  /** Like socket.recv(), but async. */
  recv(bufsize: number, flags?: number | WaitOptions, opts?: WaitOptions): Promise<Buffer> {
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const n = toInt(bufsize, 'bufsize');
      if (n < 0) throw new RangeError('negative buffersize in recv');
      const fl = toFlags(flags);
      this.#fd('recv');
      if (n === 0) return Promise.resolve(Buffer.alloc(0));
      const buf = Buffer.allocUnsafe(n);
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recv_into(st.fd, buf, n, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : trim(buf, r);
        },
        'recv',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like socket.recv_into(), but async: resolves to the kernel's count. */
  recv_into(
    buffer: ArrayBufferView,
    nbytes?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number> {
    try {
      if (isOpts(nbytes)) [nbytes, opts] = [undefined, nbytes];
      else if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const b = checkWritable(buffer, 'recv_into');
      const n = checkNbytes(b, nbytes, 'recv_into', 'buffer too small for requested bytes');
      const fl = toFlags(flags);
      this.#fd('recv');
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recv_into(st.fd, b, n, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : r;
        },
        'recv',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like socket.recvfrom(), but async: resolves to [data, address]. */
  recvfrom(bufsize: number, flags?: number | WaitOptions, opts?: WaitOptions): Promise<[Buffer, unknown]> {
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const n = toInt(bufsize, 'bufsize');
      if (n < 0) throw new RangeError('negative buffersize in recvfrom');
      const fl = toFlags(flags);
      this.#fd('recvfrom');
      const buf = Buffer.allocUnsafe(n);
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recvfrom_into(st.fd, buf, n, fl, 0);
          if (r === WOULD_BLOCK) return AGAIN;
          const [count, addr] = r as [number, unknown];
          return [trim(buf, count), addr] as [Buffer, unknown];
        },
        'recvfrom',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like socket.recvfrom_into(), but async: resolves to [count, address]. */
  recvfrom_into(
    buffer: ArrayBufferView,
    nbytes?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[number, unknown]> {
    try {
      if (isOpts(nbytes)) [nbytes, opts] = [undefined, nbytes];
      else if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const b = checkWritable(buffer, 'recvfrom_into');
      const n = checkNbytes(b, nbytes, 'recvfrom_into', 'nbytes is greater than the length of the buffer');
      const fl = toFlags(flags);
      this.#fd('recvfrom');
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recvfrom_into(st.fd, b, n, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : (r as [number, unknown]);
        },
        'recvfrom',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- sending ---------------------------------------------------------------------

  /** Like socket.send(), but async: resolves to the bytes sent (possibly fewer). */
  send(data: ArrayBufferView, flags?: number | WaitOptions, opts?: WaitOptions): Promise<number> {
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const d = toBytes(data);
      const fl = toFlags(flags);
      this.#fd('send');
      const st = this.#st;
      return this.#run(
        this.#wq,
        () => {
          const r = native.send(st.fd, d, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : r;
        },
        'send',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like socket.sendto(data, [flags,] address), but async (a host name is resolved off-thread). */
  sendto(data: ArrayBufferView, address: Address, opts?: WaitOptions): Promise<number>;
  sendto(data: ArrayBufferView, flags: number, address: Address, opts?: WaitOptions): Promise<number>;
  sendto(...args: unknown[]): Promise<number> {
    try {
      let opts: WaitOptions | undefined;
      if (args.length > 2 && isOpts(args[args.length - 1])) opts = args.pop() as WaitOptions;
      if (args.length !== 2 && args.length !== 3) {
        throw new TypeError(`sendto() takes 2 or 3 arguments (${args.length} given)`);
      }
      const d = toBytes(args[0]);
      const fl = args.length === 3 ? toInt(args[1], 'flags') : 0;
      this.#fd('sendto');
      const st = this.#st;
      const go = (addr: unknown) =>
        this.#run(
          this.#wq,
          () => {
            const r = native.sendto(st.fd, d, fl, st.family, addr, 0);
            return r === WOULD_BLOCK ? AGAIN : r;
          },
          'sendto',
          opts,
        );
      const addr = toSockAddrAsync(st.family, args[args.length - 1], 'sendto');
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
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const d = asBuffer(toBytes(data));
      const fl = toFlags(flags);
      this.#fd('send');
      const st = this.#st;
      const len = d.length;
      let off = 0;
      const attempt = (): undefined | typeof AGAIN => {
        const stop = off + SENDALL_SLICE;
        while (off < len) {
          const r = native.send(st.fd, off === 0 ? d : d.subarray(off), fl, 0);
          if (r === WOULD_BLOCK) return AGAIN;
          off += r;
          if (off >= stop && off < len) return AGAIN; // yield to the loop; the watcher calls back
        }
        return undefined;
      };
      return this.#run(this.#wq, attempt, 'send', opts).catch((e: unknown) => {
        if (e instanceof OSError || e instanceof AbortError) (e as OSError).bytes_sent = off;
        throw e;
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- messages ------------------------------------------------------------------------

  /** Like socket.recvmsg(), but async: [data, ancdata, msg_flags, address]. */
  recvmsg(
    bufsize: number,
    ancbufsize?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[Buffer, AncData[], number, unknown]> {
    try {
      if (isOpts(ancbufsize)) [ancbufsize, opts] = [undefined, ancbufsize];
      else if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const [n, anc, fl] = checkRecvmsgArgs(bufsize, ancbufsize, flags);
      this.#fd('recvmsg');
      const buf = Buffer.allocUnsafe(n);
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recvmsg(st.fd, [buf], anc, fl, 0);
          if (r === WOULD_BLOCK) return AGAIN;
          const [count, ancdata, msgFlags, addr] = r as [number, AncData[], number, unknown];
          return [trim(buf, count), ancdata, msgFlags, addr] as [Buffer, AncData[], number, unknown];
        },
        'recvmsg',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like socket.recvmsg_into(), but async: [nbytes, ancdata, msg_flags, address]. */
  recvmsg_into(
    buffers: Iterable<ArrayBufferView>,
    ancbufsize?: number | WaitOptions,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[number, AncData[], number, unknown]> {
    try {
      if (isOpts(ancbufsize)) [ancbufsize, opts] = [undefined, ancbufsize];
      else if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const bufs = checkBufferList(buffers, 'recvmsg_into', true);
      const [, anc, fl] = checkRecvmsgArgs(0, ancbufsize, flags);
      this.#fd('recvmsg');
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recvmsg(st.fd, bufs, anc, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : (r as [number, AncData[], number, unknown]);
        },
        'recvmsg',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like socket.sendmsg(), but async (an address host name is resolved first). */
  async sendmsg(
    buffers: Iterable<ArrayBufferView>,
    ancdata?: Iterable<[number, number, ArrayBufferView]>,
    flags?: number,
    address?: Address | null,
    opts?: WaitOptions,
  ): Promise<number> {
    const st = this.#st;
    let resolved: unknown = address;
    if (address !== undefined && address !== null)
      resolved = await toSockAddrAsync(st.family, address, 'sendmsg');
    // The address is numeric now: validating it again costs no lookup.
    const [bufs, anc, fl, addr] = checkSendmsgArgs(st.family, buffers, ancdata, flags, resolved);
    this.#fd('sendmsg');
    return this.#run(
      this.#wq,
      () => {
        const r = native.sendmsg(st.fd, bufs, anc, fl, st.family, addr, 0);
        return r === WOULD_BLOCK ? AGAIN : r;
      },
      'sendmsg',
      opts,
    );
  }

  /** Like Socket.recvmmsg(), but async: waits for one datagram, then returns all queued up to vlen. */
  recvmmsg(
    vlen: number,
    bufsize: number,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<[Buffer, unknown][]> {
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const [v, n, fl] = checkMmsgArgs(vlen, bufsize, flags);
      this.#fd('recvmmsg');
      const buf = Buffer.allocUnsafe(v * n);
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recvmmsg(st.fd, buf, v, n, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : mmsgResults(buf, n, r as [number, unknown, number][]);
        },
        'recvmmsg',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like Socket.recvmmsg_into(), but async: waits for one datagram, then takes all queued, up to sizes.length. */
  recvmmsg_into(
    buffer: ArrayBufferView,
    bufsize: number,
    sizes: Int32Array | Uint32Array,
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number> {
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const [b, n, sz, fl] = checkMmsgIntoArgs(buffer, bufsize, sizes, flags);
      this.#fd('recvmmsg');
      const st = this.#st;
      return this.#run(
        this.#rq,
        () => {
          const r = native.recvmmsg_into(st.fd, b, n, sz, fl, 0);
          return r === WOULD_BLOCK ? AGAIN : r;
        },
        'recvmmsg',
        opts,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like Socket.sendmmsg(), but async: resolves to how many were sent. If it has to wait,
   * the payloads are copied first, so changing them afterwards cannot change what is sent.
   */
  sendmmsg(
    messages: ArrayBufferView[] | [ArrayBufferView, Address][],
    flags?: number | WaitOptions,
    opts?: WaitOptions,
  ): Promise<number> {
    try {
      if (isOpts(flags)) [flags, opts] = [undefined, flags];
      const st = this.#st;
      const [bufs, addrs] = checkSendmmsgArgs(st.family, messages);
      const fl = toFlags(flags);
      this.#fd('sendmmsg');
      if (bufs.length === 0) return Promise.resolve(0);
      if (opts?.signal?.aborted) return Promise.reject(abortError(opts.signal));
      if (this.#wq.length === 0) {
        let r: number;
        try {
          r = native.sendmmsg(st.fd, bufs, addrs, fl, st.family, 0);
        } catch (e) {
          return Promise.reject(e);
        }
        if (r !== WOULD_BLOCK) return settleNow(r);
        if (this.#timeout === 0) return Promise.reject(wouldBlock('sendmmsg'));
      }
      const copies = bufs.map((b) => Buffer.from(asBuffer(b)));
      return this.#run(
        this.#wq,
        () => {
          const r = native.sendmmsg(st.fd, copies, addrs, fl, st.family, 0);
          return r === WOULD_BLOCK ? AGAIN : r;
        },
        'sendmmsg',
        opts,
        false,
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Like socket.sendfile(file, offset = 0, count = null), but async: sendfile(2) whenever
   * the socket is writable, or a read/send loop where sendfile(2) does not apply. On
   * failure the error's `bytes_sent` says what went out.
   */
  async sendfile(
    file: number | { fd: number },
    offset = 0,
    count: number | null = null,
    opts?: WaitOptions,
  ): Promise<number> {
    const st = this.#st;
    const [inFd, off, cnt] = checkSendfileArgs(st, file, offset, count);
    this.#fd('sendfile');
    let sent = 0;
    let eof = false;
    const attempt = (): number | typeof AGAIN => {
      for (;;) {
        if (eof || (cnt > 0 && sent >= cnt)) return sent;
        const r = native.sendfile(st.fd, inFd, off + sent, cnt > 0 ? cnt - sent : 0, 0);
        if (r === WOULD_BLOCK) return AGAIN;
        if (r === 0) eof = true;
        sent += r;
      }
    };
    try {
      return await this.#run(this.#wq, attempt, 'sendfile', opts);
    } catch (e) {
      if (!(sent === 0 && sendfileFallsBack(e))) {
        if (e instanceof OSError || e instanceof AbortError) (e as OSError).bytes_sent = sent;
        throw e;
      }
    }
    // sendfile(2) does not apply to this file: read and send (as the blocking fallback:
    // offset 0 reads from the current position, so pipes and sockets work).
    const read = promisify(fsRead);
    const chunk = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const want = cnt > 0 ? Math.min(chunk.length, cnt - sent) : chunk.length;
      if (want <= 0) break;
      let bytesRead: number;
      try {
        ({ bytesRead } = await read(inFd, chunk, 0, want, off === 0 ? null : off + sent));
      } catch (e) {
        throw fsError(e, sent);
      }
      if (bytesRead === 0) break;
      try {
        await this.sendall(chunk.subarray(0, bytesRead), opts);
      } catch (e) {
        if (e instanceof OSError || e instanceof AbortError)
          (e as OSError).bytes_sent = sent + ((e as OSError).bytes_sent ?? 0);
        throw e;
      }
      sent += bytesRead;
    }
    return sent;
  }

  // ---- streams, repr, disposal ---------------------------------------------------------

  /**
   * Like socket.makefile(mode = 'r', { encoding }): a Node stream.Duplex over the socket,
   * driven by this async path. 'r' makes it readable, 'w' writable; without 'b' the
   * readable side decodes text (`encoding`, default 'utf8'). Backpressure is respected,
   * end of stream ends the readable side, ending the writable side shuts down writing
   * (stream sockets), and errors destroy the stream. Destroying the stream aborts its
   * pending read but leaves the socket open: close the socket yourself, as in Python.
   */
  makefile(mode = 'r', options: MakefileOptions = {}): Duplex {
    if (typeof mode !== 'string' || !/^[rwb]+$/.test(mode)) {
      throw new RangeError(`invalid mode '${String(mode)}' (only r, w, b allowed)`);
    }
    const binary = mode.includes('b');
    if (options.buffering === 0 && !binary) throw new RangeError('unbuffered streams must be binary');
    const readChunk = options.buffering && options.buffering > 0 ? options.buffering : 64 * 1024;
    const ac = new AbortController();
    const sock = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the stream's callbacks have their own `this`
    // `readable`/`writable` are Duplex options since Node 11 (missing from @types/node 20).
    const stream = new Duplex({
      readable: mode.includes('r'),
      writable: mode.includes('w'),
      allowHalfOpen: true,
      read() {
        sock.recv(readChunk, { signal: ac.signal }).then(
          (data) => {
            this.push(data.length === 0 ? null : data);
          },
          (err: unknown) => {
            if (!(err instanceof AbortError)) this.destroy(err as Error);
          },
        );
      },
      write(chunk: Buffer, _encoding, callback) {
        sock.sendall(chunk, { signal: ac.signal }).then(() => callback(), callback);
      },
      final(callback) {
        try {
          if (sock.type === SOCK_STREAM && sock.fileno() >= 0) sock.shutdown(SHUT_WR);
          callback();
        } catch (e) {
          callback(e as Error);
        }
      },
      destroy(err, callback) {
        ac.abort();
        callback(err);
      },
    } as DuplexOptions);
    if (!binary && mode.includes('r')) stream.setEncoding((options.encoding ?? 'utf8') as BufferEncoding);
    return stream;
  }

  /** Python-style repr, naming the async module. */
  toString(): string {
    return this.#sock.toString().replace('<socket.socket', '<aio.socket');
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

// Socket.makefile() goes through the AsyncSocket of the same Socket, keeping its mode.
setMakefile((sock, mode, options) => (twinOf(sock) ?? new AsyncSocket(sock, true)).makefile(mode, options));

// ---- module functions --------------------------------------------------------------

/** `type` with SOCK_NONBLOCK, so the fd is created non-blocking (anything invalid is left for Socket to reject). */
function nonblockingType(type: number | null | undefined): number | null | undefined {
  if (type === undefined || type === null || type === -1) return SOCK_STREAM | SOCK_NONBLOCK;
  return Number.isInteger(type) ? type | SOCK_NONBLOCK : type;
}

/** Like socket.socket(), returning an AsyncSocket (synchronous, as in trio). */
export function socket(
  family?: number | null,
  type?: number | null,
  proto?: number | null,
  fileno?: number | null,
): AsyncSocket {
  const ty = fileno === undefined || fileno === null ? nonblockingType(type) : type;
  return new AsyncSocket(new Socket(family, ty, proto, fileno));
}

/** Like socket.socketpair(), returning two AsyncSockets. */
export function socketpair(
  family?: number | null,
  type?: number,
  proto?: number,
): [AsyncSocket, AsyncSocket] {
  const [a, b] = syncSocketpair(family, nonblockingType(type) ?? undefined, proto);
  return [new AsyncSocket(a), new AsyncSocket(b)];
}

/** Like socket.fromfd(), returning an AsyncSocket on a dup() of `fd`. */
export function fromfd(fd: number, family: number, type: number, proto?: number): AsyncSocket {
  return new AsyncSocket(syncFromfd(fd, family, type, proto));
}

/**
 * trio's from_stdlib_socket(sock): the AsyncSocket over a blocking Socket (made
 * non-blocking). The same Socket always gives the same AsyncSocket.
 */
export function from_stdlib_socket(sock: Socket): AsyncSocket {
  if (!(sock instanceof Socket))
    throw new TypeError(`expected object of type 'socket.socket', not '${typeName(sock)}'`);
  return twinOf(sock) ?? new AsyncSocket(sock);
}

/** Like socket.getaddrinfo(), but async: getaddrinfo(3) runs on the libuv thread pool. */
export async function getaddrinfo(
  host: string | null,
  port: string | number | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): Promise<AddrInfo[]> {
  return native.getaddrinfo_async(
    gaiHost(host),
    gaiPort(port),
    toInt(family, 'family'),
    toInt(type, 'type'),
    toInt(proto, 'proto'),
    toInt(flags, 'flags'),
  );
}

/** Like socket.getnameinfo(), but async (getnameinfo(3) on the libuv thread pool). */
export async function getnameinfo(
  sockaddr: [string, number, number?, number?],
  flags: number,
): Promise<[string, string]> {
  const fl = toInt(flags, 'flags');
  const [family, sa] = nameinfoArgs(sockaddr);
  return native.getnameinfo_async(family, sa, fl);
}

/** create_connection options of the async twin: Python's keyword arguments plus `signal`. */
export interface AsyncCreateConnectionOptions extends CreateConnectionOptions, WaitOptions {}

/**
 * Like socket.create_connection(), but async: tries each getaddrinfo result in turn.
 * `timeout` bounds each attempt's waiting calls (and stays set on the returned socket).
 */
export async function create_connection(
  address: [string, number],
  timeout?: number | null,
  source_address?: Address | null,
  options: AsyncCreateConnectionOptions = {},
): Promise<AsyncSocket> {
  const [host, port] = connectionAddress(address);
  const errors: unknown[] = [];
  for (const [af, socktype, proto, , sa] of await getaddrinfo(host, port, 0, SOCK_STREAM)) {
    let sock: AsyncSocket | null = null;
    try {
      sock = socket(af, socktype, proto);
      if (timeout !== undefined) sock.settimeout(timeout);
      if (source_address) await sock.bind(source_address);
      await sock.connect(sa as Address, { signal: options.signal });
      return sock;
    } catch (e) {
      sock?.close();
      if (!(e instanceof OSError)) throw e;
      errors.push(e);
    }
  }
  connectionFailure(errors, options.all_errors);
}

/** Like socket.create_server(), but async (a host name is resolved off-thread); resolves to an AsyncSocket. */
export async function create_server(
  address: Address,
  options: CreateServerOptions = {},
): Promise<AsyncSocket> {
  const family = options.family ?? AF_INET;
  const numeric = await toSockAddrAsync(family, address, 'bind');
  // The AF_UNIX form is bytes; create_server takes the original there.
  const addr = Array.isArray(numeric) ? (numeric as Address) : address;
  return new AsyncSocket(syncCreateServer(addr, options));
}

export { has_dualstack_ipv6 };
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
  inet_checksum,
} from './functions';
