// AsyncSocket: the methods of Socket as promises (trio.socket's socket), run by the async runner.
/**
 * An AsyncSocket has the methods of Socket; those that can wait return promises. Each
 * call first tries the syscall (timeout 0) and, only if it would block, queues itself on
 * the readiness engine (aio/readiness.ts) and waits. Reads and writes have separate FIFO
 * queues, so concurrent calls of one direction complete in call order. Every method that
 * returns a promise reports every error, bad arguments included, by rejecting it.
 */
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { asBuffer, parseTimeout, toBytes, toFlags, toInt, typeName } from '../args';
import { toSockAddrAsync, type Address } from '../address';
import { formatAddress } from '../finalizer';
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
} from '../io-args';
import { OSError, ebadf, wouldBlock } from '../oserror';
import { native, WOULD_BLOCK, type AncData } from '../native';
import { checkSendfileArgs, fsError, sendfileFallsBack } from '../sendfile';
import { Socket, type MakefileOptions } from '../socket';
import type { State } from '../state';
import { makefile } from './makefile';
import { AGAIN, READ, WRITE, settleNow, waiting } from './readiness';
import { AbortError, abortError, isOpts, run, type WaitOptions } from './runner';
import {
  rxRing,
  txRing,
  type AsyncRxRing,
  type AsyncTxRing,
  type RxRingOptions,
  type TxRingOptions,
} from '../ring';
import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';

/** Bytes one sendall attempt writes before yielding to the loop. */
const SENDALL_SLICE = 4 * 1024 * 1024;

/**
 * An async socket, mirroring trio.socket's socket object. Create one with aio.socket(),
 * aio.socketpair(), aio.fromfd() or aio.from_stdlib_socket().
 */
export class AsyncSocket {
  #sock: Socket;
  #st: State;

  /**
   * Wraps a blocking Socket (prefer aio.from_stdlib_socket). The Socket is made
   * non-blocking unless `keepMode` (used by Socket.makefile).
   */
  constructor(sock: Socket, keepMode = false) {
    if (!(sock instanceof Socket))
      throw new TypeError(`expected object of type 'socket.socket', not '${typeName(sock)}'`);
    if (sock._twin())
      throw new TypeError('this socket already has an AsyncSocket: use aio.from_stdlib_socket()');
    this.#sock = sock;
    this.#st = sock._state();
    // Timeout 0 already means an O_NONBLOCK fd (aio.socket and accept create it so).
    if (this.#st.fd >= 0 && !keepMode && this.#st.timeout !== 0) sock.setblocking(false);
    sock._setTwin(this);
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
    s.#st.waitTimeout = this.#st.waitTimeout;
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
    return this.#st.waitTimeout < 0 ? null : this.#st.waitTimeout;
  }
  /** Bounds each waiting call: null = no bound (the default), 0 = never wait. */
  settimeout(value: number | null): void {
    if (arguments.length === 0) throw new TypeError('settimeout() takes exactly one argument (0 given)');
    const t = parseTimeout(value);
    this.#fd('settimeout');
    this.#st.waitTimeout = t;
  }
  /** False only when settimeout(0). */
  getblocking(): boolean {
    return this.#st.waitTimeout !== 0;
  }
  /** setblocking(true) = settimeout(null); setblocking(false) = settimeout(0). */
  setblocking(flag: unknown): void {
    this.#fd('setblocking');
    this.#st.waitTimeout = flag ? -1 : 0;
  }

  /** trio's is_readable(): whether a read would not block now. */
  is_readable(): boolean {
    return native.wait(this.#fd('poll'), false, 0);
  }

  /** trio's wait_readable(): resolves when the socket is readable. */
  wait_readable(opts?: WaitOptions): Promise<void> {
    try {
      return run(this, this.#st, READ, () => undefined, 'poll', opts, false);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Like Socket.rx_ring(), with a promise-based next_block() and `for await` (lib/ring.ts). */
  rx_ring(options: RxRingOptions): AsyncRxRing {
    return rxRing(this, this.#sock, options, true);
  }

  /** Like Socket.tx_ring(), with a send() that waits for free slots through the event loop. */
  tx_ring(options: TxRingOptions): AsyncTxRing {
    return txRing(this, this.#sock, options, true);
  }

  /** trio's wait_writable(): resolves when the socket is writable. */
  wait_writable(opts?: WaitOptions): Promise<void> {
    try {
      return run(this, this.#st, WRITE, () => undefined, 'poll', opts, false);
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
      return run(
        this,
        this.#st,
        READ,
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
   * Like socket.connect(), but async: connect(2), then while it is in progress waits for
   * writability and reads SO_ERROR (trio; native connect_start / connect_result). An abort or timeout while connecting closes
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
    // Native makes the calls and raises, naming the address (trio's wording): connect(2),
    // then at once a second one, which on loopback usually finds the handshake over.
    const label = formatAddress(address);
    if (native.connect_start(fd, family, addr, label) !== WOULD_BLOCK) return;
    try {
      await run(this, this.#st, WRITE, () => native.connect_result(st.fd, label), 'connect', opts, false);
    } catch (e) {
      if (e instanceof AbortError || (e instanceof OSError && e.errno === null)) this.close();
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
      return run(
        this,
        this.#st,
        READ,
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
      return run(
        this,
        this.#st,
        READ,
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
      return run(
        this,
        this.#st,
        READ,
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
      return run(
        this,
        this.#st,
        READ,
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
      return run(
        this,
        this.#st,
        WRITE,
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
        run(
          this,
          this.#st,
          WRITE,
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
      return run(this, this.#st, WRITE, attempt, 'send', opts).catch((e: unknown) => {
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
      return run(
        this,
        this.#st,
        READ,
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
      return run(
        this,
        this.#st,
        READ,
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
    return run(
      this,
      this.#st,
      WRITE,
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
      return run(
        this,
        this.#st,
        READ,
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
      return run(
        this,
        this.#st,
        READ,
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
      if (!waiting(st, WRITE)) {
        let r: number;
        try {
          r = native.sendmmsg(st.fd, bufs, addrs, fl, st.family, 0);
        } catch (e) {
          return Promise.reject(e);
        }
        if (r !== WOULD_BLOCK) return settleNow(r);
        if (this.#st.waitTimeout === 0) return Promise.reject(wouldBlock('sendmmsg'));
      }
      const copies = bufs.map((b) => Buffer.from(asBuffer(b)));
      return run(
        this,
        this.#st,
        WRITE,
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
      return await run(this, this.#st, WRITE, attempt, 'sendfile', opts);
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
   * driven by this async path (see aio/makefile.ts).
   */
  makefile(mode = 'r', options: MakefileOptions = {}): Duplex {
    return makefile(this, mode, options);
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
