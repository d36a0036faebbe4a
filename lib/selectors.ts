/**
 * `bsdsock/selectors`: Python's selectors module. A selector watches several sockets (or
 * any objects with fileno(), or fds) and says which are ready: SelectorKey, EVENT_READ /
 * EVENT_WRITE, and DefaultSelector (epoll), EpollSelector, PollSelector, SelectSelector,
 * with CPython 3.12's behaviour and errors.
 *
 * `select()` blocks the calling thread as in Python: a selector loop is for a script, a
 * CLI or a worker_thread. Each `select()` is one wait in native code.
 */
import { inspect } from 'node:util';
import { OSError } from './oserror';
import {
  Epoll,
  EPOLLIN,
  EPOLLOUT,
  KeyError,
  POLLIN,
  POLLOUT,
  Poll,
  RuntimeError,
  pyRepr,
  select as selectFds,
} from './select';

export { KeyError, RuntimeError } from './select';

/** Mirrors selectors.EVENT_READ. */
export const EVENT_READ = 1 << 0;
/** Mirrors selectors.EVENT_WRITE. */
export const EVENT_WRITE = 1 << 1;

/** What a selector knows about a registered object (Python's SelectorKey namedtuple). */
export class SelectorKey<T = unknown, D = unknown> {
  constructor(
    /** The object registered (a socket, an fd, anything with fileno()). */
    readonly fileobj: T,
    /** Its file descriptor. */
    readonly fd: number,
    /** EVENT_READ and/or EVENT_WRITE. */
    readonly events: number,
    /** The data given to register() / modify(). */
    readonly data: D,
  ) {
    Object.freeze(this);
  }

  /** Destructures like the namedtuple: `const [fileobj, fd, events, data] = key`. */
  *[Symbol.iterator](): Generator<unknown> {
    yield this.fileobj;
    yield this.fd;
    yield this.events;
    yield this.data;
  }

  /** namedtuple._replace(): a copy with some fields changed. */
  _replace(fields: Partial<{ fileobj: T; fd: number; events: number; data: D }>): SelectorKey<T, D> {
    return new SelectorKey(
      'fileobj' in fields ? (fields.fileobj as T) : this.fileobj,
      fields.fd ?? this.fd,
      fields.events ?? this.events,
      'data' in fields ? (fields.data as D) : this.data,
    );
  }

  toString(): string {
    return `SelectorKey(fileobj=${pyRepr(this.fileobj)}, fd=${this.fd}, events=${this.events}, data=${pyRepr(this.data)})`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Python's _fileobj_to_fd: an fd from an int or an object with fileno(). */
function fileobjToFd(fileobj: unknown): number {
  let fd: number;
  if (typeof fileobj === 'number' && Number.isInteger(fileobj)) {
    fd = fileobj;
  } else {
    const fileno =
      fileobj !== null && typeof fileobj === 'object' ? (fileobj as { fileno?: unknown }).fileno : undefined;
    const got: unknown = typeof fileno === 'function' ? fileno.call(fileobj) : undefined;
    if (typeof got !== 'number' || !Number.isInteger(got))
      throw new RangeError(`Invalid file object: ${pyRepr(fileobj)}`);
    fd = got;
  }
  if (fd < 0) throw new RangeError(`Invalid file descriptor: ${fd}`);
  return fd;
}

/** The read-only mapping of get_map(): registered objects to their keys. */
export class SelectorMapping {
  readonly #selector: BaseSelectorImpl;
  constructor(selector: BaseSelectorImpl) {
    this.#selector = selector;
  }
  /** Number of registered objects (Python's len()). */
  get size(): number {
    return this.#selector._fdToKey.size;
  }
  /** The key of `fileobj` (Python's mapping[fileobj]); KeyError if not registered. */
  get(fileobj: unknown): SelectorKey {
    const fd = this.#selector._fileobjLookup(fileobj);
    const key = this.#selector._fdToKey.get(fd);
    if (!key) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    return key;
  }
  /** Whether `fileobj` is registered (Python's `in`). */
  has(fileobj: unknown): boolean {
    try {
      return this.#selector._fdToKey.has(this.#selector._fileobjLookup(fileobj));
    } catch {
      return false;
    }
  }
  /** The registered fds, as iterating Python's mapping gives them. */
  keys(): IterableIterator<number> {
    return this.#selector._fdToKey.keys();
  }
  values(): IterableIterator<SelectorKey> {
    return this.#selector._fdToKey.values();
  }
  entries(): IterableIterator<[number, SelectorKey]> {
    return this.#selector._fdToKey.entries();
  }
  [Symbol.iterator](): IterableIterator<number> {
    return this.keys();
  }
}

/** Mirrors selectors.BaseSelector: the interface every selector implements. */
export abstract class BaseSelector {
  /** Registers `fileobj` for `events`; returns its key. KeyError if already registered. */
  abstract register<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D>;
  /** Unregisters `fileobj`; returns its key. KeyError if not registered. */
  abstract unregister(fileobj: unknown): SelectorKey;
  /** Changes the events or data of a registered object; returns the new key. */
  modify<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D> {
    this.unregister(fileobj);
    return this.register(fileobj, events, data);
  }
  /**
   * Waits until some registered objects are ready or `timeout` seconds pass (null or
   * omitted: no limit; <= 0: don't wait). Returns [key, events] pairs.
   */
  abstract select(timeout?: number | null): [SelectorKey, number][];
  /** Closes the selector (and its epoll fd). */
  close(): void {}
  /** The key of a registered object; KeyError if not registered, RuntimeError once closed. */
  get_key(fileobj: unknown): SelectorKey {
    const mapping = this.get_map();
    if (mapping === null) throw new RuntimeError('Selector is closed');
    try {
      return mapping.get(fileobj);
    } catch (e) {
      if (e instanceof KeyError) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
      throw e;
    }
  }
  /** The mapping of registered objects to keys, or null once closed. */
  abstract get_map(): SelectorMapping | null;
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The bookkeeping shared by the concrete selectors (Python's _BaseSelectorImpl). */
abstract class BaseSelectorImpl extends BaseSelector {
  /** @internal fd -> key */
  _fdToKey = new Map<number, SelectorKey>();
  #map: SelectorMapping | null = new SelectorMapping(this);

  /**
   * @internal The fd of `fileobj`, or, when it no longer has one (a closed socket), the fd
   * it was registered with.
   */
  _fileobjLookup(fileobj: unknown): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      for (const key of this._fdToKey.values()) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  register<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D> {
    if (!events || events & ~(EVENT_READ | EVENT_WRITE))
      throw new RangeError(`Invalid events: ${pyRepr(events)}`);
    const key = new SelectorKey<T, D>(fileobj, this._fileobjLookup(fileobj), events, (data ?? null) as D);
    if (this._fdToKey.has(key.fd))
      throw new KeyError(`${pyRepr(fileobj)} (FD ${key.fd}) is already registered`);
    this._fdToKey.set(key.fd, key);
    return key;
  }

  unregister(fileobj: unknown): SelectorKey {
    const fd = this._fileobjLookup(fileobj);
    const key = this._fdToKey.get(fd);
    if (!key) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    this._fdToKey.delete(fd);
    return key;
  }

  override modify<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D> {
    const old = this._fdToKey.get(this._fileobjLookup(fileobj));
    if (!old) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    const value = (data ?? null) as D;
    if (events !== old.events) {
      this.unregister(fileobj);
      return this.register(fileobj, events, value);
    }
    if (value !== old.data) {
      const key = old._replace({ data: value }) as SelectorKey<T, D>;
      this._fdToKey.set(key.fd, key);
      return key;
    }
    return old as SelectorKey<T, D>;
  }

  override close(): void {
    this._fdToKey.clear();
    this.#map = null;
  }

  get_map(): SelectorMapping | null {
    return this.#map;
  }

  /** @internal */
  _keyFromFd(fd: number): SelectorKey | undefined {
    return this._fdToKey.get(fd);
  }
}

/** Mirrors selectors.SelectSelector: select(2)-based (fds below FD_SETSIZE only). */
class SelectSelectorImpl extends BaseSelectorImpl {
  #readers = new Set<number>();
  #writers = new Set<number>();

  override register<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D> {
    const key = super.register(fileobj, events, data);
    if (events & EVENT_READ) this.#readers.add(key.fd);
    if (events & EVENT_WRITE) this.#writers.add(key.fd);
    return key;
  }

  override unregister(fileobj: unknown): SelectorKey {
    const key = super.unregister(fileobj);
    this.#readers.delete(key.fd);
    this.#writers.delete(key.fd);
    return key;
  }

  select(timeout?: number | null): [SelectorKey, number][] {
    const t = timeout === null || timeout === undefined ? null : Math.max(timeout, 0);
    const ready: [SelectorKey, number][] = [];
    const [r, w] = selectFds(this.#readers, this.#writers, [], t);
    const rs = new Set(r);
    const ws = new Set(w);
    for (const fd of new Set([...r, ...w])) {
      let events = 0;
      if (rs.has(fd)) events |= EVENT_READ;
      if (ws.has(fd)) events |= EVENT_WRITE;
      const key = this._keyFromFd(fd);
      if (key) ready.push([key, events & key.events]);
    }
    return ready;
  }
}

/** What a poll-like selector needs of its poller (a Poll or an Epoll). */
interface Poller {
  register(fd: number, eventmask: number): void;
  modify(fd: number, eventmask: number): void;
  unregister(fd: number): void;
}

/** Python's _PollLikeSelector: register/unregister/modify kept in step with a poller. */
abstract class PollLikeSelector extends BaseSelectorImpl {
  protected abstract readonly poller: Poller;
  protected abstract readonly pollRead: number;
  protected abstract readonly pollWrite: number;
  protected abstract pollerWait(timeout: number | null): [number, number][];

  #pollerEvents(events: number): number {
    let mask = 0;
    if (events & EVENT_READ) mask |= this.pollRead;
    if (events & EVENT_WRITE) mask |= this.pollWrite;
    return mask;
  }

  override register<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D> {
    const key = super.register(fileobj, events, data);
    try {
      this.poller.register(key.fd, this.#pollerEvents(events));
    } catch (e) {
      super.unregister(fileobj);
      throw e;
    }
    return key;
  }

  override unregister(fileobj: unknown): SelectorKey {
    const key = super.unregister(fileobj);
    try {
      this.poller.unregister(key.fd);
    } catch (e) {
      // The fd may have been closed already (Python ignores the OSError).
      if (!(e instanceof OSError)) throw e;
    }
    return key;
  }

  override modify<T, D = null>(fileobj: T, events: number, data?: D): SelectorKey<T, D> {
    let key = this._fdToKey.get(this._fileobjLookup(fileobj)) as SelectorKey<T, D> | undefined;
    if (!key) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    const value = (data ?? null) as D;
    let changed = false;
    if (events !== key.events) {
      try {
        this.poller.modify(key.fd, this.#pollerEvents(events));
      } catch (e) {
        super.unregister(fileobj);
        throw e;
      }
      changed = true;
    }
    if (value !== key.data) changed = true;
    if (changed) {
      key = key._replace({ events, data: value });
      this._fdToKey.set(key.fd, key);
    }
    return key;
  }

  select(timeout?: number | null): [SelectorKey, number][] {
    const t = timeout === null || timeout === undefined ? null : timeout <= 0 ? 0 : timeout;
    const ready: [SelectorKey, number][] = [];
    for (const [fd, event] of this.pollerWait(t)) {
      let events = 0;
      if (event & ~this.pollRead) events |= EVENT_WRITE;
      if (event & ~this.pollWrite) events |= EVENT_READ;
      const key = this._keyFromFd(fd);
      if (key) ready.push([key, events & key.events]);
    }
    return ready;
  }
}

/** Mirrors selectors.PollSelector: poll(2)-based. */
class PollSelectorImpl extends PollLikeSelector {
  protected readonly poller = new Poll();
  protected readonly pollRead = POLLIN;
  protected readonly pollWrite = POLLOUT;
  protected pollerWait(timeout: number | null): [number, number][] {
    // poll() takes milliseconds, rounded up so that a short timeout still waits.
    return this.poller.poll(timeout === null ? null : Math.ceil(timeout * 1e3));
  }
}

/** Mirrors selectors.EpollSelector: epoll(7)-based. */
class EpollSelectorImpl extends PollLikeSelector {
  protected readonly poller = new Epoll();
  protected readonly pollRead = EPOLLIN;
  protected readonly pollWrite = EPOLLOUT;
  /** The epoll fd. */
  fileno(): number {
    return this.poller.fileno();
  }
  protected pollerWait(timeout: number | null): [number, number][] {
    // epoll_wait() has millisecond resolution: round up so that a short timeout waits.
    const t = timeout === null ? -1 : Math.ceil(timeout * 1e3) * 1e-3;
    // At least one event per registered fd, as CPython asks for.
    return this.poller.poll(t, Math.max(this._fdToKey.size, 1));
  }
  override close(): void {
    this.poller.close();
    super.close();
  }
}

/**
 * A selector class that Python code calls without `new` (`selectors.DefaultSelector()`):
 * calling it constructs, and `new`, `instanceof` and `extends` work as on the class.
 */
type Callable<C extends new () => object> = C & (() => InstanceType<C>);
function callable<C extends new () => object>(cls: C): Callable<C> {
  return new Proxy(cls, { apply: (target) => new target() }) as Callable<C>;
}

/** Mirrors selectors.SelectSelector: select(2)-based (fds below FD_SETSIZE only). */
export const SelectSelector = callable(SelectSelectorImpl);
export type SelectSelector = SelectSelectorImpl;
/** Mirrors selectors.PollSelector: poll(2)-based. */
export const PollSelector = callable(PollSelectorImpl);
export type PollSelector = PollSelectorImpl;
/** Mirrors selectors.EpollSelector: epoll(7)-based. */
export const EpollSelector = callable(EpollSelectorImpl);
export type EpollSelector = EpollSelectorImpl;
/** Mirrors selectors.DefaultSelector: the best selector on Linux, EpollSelector. */
export const DefaultSelector = EpollSelector;
export type DefaultSelector = EpollSelectorImpl;
