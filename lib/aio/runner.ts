// The async runner: try the syscall first, else queue on the readiness engine, bounded by a timeout and an AbortSignal.
import { Call, operation, type Operation } from '../ops/call';
import { ebadf, timedOut, wouldBlock } from '../oserror';
import { FD, type State, WAIT_TIMEOUT } from '../state';
import {
  AGAIN,
  READ,
  WRITE,
  acceptOrArm,
  dequeue,
  enqueue,
  failNow,
  recvOrArm,
  settleNow,
  tryReadFirst,
  waiting,
  type Again,
  type Direction,
} from './readiness';

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

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/** Whether an argument is the trailing WaitOptions (an object that is not an array or buffer). */
export function isOpts(v: unknown): v is WaitOptions {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer)
  );
}

/**
 * Runs operation `op` on `st` the async way: Python's checks, then the syscall at once
 * (timeout 0), else the call waits on the readiness engine in FIFO order, bounded by the
 * socket's waitTimeout and the call's AbortSignal. `owner` stays reachable while it waits.
 * Every error, bad arguments included, rejects the promise.
 */
export function start<R>(
  op: Operation<R>,
  owner: object,
  st: State,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  e?: unknown,
): Promise<R> {
  // The trailing WaitOptions may stand in for an optional argument (see Operation.optsFrom).
  const from = op.optsFrom;
  const at = op.opts;
  let opts: unknown;
  if (from <= 1 && at > 1 && isOpts(b)) {
    opts = b;
    b = undefined;
  } else if (from <= 2 && at > 2 && isOpts(c)) {
    opts = c;
    c = undefined;
  } else if (from <= 3 && at > 3 && isOpts(d)) {
    opts = d;
    d = undefined;
  } else opts = at === 0 ? a : at === 1 ? b : at === 2 ? c : at === 3 ? d : e;
  const call = new Call(op);
  call.st = st;
  call.owner = owner;
  try {
    const early = op.check(call, a, b, c, d);
    if (early !== undefined) return settleNow(early);
    if (st[FD] < 0) throw ebadf(op.syscall);
  } catch (err) {
    return failNow(err);
  }
  return run(call, op.dir, opts as WaitOptions | undefined);
}

/**
 * Runs a checked call: `retry` now if nothing of its direction is queued (and
 * `tryFirst`; an armable receive also asks the engine's fairness rule, tryReadFirst;
 * a receive or an accept is tried and armed in one crossing),
 * else (or on AGAIN) queues it to be retried on readiness, or armed in native code,
 * bounded by the state's waitTimeout and the signal.
 */
export function run<R>(
  call: Call<R>,
  dir: Direction,
  opts: WaitOptions | undefined,
  tryFirst = true,
): Promise<R> {
  const signal = opts?.signal;
  const st = call.st;
  if (signal?.aborted) return failNow(call.op.fail(call, abortError(signal)));
  if (st[FD] < 0) return failNow(call.op.fail(call, ebadf(call.syscall)));
  let armed = false;
  // Whether the call may try its syscall now: nothing of its direction queued before it
  // (FIFO), and for a receive the engine's fairness rule (tryReadFirst).
  const first = tryFirst && (call.op.received !== null ? tryReadFirst(st) : !waiting(st, dir));
  if (first && call.armable && st[WAIT_TIMEOUT] !== 0) {
    // A receive that may wait: tried and, if it would block, armed in one crossing.
    let count: number;
    try {
      count = recvOrArm(st, call);
    } catch (e) {
      return failNow(call.op.fail(call, e));
    }
    if (count >= 0) return settleNow(call.received(count));
    armed = true;
  } else if (first && call.accepts && st[WAIT_TIMEOUT] !== 0) {
    // An accept that may wait: the same, accept4(2) tried and armed in one crossing.
    let r: unknown;
    try {
      r = acceptOrArm(st, call);
    } catch (e) {
      return failNow(call.op.fail(call, e));
    }
    if (r !== AGAIN) return settleNow(r as R);
    armed = true;
  } else if (first) {
    let r: R | Again;
    try {
      r = call.retry();
    } catch (e) {
      return failNow(call.op.fail(call, e));
    }
    if (r !== AGAIN) return settleNow(r);
    if (st[WAIT_TIMEOUT] === 0) return failNow(call.op.fail(call, wouldBlock(call.syscall)));
  }
  call.op.beforeWait(call);
  capturing = call as Call;
  const p = new Promise<R>(capture);
  capturing = null;
  const timeout = st[WAIT_TIMEOUT];
  if (signal || timeout >= 0) bound(call, dir, timeout, signal);
  if (armed) return p;
  try {
    enqueue(st, dir, call);
  } catch (e) {
    call.done?.();
    call.reject(e);
  }
  return p;
}

// One executor for every waiting promise (no closure per call): it stores its resolving
// functions into the call named by `capturing`. Stores into the young Call need no write
// barrier, where two module variables (old space) holding the young functions needed one
// each.
let capturing: Call | null = null;
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  capturing!.settled = resolve as (value: unknown) => void;
  capturing!.failed = reject;
}

/** Gives a waiting call a timer and an abort registration (only calls that have them pay for them). */
function bound<R>(call: Call<R>, dir: Direction, timeout: number, signal: AbortSignal | undefined): void {
  let timer: NodeJS.Timeout | undefined;
  if (signal) {
    let calls = bySignal.get(signal);
    if (calls === undefined) {
      calls = new Set();
      bySignal.set(signal, calls);
      signal.addEventListener('abort', abortAll, { once: true });
    }
    calls.add(call as unknown as Call);
  }
  if (timeout >= 0) {
    timer = setTimeout(() => {
      call.done?.();
      dequeue(call.st, dir, call);
      call.reject(timeout === 0 ? wouldBlock(call.syscall) : timedOut(call.syscall));
    }, timeout * 1000);
  }
  call.done = () => {
    call.done = null;
    if (timer) clearTimeout(timer);
    if (signal) forget(signal, call as unknown as Call);
  };
}

// The calls waiting with each AbortSignal, behind one 'abort' listener per signal however
// many calls share it (trio's pattern: one cancel scope around many calls). A listener per
// call would pass EventTarget's limit of 10 listeners and make Node warn of a leak.
const bySignal = new WeakMap<AbortSignal, Set<Call>>();

/** A call sharing `signal` settled or gave up: the signal's last call takes the listener away. */
function forget(signal: AbortSignal, call: Call): void {
  const calls = bySignal.get(signal);
  if (calls === undefined) return;
  calls.delete(call);
  if (calls.size > 0) return;
  bySignal.delete(signal);
  signal.removeEventListener('abort', abortAll);
}

/** The signal aborted: every call waiting with it leaves its queue with an AbortError, in call order. */
function abortAll(event: Event): void {
  const signal = event.target as AbortSignal;
  const calls = bySignal.get(signal);
  if (calls === undefined) return;
  bySignal.delete(signal);
  for (const call of calls) {
    call.done?.();
    dequeue(call.st, call.op.dir, call);
    call.reject(abortError(signal));
  }
}

/** Waits until the socket is readable (trio's wait_readable); no syscall. */
export const WaitReadable = operation<undefined>('poll', READ, 0, 0, {
  check: () => undefined,
  attempt: () => undefined,
});

/** Waits until the socket is writable (trio's wait_writable); no syscall. */
export const WaitWritable = operation<undefined>('poll', WRITE, 0, 0, {
  check: () => undefined,
  attempt: () => undefined,
});

/** Queues a call of `op` without trying it first; resolves to its attempt once the socket is ready. */
export function waitFor<R>(
  op: Operation<R>,
  owner: object,
  st: State,
  opts?: WaitOptions,
  aux: unknown = null,
): Promise<R> {
  const call = new Call(op);
  call.st = st;
  call.owner = owner;
  call.aux = aux;
  return run(call, op.dir, opts, false);
}
