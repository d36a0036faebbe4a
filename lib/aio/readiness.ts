// The readiness engine: per-socket FIFO wait queues (reads, writes) served by one libuv poll watcher per socket.
/**
 * What the async runner needs from an engine, and all it uses: `waiting` (is a call of
 * this direction already queued), `enqueue` / `dequeue` (a waiter whose `retry` is
 * called on readiness until it stops returning AGAIN), `cancelAll` (the socket is being
 * closed: reject every waiter with EBADF and drop the watcher, before the fd goes), and
 * `settleNow` (resolve an immediate completion, yielding to the loop now and then).
 *
 * This engine: one uv_poll_t per socket (native/watcher.h), opened lazily, watching only
 * the directions that have waiters. Wake-ups are level-triggered and may be spurious, so
 * a waiter's retry must expect AGAIN again.
 */
import { native } from '../native';
import { ebadf } from '../oserror';
import type { State } from '../state';

/** Directions, as libuv names them (UV_READABLE, UV_WRITABLE). */
export const READ = 1;
export const WRITE = 2;
export type Direction = typeof READ | typeof WRITE;
const DISCONNECT = 4; // UV_DISCONNECT
/** Waiters served per readiness wake-up and direction, so one busy socket cannot starve the loop. */
const MAX_PER_WAKEUP = 32;

/** What an attempt returns when its syscall would block: retry on the next readiness. */
export const AGAIN: unique symbol = Symbol('again');
export type Again = typeof AGAIN;

/** One queued call. */
export interface Waiter {
  /** Tries the syscall (timeout 0): a result, AGAIN, or a throw. */
  retry(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The syscall named in the EBADF a close gives it. */
  readonly syscall: string;
  /** Clears the waiter's timer and abort listener; null when it has none. */
  done: (() => void) | null;
  /** Kept reachable while the call waits (the socket object, so it is not collected mid-call). */
  owner: object;
}

/** This engine's record of one socket, hung on its State. */
export interface Watch {
  st: State;
  /** The native watcher id, -1 until first needed. */
  id: number;
  rq: Waiter[];
  wq: Waiter[];
  /** The directions the watcher watches now. */
  mask: number;
}

// Watches whose watcher is active, by watcher id: the dispatcher's lookup table. An idle
// socket is not in it, so it can be garbage-collected.
const active = new Map<number, Watch>();

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

/** A promise of `value`, resolved at once, except every IMMEDIATE_STREAK-th in a row (setImmediate). */
export function settleNow<T>(value: T): Promise<T> {
  if (++streak <= IMMEDIATE_STREAK) return Promise.resolve(value);
  return new Promise((resolve) => setImmediate(() => resolve(yielded(value))));
}

native.poll_init((id, events, status) => {
  streak = 0;
  try {
    const w = active.get(id);
    if (w) ready(w, status < 0 ? READ | WRITE : events);
  } catch (e) {
    // Never let an exception unwind into the uv callback; report it as uncaught.
    process.nextTick(() => {
      throw e;
    });
  }
});

// Watches whose watcher may watch more than their waiters need; trimmed once per loop turn.
const toTrim = new Set<Watch>();
function trimAll(): void {
  for (const w of toTrim) trim(w);
  toTrim.clear();
}

function wanted(w: Watch): number {
  return (w.rq.length ? READ : 0) | (w.wq.length ? WRITE : 0);
}

/**
 * Watches the directions that have waiters. Adding a direction takes effect at once;
 * dropping one is deferred to the end of this loop turn, because a socket that was just
 * served usually waits again right away (ping-pong, a read loop), and a stop followed by
 * a start costs two epoll_ctl calls for nothing.
 */
function update(w: Watch): void {
  const want = wanted(w);
  if (want === w.mask) return;
  if ((want & ~w.mask) === 0) {
    if (toTrim.size === 0) setImmediate(trimAll);
    toTrim.add(w);
    return;
  }
  apply(w, want);
}

/** Sets the watcher's mask to exactly `want` (0 stops it, so it no longer keeps the loop alive). */
function apply(w: Watch, want: number): void {
  if (want === w.mask) return;
  if (w.id < 0) {
    if (want === 0 || w.st.fd < 0) {
      w.mask = 0;
      return;
    }
    w.id = native.poll_open(w.st.fd);
  }
  native.poll_start(w.id, want);
  w.mask = want;
  if (want) active.set(w.id, w);
  else active.delete(w.id);
}

/** Drops the directions that still have no waiter (see update). */
function trim(w: Watch): void {
  if (w.id < 0 || w.st.watch !== w || w.st.fd < 0) return;
  apply(w, wanted(w));
}

function ready(w: Watch, events: number): void {
  if (events & (READ | DISCONNECT)) serve(w.rq);
  if (events & (WRITE | DISCONNECT)) serve(w.wq);
  update(w);
}

function serve(q: Waiter[]): void {
  for (let n = 0; n < MAX_PER_WAKEUP && q.length > 0; n++) {
    const w = q[0];
    let r: unknown;
    try {
      r = w.retry();
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

function queueOf(w: Watch, dir: Direction): Waiter[] {
  return dir === READ ? w.rq : w.wq;
}

/** Whether a call of direction `dir` is already queued on this socket (then a new one queues behind it). */
export function waiting(st: State, dir: Direction): boolean {
  const w = st.watch;
  return w !== null && queueOf(w, dir).length > 0;
}

/** Queues `waiter` behind the others of its direction and watches for that direction. */
export function enqueue(st: State, dir: Direction, waiter: Waiter): void {
  const w = st.watch ?? (st.watch = { st, id: -1, rq: [], wq: [], mask: 0 });
  const q = queueOf(w, dir);
  q.push(waiter);
  try {
    update(w);
  } catch (e) {
    q.pop();
    throw e;
  }
}

/** Removes a waiter that gave up (timeout, abort). */
export function dequeue(st: State, dir: Direction, waiter: Waiter): void {
  const w = st.watch;
  if (!w) return;
  const q = queueOf(w, dir);
  const i = q.indexOf(waiter);
  if (i >= 0) q.splice(i, 1);
  update(w);
}

/**
 * The socket is being closed or detached: closes its watcher (before the fd is closed, so
 * no callback runs on a closed or reused fd) and rejects every waiter with EBADF.
 */
export function cancelAll(st: State): void {
  const w = st.watch;
  if (!w) return;
  st.watch = null;
  toTrim.delete(w);
  if (w.id >= 0) {
    active.delete(w.id);
    native.poll_close(w.id);
  }
  w.mask = 0;
  const all = [...w.rq, ...w.wq];
  w.rq.length = 0;
  w.wq.length = 0;
  for (const x of all) {
    x.done?.();
    x.reject(ebadf(x.syscall));
  }
}
