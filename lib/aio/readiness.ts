// The readiness engine: per-socket FIFO wait queues (reads, writes) served by one epoll instance per environment, one batch per wake-up.
/**
 * What the async runner needs from an engine, and all it uses: `waiting` (is a call of
 * this direction already queued), `enqueue` / `dequeue` (a waiter whose `retry` is
 * called on readiness until it stops returning AGAIN, or an armed receive), `cancelAll`
 * (the socket is being closed: reject every waiter with EBADF and free its slot, before
 * the fd goes), `settleNow` (resolve an immediate completion, yielding to the loop now
 * and then) and `tryReadFirst` (whether a receive may try its syscall before waiting).
 *
 * This engine (native/engine.h): one epoll instance per environment, watched by one
 * uv_poll_t. A socket gets a slot at its first wait; one wake-up delivers every ready
 * socket in one batch (one crossing into JS). The head of a socket's read queue is either
 * *armed* in native code (a receive into the caller's buffer: the engine performs recv(2)
 * on readiness and the batch carries its count; an accept: the engine performs accept4(2)
 * and the batch carries the new fd and the peer) or a readiness waiter whose `retry` is
 * called when the batch says the socket is ready (level-triggered: the retry may still
 * find AGAIN, and then it waits again). A queue is two fields: the head waiter, and an
 * array of the others created only when a second waiter arrives.
 */
import { EBADF } from '../errno';
import { fromErrno } from '../oserror';
import { native, WOULD_BLOCK } from '../native';
import { FD, type State, WATCH } from '../state';

/** Directions (native/engine.h kRead, kWrite). */
export const READ = 1;
export const WRITE = 2;
export type Direction = typeof READ | typeof WRITE;
/**
 * What native code watches for a reader of the error queue (MSG_ERRQUEUE) at the head of
 * the read queue, instead of READ, and the entry flag it reports (native/engine.h kErr):
 * EPOLLERR only, so that data in the ordinary receive queue does not wake it.
 */
const ERR = 4;
const RECV_DONE = 8;
const ACCEPT_DONE = 16;
/** Entry flag: epoll said the socket is shut down for reading (native/engine.h kReadHup). */
const READ_HUP = 32;
const DONE = RECV_DONE | ACCEPT_DONE;
/** engine_recv's result for a socket without a slot that it armed: ARMED_IN - slot. */
const ARMED_IN = -16;
/** int32 values per batch entry: slot, events, result, an accepted AF_INET peer's address and port. */
const ENTRY = 5;
/**
 * The arm queue after the batch entries (native/engine.h kQueueInts): a dispatch flag, a
 * count, then ARM_QUEUE entries of slot, byte count and flags.
 */
const ARM_QUEUE = 1024;
const ARM_INTS = 3;
/** Waiters served per direction and wake-up, so one busy socket cannot starve the others. */
const MAX_PER_WAKEUP = 32;

/** What an attempt returns when its syscall would block: retry on the next readiness. */
export const AGAIN: unique symbol = Symbol('again');
export type Again = typeof AGAIN;

/** One queued call (an ops/call.ts Call). */
export interface Waiter {
  /** Tries the syscall (timeout 0): a result, AGAIN, or a throw. */
  retry(): unknown;
  /**
   * Whether native code may perform the call itself on readiness: recv(2) of `n` bytes
   * into `buf` with `flags`; `received` turns the count into the call's value.
   */
  readonly armable: boolean;
  readonly buf: ArrayBufferView;
  readonly n: number;
  readonly flags: number;
  received(count: number): unknown;
  /** Whether it reads the error queue (MSG_ERRQUEUE): it then waits for ERR, not READ. */
  readonly readsErrorQueue: boolean;
  /** The call's value on a socket shut down for reading, or AGAIN (see Operation.shutDown). */
  shutDown(): unknown;
  /** Whether native code may perform the call itself on readiness: accept4(2). */
  readonly accepts: boolean;
  /** The call's value for the fd native code accepted and its peer (see ops/accept.ts). */
  accepted(fd: number, peer: unknown): unknown;
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
  /** The engine slot (native/engine.h), -1 until the first wait. */
  slot: number;
  r0: Waiter | null;
  rq: Waiter[] | null;
  w0: Waiter | null;
  wq: Waiter[] | null;
  /** Directions told to native code for readiness waiters (an armed receive is extra). */
  mask: number;
  /** Whether r0 is armed in native code (a receive or an accept). */
  armed: boolean;
  /** Whether it is in `bySlot` (it has waiters). */
  listed: boolean;
  /** The batch that last reported it readable (see tryReadFirst). */
  epoch: number;
}

// Watches with waiters, by engine slot: the batch's lookup table (an array index, no
// hashing). A socket without waiters is not in it, so it can be garbage-collected.
const bySlot: (Watch | null)[] = [];

// Calls that complete at once resolve without the event loop turning; a long streak of
// them (a socket that always has data) would starve timers and other sockets. So after
// IMMEDIATE_STREAK immediate completions, one resolves through setImmediate, which lets
// the loop run (trio makes every call a checkpoint for the same reason). The streak
// restarts whenever the loop has demonstrably turned: at that yield, and at every batch
// (batches are delivered in the loop's poll phase). No per-turn timer. A batch of n
// sockets starts it at -n: their continuations typically each complete one call at once
// (a server's send after a receive), which is bounded work, not a socket that never
// waits; counting those from 0 pushed all but 64 of a big batch's sends through
// setImmediate.
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

/**
 * A promise rejected with `error` at once, on the same streak as settleNow: a loop that
 * retries a call failing at once (accept under EMFILE, a call on a closed socket) must not
 * keep the event loop from turning, since what would end the failure (a timer, another
 * socket's close) needs it to turn.
 */
export function failNow<T = never>(error: unknown): Promise<T> {
  if (++streak <= IMMEDIATE_STREAK) return Promise.reject(error);
  return new Promise((_resolve, reject) => setImmediate(() => reject(yielded(error))));
}

// The buffer of each armed receive, at the index of its slot: native code reads it there at
// completion (one array element per slot instead of a napi_ref created per arm).
const armedBuffers: (ArrayBufferView | undefined)[] = [];
const batch: Int32Array = native.engine_init(onBatch, armedBuffers);
/** Where the arm queue starts: its dispatch flag, then its count, then the entries. */
const QUEUE_AT = batch.length - (2 + ARM_INTS * ARM_QUEUE);
const QUEUED = QUEUE_AT + 1;
let epoch = 0;
/** Whether the current batch reported more than one socket. */
let shared = false;

/**
 * Whether a receive should try its syscall before waiting. Not while something of its
 * direction is queued (FIFO), and not when the socket was reported readable in the
 * current batch and that batch had other sockets: its continuation runs before the
 * others of the batch have been answered, and a receive that succeeded at once there
 * would serve this socket again ahead of every socket still waiting in the kernel's ready
 * list (under load a few connections would get most of the service). Such a receive is
 * armed instead and completes in the next batch, in turn; that also spares the recv(2)
 * that mostly fails with EAGAIN because the peer has not answered yet. A batch of one
 * socket has nobody to be fair to: there the receive tries first (in a conversation on
 * one CPU the peer has often answered by then, which saves a loop turn).
 */
export function tryReadFirst(st: State): boolean {
  const w = st[WATCH];
  return w === null || (w.r0 === null && (w.epoch !== epoch || !shared));
}

function onBatch(n: number): void {
  streak = -n;
  epoch++;
  shared = n > 1;
  for (let i = 0; i < n; i++) {
    const k = i * ENTRY;
    const w = bySlot[batch[k]];
    if (w === undefined || w === null) continue;
    try {
      ready(w, batch[k + 1], batch[k + 2], k, i);
    } catch (e) {
      // Never let an exception unwind into the uv callback; report it as uncaught.
      process.nextTick(() => {
        throw e;
      });
    }
  }
}

/**
 * Entry `i` (at `k`) of the batch: `events` for `w`, and the armed call's `result`. The
 * common entry, a socket's sole armed receive done with nothing else waiting on it, is
 * settled here (small enough for onBatch to inline); the rest goes to `entry`.
 */
function ready(w: Watch, events: number, result: number, k: number, i: number): void {
  const h = w.r0;
  if (
    events !== RECV_DONE ||
    h === null ||
    !w.armed ||
    w.rq !== null ||
    w.w0 !== null ||
    w.mask !== 0 ||
    result < 0
  ) {
    entry(w, events, result, k, i);
    return;
  }
  // What entry and then settle do for it: the reader leaves, and the socket, which has no
  // waiter and no watched direction left, leaves the batch's lookup table.
  w.epoch = epoch;
  w.armed = false;
  w.r0 = null;
  armedBuffers[w.slot] = undefined;
  list(w, false);
  h.done?.();
  h.resolve(h.received(result));
}

/**
 * Any entry (see ready). An fd accepted by the engine is claimed (its result set to -1)
 * only once a waiter owns it; the engine closes every fd left unclaimed after the batch
 * (the socket was closed, or its waiter left, while the batch was being delivered).
 */
function entry(w: Watch, events: number, result: number, k: number, i: number): void {
  if (events & (DONE | READ)) w.epoch = epoch;
  if (events & DONE && w.r0 !== null && w.armed) {
    const h = w.r0;
    w.armed = false;
    armedBuffers[w.slot] = undefined;
    w.r0 = next(w.rq);
    h.done?.();
    if (result < 0) h.reject(fromErrno(-result, h.syscall));
    else if (events & RECV_DONE) h.resolve(h.received(result));
    else {
      const port = batch[k + 4];
      let value: unknown;
      try {
        value = h.accepted(result, port >= 0 ? (batch[k + 3] >>> 0) * 65536 + port : native.engine_peer(i));
      } catch (e) {
        h.reject(e);
        value = REJECTED;
      }
      if (value !== REJECTED) {
        batch[k + 2] = -1;
        h.resolve(value);
      }
    }
    // The socket was readable: the next reader tries at once (in call order).
    if (w.r0 !== null) serve(w, READ, MAX_PER_WAKEUP - 1, events);
  } else if (events & (READ | ERR)) {
    serve(w, READ, MAX_PER_WAKEUP, events);
  }
  if (events & WRITE) serve(w, WRITE, MAX_PER_WAKEUP, events);
  settle(w);
}

function next(q: Waiter[] | null): Waiter | null {
  return q !== null && q.length > 0 ? q.shift()! : null;
}

const REJECTED: unique symbol = Symbol('rejected');

/** Runs one waiter's syscall now: its value, AGAIN, or REJECTED (the waiter was rejected). */
function attemptNow(h: Waiter): unknown {
  try {
    return h.retry();
  } catch (e) {
    h.done?.();
    h.reject(e);
    return REJECTED;
  }
}

/**
 * Serves the head waiters of one direction until one would block (at most `budget`). A
 * receive that would block on a socket that epoll reports shut down for reading (`events`
 * has READ_HUP) gets the value the blocking call gets there (Waiter.shutDown) instead of
 * waiting again: the socket stays readable, so it would be retried on every loop turn.
 */
function serve(w: Watch, dir: Direction, budget: number, events: number): void {
  for (; budget > 0; budget--) {
    const h = dir === READ ? w.r0 : w.w0;
    if (h === null || (dir === READ && w.armed)) return;
    let r = attemptNow(h);
    if (r === AGAIN && dir === READ && events & READ_HUP) r = h.shutDown();
    if (r === AGAIN) return;
    if (dir === READ) w.r0 = next(w.rq);
    else w.w0 = next(w.wq);
    if (r === REJECTED) continue;
    h.done?.();
    h.resolve(r);
  }
}

function watchOf(st: State): Watch {
  return (st[WATCH] ??= {
    st,
    slot: -1,
    r0: null,
    rq: null,
    w0: null,
    wq: null,
    mask: 0,
    armed: false,
    listed: false,
    epoch: 0,
  });
}

// The slot of each fd that has one (-1 or a hole: none), so the finalizer can free the slot
// of a socket it collected from the fd number alone (lib/finalizer.ts).
const slotByFd: number[] = [];

function slotOf(w: Watch): number {
  return w.slot >= 0 ? w.slot : adoptSlot(w, native.engine_open(w.st[FD]));
}

/** Gives `w` the engine slot native code opened for it, known by fd too. */
function adoptSlot(w: Watch, slot: number): number {
  w.slot = slot;
  slotByFd[w.st[FD]] = slot;
  return slot;
}

/** Gives an engine slot back: nothing of lib's refers to it any more. */
function freeSlot(slot: number): void {
  bySlot[slot] = null;
  armedBuffers[slot] = undefined;
  native.engine_close(slot);
}

/** The socket that owned `fd` was collected unclosed: frees the engine slot it had, if any. */
export function releaseSlotOf(fd: number): void {
  const slot = slotByFd[fd];
  if (slot === undefined || slot < 0) return;
  slotByFd[fd] = -1;
  freeSlot(slot);
}

/**
 * Brings native code in line with the queues: the head reader armed (or watched), the
 * directions with readiness waiters watched, and the Watch listed while it has waiters.
 */
function settle(w: Watch): void {
  if (w.r0 === null && w.w0 === null && w.mask === 0) {
    // Nothing waits and nothing is watched (the usual end of a batch entry): only unlist.
    list(w, false);
    return;
  }
  if (w.st[FD] < 0 || w.st[WATCH] !== w) return;
  for (;;) {
    const h = w.r0;
    if (h === null || w.armed) break;
    const slot = slotOf(w);
    try {
      if (h.armable) {
        armedBuffers[slot] = h.buf;
        if (!queueArm(w, slot, h)) native.engine_recv(slot, h.buf, h.n, h.flags);
      } else if (h.accepts) native.engine_accept(slot, false);
      else break;
      w.armed = true;
    } catch (e) {
      armedBuffers[slot] = undefined;
      w.r0 = next(w.rq);
      h.done?.();
      h.reject(e);
    }
  }
  const head = w.r0;
  const reading = head === null || w.armed ? 0 : head.readsErrorQueue ? ERR : READ;
  const want = reading | (w.w0 !== null ? WRITE : 0);
  if (want !== w.mask) {
    native.engine_want(slotOf(w), want);
    w.mask = want;
  }
  list(w, w.r0 !== null || w.w0 !== null);
}

/** Puts `w` in the batch's lookup table while it has waiters (`busy`), and takes it out after. */
function list(w: Watch, busy: boolean): void {
  if (busy === w.listed) return;
  w.listed = busy;
  bySlot[slotOf(w)] = busy ? w : null;
}

/**
 * Arms `h`, the head reader of `w`, without a crossing when that is safe: during a
 * dispatch (native then applies the queue as soon as the dispatch returns, and before any
 * engine function acts) and for a socket the current batch reported readable, which is
 * registered for reading, so the arm needs no system call (native/engine.h). The byte
 * count is checked against the buffer by native at completion (EFAULT if it does not fit).
 * False when the receive must be armed by engine_recv.
 */
function queueArm(w: Watch, slot: number, h: Waiter): boolean {
  const queued = batch[QUEUED];
  if (w.epoch !== epoch || batch[QUEUE_AT] === 0 || queued >= ARM_QUEUE) return false;
  const at = QUEUED + 1 + ARM_INTS * queued;
  batch[at] = slot;
  batch[at + 1] = h.n;
  batch[at + 2] = h.flags;
  batch[QUEUED] = queued + 1;
  return true;
}

/**
 * The first attempt of an armable receive that has nothing queued before it
 * (tryReadFirst said so): one crossing tries recv(2) at once and, if it would block, arms
 * the receive in native code with `waiter` as the head of the read queue. Returns the
 * count received at once, or -1 when armed (the caller then makes the promise); a failed
 * recv(2) throws, and nothing is armed.
 */
export function recvOrArm(st: State, waiter: Waiter): number {
  let w = st[WATCH];
  let slot: number;
  if (w === null || w.slot < 0) {
    // No slot yet: the try needs none, and a receive that finds data makes none (nor does
    // its socket's close then have one to free); one that must wait gets it from native.
    const r = native.engine_recv(-1 - st[FD], waiter.buf, waiter.n, waiter.flags, true);
    if (r >= 0) return r;
    w = watchOf(st);
    slot = adoptSlot(w, ARMED_IN - r);
  } else {
    slot = w.slot;
    const r = native.engine_recv(slot, waiter.buf, waiter.n, waiter.flags, true);
    if (r !== WOULD_BLOCK) return r;
  }
  armedBuffers[slot] = waiter.buf;
  w.r0 = waiter;
  w.armed = true;
  settle(w); // lists the socket for the batch (nothing to arm or watch beyond that)
  return -1;
}

/**
 * The first attempt of an accept that has nothing queued before it: one crossing tries
 * accept4(2) at once and, if it would block, arms the accept in native code with
 * `waiter` as the head of the read queue. Returns the call's value, or AGAIN when armed
 * (the caller then makes the promise); a failed accept4(2) throws, and nothing is armed.
 */
export function acceptOrArm(st: State, waiter: Waiter): unknown {
  const w = watchOf(st);
  const r = native.engine_accept(slotOf(w), true);
  if (r === WOULD_BLOCK) {
    w.r0 = waiter;
    w.armed = true;
    settle(w); // lists the socket for the batch
    return AGAIN;
  }
  // An fd that no socket took (making it threw) is closed, as in ops/accept.ts acceptNow.
  try {
    return typeof r === 'number' ? waiter.accepted(r, undefined) : waiter.accepted(r[0], r[1]);
  } catch (e) {
    native.close(typeof r === 'number' ? r : r[0]);
    throw e;
  }
}

/** Whether a call of direction `dir` is already queued on this socket (then a new one queues behind it). */
export function waiting(st: State, dir: Direction): boolean {
  const w = st[WATCH];
  return w !== null && (dir === READ ? w.r0 : w.w0) !== null;
}

/**
 * Queues `waiter` behind the others of its direction and has native code watch for it
 * (an armed receive is handed to native code when it reaches the head of the queue).
 */
export function enqueue(st: State, dir: Direction, waiter: Waiter): void {
  const w = watchOf(st);
  // The common case, a server's next receive from the continuation of its last one: the
  // sole reader, armed through the queue. What settle would do, without its generic steps.
  if (dir === READ && w.r0 === null && w.slot >= 0 && waiter.armable && queueArm(w, w.slot, waiter)) {
    armedBuffers[w.slot] = waiter.buf;
    w.r0 = waiter;
    w.armed = true;
    list(w, true);
    return;
  }
  if (dir === READ) {
    if (w.r0 === null) w.r0 = waiter;
    else (w.rq ??= []).push(waiter);
  } else if (w.w0 === null) w.w0 = waiter;
  else (w.wq ??= []).push(waiter);
  try {
    settle(w);
  } catch (e) {
    take(w, dir, waiter);
    throw e;
  }
}

/** Takes a waiter out of its queue; disarms it if it was the armed head. */
function take(w: Watch, dir: Direction, waiter: Waiter): void {
  if (dir === READ) {
    if (w.r0 === waiter) {
      if (w.armed) {
        w.armed = false;
        armedBuffers[w.slot] = undefined;
        native.engine_disarm(w.slot);
      }
      w.r0 = next(w.rq);
    } else if (w.rq !== null) {
      const i = w.rq.indexOf(waiter);
      if (i >= 0) w.rq.splice(i, 1);
    }
  } else if (w.w0 === waiter) {
    w.w0 = next(w.wq);
  } else if (w.wq !== null) {
    const i = w.wq.indexOf(waiter);
    if (i >= 0) w.wq.splice(i, 1);
  }
}

/** Removes a waiter that gave up (timeout, abort). */
export function dequeue(st: State, dir: Direction, waiter: Waiter): void {
  const w = st[WATCH];
  if (!w) return;
  take(w, dir, waiter);
  settle(w);
}

/**
 * The socket is being closed or detached: frees its engine slot (before the fd is closed,
 * so no event reaches a closed or reused fd) and rejects every waiter with EBADF.
 */
export function cancelAll(st: State): void {
  const w = st[WATCH];
  if (!w) return;
  st[WATCH] = null;
  if (w.slot >= 0) {
    // Another socket over the same fd number (socket(fileno=) twice) may own the entry.
    if (slotByFd[st[FD]] === w.slot) slotByFd[st[FD]] = -1;
    freeSlot(w.slot);
    w.slot = -1;
  }
  w.listed = false;
  w.armed = false;
  w.mask = 0;
  const all: Waiter[] = [];
  if (w.r0 !== null) all.push(w.r0);
  if (w.rq !== null) all.push(...w.rq);
  if (w.w0 !== null) all.push(w.w0);
  if (w.wq !== null) all.push(...w.wq);
  w.r0 = w.w0 = null;
  w.rq = w.wq = null;
  for (const x of all) {
    x.done?.();
    x.reject(fromErrno(EBADF, x.syscall));
  }
}
