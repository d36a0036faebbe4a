/**
 * `bsdsock/select`: Python's select module on Linux. `select()`, `poll()` objects,
 * `epoll()` objects and their constants, with CPython 3.12's arguments and errors.
 *
 * Every wait blocks the calling thread, as in Python: use it in a script, a CLI or a
 * worker_thread, not in a server's event loop (bsdsock/aio is for that). A wait is one
 * call into native code, which retries EINTR with what is left of the timeout (PEP 475).
 */
import { inspect } from 'node:util';
import { ENOENT } from './errno';
import { OSError, fromErrno } from './oserror';
import { native } from './native';
import { timestampOverflow, typeName } from './args';
import { pyArgs, sig } from './pyargs';

export { OSError as error } from './oserror';

interface SelectBinding {
  select(r: Int32Array, w: Int32Array, x: Int32Array, timeout: number): number;
  poll(table: Int32Array, timeout: number): [number, number][];
  epoll_create(): number;
  epoll_adopt(fd: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, events: number): void;
  epoll_wait(epfd: number, maxevents: number, timeout: number): [number, number][];
  close(fd: number): void;
  FD_SETSIZE: number;
  select_constants: Record<string, number>;
}
const sel = native as unknown as SelectBinding;
const C = sel.select_constants;

export const POLLIN = C.POLLIN;
export const POLLPRI = C.POLLPRI;
export const POLLOUT = C.POLLOUT;
export const POLLERR = C.POLLERR;
export const POLLHUP = C.POLLHUP;
export const POLLNVAL = C.POLLNVAL;
export const POLLRDNORM = C.POLLRDNORM;
export const POLLRDBAND = C.POLLRDBAND;
export const POLLWRNORM = C.POLLWRNORM;
export const POLLWRBAND = C.POLLWRBAND;
export const POLLMSG = C.POLLMSG;
export const POLLRDHUP = C.POLLRDHUP;
export const EPOLLIN = C.EPOLLIN;
export const EPOLLOUT = C.EPOLLOUT;
export const EPOLLPRI = C.EPOLLPRI;
export const EPOLLERR = C.EPOLLERR;
export const EPOLLHUP = C.EPOLLHUP;
export const EPOLLET = C.EPOLLET;
export const EPOLLONESHOT = C.EPOLLONESHOT;
export const EPOLLEXCLUSIVE = C.EPOLLEXCLUSIVE;
export const EPOLLRDHUP = C.EPOLLRDHUP;
export const EPOLLRDNORM = C.EPOLLRDNORM;
export const EPOLLRDBAND = C.EPOLLRDBAND;
export const EPOLLWRNORM = C.EPOLLWRNORM;
export const EPOLLWRBAND = C.EPOLLWRBAND;
export const EPOLLMSG = C.EPOLLMSG;
export const EPOLL_CLOEXEC = C.EPOLL_CLOEXEC;
export const PIPE_BUF = C.PIPE_BUF;

const INT_MAX = 0x7fffffff;
const INT_MIN = -0x80000000;

/**
 * Python's KeyError, raised by `poll.unregister()` and by bsdsock/selectors for an object
 * that is not registered. `key` is the key Python's exception carries.
 */
export class KeyError extends Error {
  key: unknown;
  constructor(key: unknown) {
    super(typeof key === 'string' ? key : pyRepr(key));
    this.key = key;
  }
  override get name(): string {
    return 'KeyError';
  }
}

/** Python's RuntimeError (a selector used after close()). */
export class RuntimeError extends Error {
  override get name(): string {
    return 'RuntimeError';
  }
}

/** Python's repr() of a value in an error message: sockets by their own repr, strings quoted. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return String(v);
  if (
    typeof (v as { toString?: unknown }).toString === 'function' &&
    v.toString !== Object.prototype.toString
  )
    return String(v);
  return inspect(v, { depth: 0, breakLength: Infinity });
}

/**
 * A file descriptor from an int or an object with a fileno() method (a Socket, an
 * AsyncSocket, ...), as CPython's PyObject_AsFileDescriptor.
 */
export function fileDescriptor(obj: unknown): number {
  let fd: unknown = obj;
  if (typeof obj !== 'number' || !Number.isInteger(obj)) {
    const fileno =
      obj !== null && (typeof obj === 'object' || typeof obj === 'function')
        ? (obj as { fileno?: unknown }).fileno
        : undefined;
    if (typeof fileno !== 'function')
      throw new TypeError('argument must be an int, or have a fileno() method.');
    fd = fileno.call(obj);
    if (typeof fd !== 'number' || !Number.isInteger(fd))
      throw new TypeError('fileno() returned a non-integer');
  }
  const n = fd as number;
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  if (n > INT_MAX) throw new RangeError('Python int too large to convert to C int');
  return n;
}

// ---- select() -----------------------------------------------------------------------

const SELECT = sig('select', ['rlist', 'wlist', 'xlist', 'timeout'], 3, 'clinic', 'select.select');

/** A timeout in seconds as CPython's _PyTime_FromSecondsObject (null = no timeout, -1). */
function secondsTimeout(v: unknown, typeMessage: string): number {
  if (v === null || v === undefined) return -1;
  if (typeof v !== 'number') throw new TypeError(typeMessage);
  if (Number.isNaN(v)) throw new RangeError('Invalid value NaN (not a number)');
  if (Math.abs(v) > 9.2e9) throw new RangeError(timestampOverflow(v));
  return v;
}

function selectList(list: unknown, objs: unknown[]): Int32Array {
  if (
    list === null ||
    list === undefined ||
    typeof (list as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError('arguments 1-3 must be sequences');
  }
  for (const obj of list as Iterable<unknown>) objs.push(obj);
  const fds = new Int32Array(objs.length);
  for (let i = 0; i < objs.length; i++) {
    const fd = fileDescriptor(objs[i]);
    if (fd >= sel.FD_SETSIZE) throw new RangeError('filedescriptor out of range in select()');
    fds[i] = fd;
  }
  return fds;
}

/**
 * Mirrors Python's select.select(rlist, wlist, xlist, timeout=None). Calls select(2).
 * The lists hold ints or objects with fileno() (Sockets, AsyncSockets, ...); the result
 * is the three lists of the same objects that are ready. `timeout` in seconds, null or
 * omitted to wait until something is ready. Positional only, as in CPython.
 */
export function select<R, W, X>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null,
): [R[], W[], X[]];
export function select(...args: unknown[]): [unknown[], unknown[], unknown[]] {
  const [rlist, wlist, xlist, t] = pyArgs(SELECT, args);
  const timeout = secondsTimeout(t, 'timeout must be a float or None');
  if (timeout < 0 && t !== null && t !== undefined) throw new RangeError('timeout must be non-negative');
  const objs: unknown[][] = [[], [], []];
  const fds = [selectList(rlist, objs[0]), selectList(wlist, objs[1]), selectList(xlist, objs[2])];
  const ready = sel.select(fds[0], fds[1], fds[2], timeout);
  const out: [unknown[], unknown[], unknown[]] = [[], [], []];
  if (ready > 0) {
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < fds[k].length; i++) if (fds[k][i] >= 0) out[k].push(objs[k][i]);
    }
  }
  return out;
}

// ---- poll() -------------------------------------------------------------------------

/** An unsigned short event mask, as CPython's _PyLong_UnsignedShort_Converter. */
function shortMask(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new TypeError('an integer is required');
  }
  if (v < 0) throw new RangeError('value must be positive');
  if (v > 0xffff) throw new RangeError('Python int too large for C unsigned short');
  return v;
}

/** A timeout in milliseconds (poll.poll): null or negative = no timeout, returned as -1. */
function msTimeout(v: unknown): number {
  if (v === null || v === undefined) return -1;
  if (typeof v !== 'number') throw new TypeError('timeout must be an integer or None');
  if (Number.isNaN(v)) throw new RangeError('Invalid value NaN (not a number)');
  // CPython first converts to its nanosecond clock (an int64), then checks the C int.
  if (!(Math.abs(v) < 9.2e12)) throw new RangeError(timestampOverflow(v));
  const ms = Math.ceil(v);
  if (ms > INT_MAX || ms < INT_MIN) throw new RangeError('timeout is too large');
  return ms < 0 ? -1 : ms;
}

const POLL_REGISTER = sig('register', ['fd', 'eventmask'], 1, 'clinic', 'poll.register');
const POLL_MODIFY = sig('modify', ['fd', 'eventmask'], 2, 'clinic', 'poll.modify');
const POLL_UNREGISTER = sig('unregister', ['fd'], 1, 'one', 'poll.unregister');
const POLL_POLL = sig('poll', ['timeout'], 0, 'clinic', 'poll.poll');
const NOARGS_POLL = sig('poll', [], 0, 'none', 'select.poll');

/** A poll object (select.poll()): a set of fds and the events to wait for on each. */
export class Poll {
  #fds = new Map<number, number>();
  #table: Int32Array | null = null;

  /**
   * Mirrors poll.register(fd, eventmask=POLLIN | POLLPRI | POLLOUT). Registering an fd
   * again replaces its mask.
   */
  register(fd: unknown, eventmask?: number): void;
  register(...args: unknown[]): void {
    const [obj, mask] = pyArgs(POLL_REGISTER, args);
    const fd = fileDescriptor(obj);
    const events = mask === undefined ? POLLIN | POLLPRI | POLLOUT : shortMask(mask);
    this.#fds.set(fd, events);
    this.#table = null;
  }

  /** Mirrors poll.modify(fd, eventmask): FileNotFoundError (ENOENT) if fd is not registered. */
  modify(fd: unknown, eventmask: number): void;
  modify(...args: unknown[]): void {
    const [obj, mask] = pyArgs(POLL_MODIFY, args);
    const fd = fileDescriptor(obj);
    const events = shortMask(mask);
    if (!this.#fds.has(fd)) throw fromErrno(ENOENT, 'poll');
    this.#fds.set(fd, events);
    this.#table = null;
  }

  /** Mirrors poll.unregister(fd): KeyError if fd is not registered. */
  unregister(fd: unknown): void;
  unregister(...args: unknown[]): void {
    const [obj] = pyArgs(POLL_UNREGISTER, args);
    const fd = fileDescriptor(obj);
    if (!this.#fds.delete(fd)) throw new KeyError(fd);
    this.#table = null;
  }

  /**
   * Mirrors poll.poll(timeout=None). Calls poll(2). `timeout` in milliseconds (rounded
   * up); null, omitted or negative waits until an event. Returns [fd, revents] pairs.
   */
  poll(timeout?: number | null): [number, number][];
  poll(...args: unknown[]): [number, number][] {
    const [t] = pyArgs(POLL_POLL, args);
    const ms = msTimeout(t);
    if (!this.#table) {
      const table = new Int32Array(this.#fds.size * 2);
      let i = 0;
      for (const [fd, events] of this.#fds) {
        table[i++] = fd;
        table[i++] = events;
      }
      this.#table = table;
    }
    return sel.poll(this.#table, ms < 0 ? -1 : ms / 1000);
  }

  toString(): string {
    return '<select.poll object>';
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Mirrors Python's select.poll(): a new poll object. */
export function poll(...args: unknown[]): Poll {
  pyArgs(NOARGS_POLL, args);
  return new Poll();
}

// ---- epoll() ------------------------------------------------------------------------

const EPOLL_NEW = sig('epoll', ['sizehint', 'flags'], 0, 'clinic-kw');
const EPOLL_REGISTER = sig('register', ['fd', 'eventmask'], 1, 'clinic-kw');
const EPOLL_MODIFY = sig('modify', ['fd', 'eventmask'], 2, 'clinic-kw');
const EPOLL_UNREGISTER = sig('unregister', ['fd'], 1, 'clinic-kw');
const EPOLL_POLL = sig('poll', ['timeout', 'maxevents'], 0, 'clinic-kw');

/** An unsigned int event mask taken modulo 2**32, as CPython's bitwise unsigned int. */
function intMask(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  return Number(BigInt.asUintN(32, BigInt(v)));
}

function cInt(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  if (v > INT_MAX) throw new RangeError(`${what}: signed integer is greater than maximum`);
  if (v < INT_MIN) throw new RangeError(`${what}: signed integer is less than minimum`);
  return v;
}

// Closes the epoll fd of an object that is garbage-collected while open, as CPython's
// epoll deallocator does (silently: Python emits no ResourceWarning for epoll objects).
const epollFinalizer = new FinalizationRegistry<{ fd: number }>((state) => {
  if (state.fd >= 0) {
    try {
      sel.close(state.fd);
    } catch {
      // already gone
    }
    state.fd = -1;
  }
});

const ADOPT = Symbol('adopt');

/** An epoll object (select.epoll()): an epoll(7) instance owned by this object. */
export class Epoll {
  readonly #state: { fd: number };

  /**
   * Mirrors select.epoll(sizehint=-1, flags=0). Calls epoll_create1(EPOLL_CLOEXEC).
   * `sizehint` is checked and otherwise ignored, as by Linux; `flags` may be 0 or
   * EPOLL_CLOEXEC (the fd is always close-on-exec).
   */
  constructor(sizehint?: number, flags?: number);
  constructor(options?: { sizehint?: number; flags?: number });
  constructor(...args: unknown[]) {
    if (args[0] === ADOPT) {
      this.#state = { fd: args[1] as number };
    } else {
      const [sizehint = -1, flags = 0] = pyArgs(EPOLL_NEW, args);
      const hint = cInt(sizehint, 'sizehint');
      const fl = cInt(flags, 'flags');
      if (hint !== -1 && hint <= 0) throw new RangeError('negative sizehint');
      if (fl && fl !== EPOLL_CLOEXEC) throw new OSError('invalid flags');
      this.#state = { fd: sel.epoll_create() };
    }
    if (this.#state.fd >= 0) epollFinalizer.register(this, this.#state, this);
  }

  /**
   * Mirrors epoll.fromfd(fd): an epoll object that owns `fd` (closing the object closes
   * it). As in CPython, -1 creates a new epoll instance.
   */
  static fromfd(fd: number): Epoll {
    const n = cInt(fd, 'fd');
    if (n === -1) return new Epoll();
    if (n < 0) throw new OSError(0, 'Error');
    return new Epoll(ADOPT as never, sel.epoll_adopt(n) as never);
  }

  #fd(): number {
    const fd = this.#state.fd;
    if (fd < 0) throw new RangeError('I/O operation on closed epoll object');
    return fd;
  }

  /** Mirrors epoll.closed: true once close() has run. */
  get closed(): boolean {
    return this.#state.fd < 0;
  }

  /** Mirrors epoll.close(): closes the epoll fd; calling it again does nothing. */
  close(): void {
    const fd = this.#state.fd;
    if (fd < 0) return;
    this.#state.fd = -1;
    epollFinalizer.unregister(this);
    sel.close(fd);
  }

  /** Mirrors epoll.fileno(). */
  fileno(): number {
    return this.#fd();
  }

  /**
   * Mirrors epoll.register(fd, eventmask=EPOLLIN | EPOLLPRI | EPOLLOUT). Calls
   * epoll_ctl(EPOLL_CTL_ADD): FileExistsError if fd is registered already.
   */
  register(fd: unknown, eventmask?: number): void;
  register(fd: unknown, options: { eventmask?: number }): void;
  register(options: { fd: unknown; eventmask?: number }): void;
  register(...args: unknown[]): void {
    const [obj, mask] = pyArgs(EPOLL_REGISTER, args);
    const fd = fileDescriptor(obj);
    const events = mask === undefined ? EPOLLIN | EPOLLPRI | EPOLLOUT : intMask(mask);
    sel.epoll_ctl(this.#fd(), C.EPOLL_CTL_ADD, fd, events);
  }

  /** Mirrors epoll.modify(fd, eventmask). Calls epoll_ctl(EPOLL_CTL_MOD). */
  modify(fd: unknown, eventmask: number): void;
  modify(options: { fd: unknown; eventmask: number }): void;
  modify(...args: unknown[]): void {
    const [obj, mask] = pyArgs(EPOLL_MODIFY, args);
    const fd = fileDescriptor(obj);
    const events = intMask(mask);
    sel.epoll_ctl(this.#fd(), C.EPOLL_CTL_MOD, fd, events);
  }

  /** Mirrors epoll.unregister(fd). Calls epoll_ctl(EPOLL_CTL_DEL). */
  unregister(fd: unknown): void;
  unregister(...args: unknown[]): void {
    const [obj] = pyArgs(EPOLL_UNREGISTER, args);
    const fd = fileDescriptor(obj);
    sel.epoll_ctl(this.#fd(), C.EPOLL_CTL_DEL, fd, 0);
  }

  /**
   * Mirrors epoll.poll(timeout=None, maxevents=-1). Calls epoll_wait(2). `timeout` in
   * seconds (null, omitted or negative: wait for an event); `maxevents` -1 means
   * FD_SETSIZE - 1. Returns [fd, events] pairs.
   */
  poll(timeout?: number | null, maxevents?: number): [number, number][];
  poll(options: { timeout?: number | null; maxevents?: number }): [number, number][];
  poll(...args: unknown[]): [number, number][] {
    const [t, m] = pyArgs(EPOLL_POLL, args);
    const epfd = this.#fd();
    let timeout = secondsTimeout(t, 'timeout must be an integer or None');
    if (timeout >= 0) {
      const ms = Math.ceil(timeout * 1000);
      if (ms > INT_MAX) throw new RangeError('timeout is too large');
      timeout = ms / 1000;
    } else {
      timeout = -1;
    }
    let maxevents = m === undefined ? -1 : cInt(m, 'maxevents');
    if (maxevents === -1) maxevents = sel.FD_SETSIZE - 1;
    else if (maxevents < 1) throw new RangeError(`maxevents must be greater than 0, got ${maxevents}`);
    return sel.epoll_wait(epfd, maxevents, timeout);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return `<select.epoll object fd=${this.#state.fd}>`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** select.epoll(...) as a callable that also works with `new`, `instanceof` and `.fromfd`. */
export interface EpollFactory {
  (sizehint?: number, flags?: number): Epoll;
  (options: { sizehint?: number; flags?: number }): Epoll;
  new (sizehint?: number, flags?: number): Epoll;
  new (options: { sizehint?: number; flags?: number }): Epoll;
  fromfd(fd: number): Epoll;
  prototype: Epoll;
}

/** Mirrors Python's select.epoll(sizehint=-1, flags=0). No `new` needed. */
export const epoll: EpollFactory = function epoll(...args: unknown[]): Epoll {
  return new (Epoll as new (...a: unknown[]) => Epoll)(...args);
} as EpollFactory;
epoll.prototype = Epoll.prototype;
epoll.fromfd = (fd: number) => Epoll.fromfd(fd);
