// The operation model: each I/O operation is described once (checks, syscall, result) as an Operation both runners execute.
/**
 * An Operation says how a call runs (`syscall`, the wait direction, where an async call's
 * WaitOptions may stand) and what it does: `check` applies Python's argument checks and
 * stores what the syscall needs in the Call, `attempt` makes the syscall and shapes its
 * result. Two runners execute the same Operation:
 *
 * - the blocking runner (lib/runner.ts) checks, then makes one native crossing with the
 *   socket's timeout (native waits inside: the deadline loop of native/sock_call.h);
 * - the async runner (aio/runner.ts) checks, then calls `retry` (timeout 0) at once and,
 *   if it would block, queues the call on the readiness engine, which retries it.
 *
 * Every Operation is a plain object of one shape and every Call an instance of the one
 * Call class, so the runners' property accesses stay monomorphic (the hot paths cost what
 * the hand-written methods did). A Call is also the async runner's waiter: an async call
 * allocates this one record and no closure. The blocking runner reuses one record per
 * operation; so `check` stores into it only after its last conversion that can run user
 * code (iterating an iterable).
 */
import { AGAIN, type Again, type Direction, type Waiter } from '../aio/readiness';
import { MSG_ERRQUEUE } from '../constants';
import { FD, type State } from '../state';

/** MSG_ERRQUEUE, read once (the constants module is a dictionary-mode object). */
const ERRQUEUE: number = MSG_ERRQUEUE;

/** One I/O operation, as both runners execute it. */
export interface Operation<R> {
  /** The syscall named in its errors (EBADF, BlockingIOError, TimeoutError). */
  readonly syscall: string;
  /** The async runner's wait queue: READ or WRITE. */
  readonly dir: Direction;
  /**
   * Where an async call's trailing WaitOptions goes: argument `opts` (counting from 0),
   * or any optional argument from `optsFrom` on, which it then replaces
   * (recv(n, { signal }) as recv(n, undefined, { signal })).
   */
  readonly optsFrom: number;
  readonly opts: number;
  /**
   * Python's checks of the arguments, with Python's wording; stores what `attempt` needs
   * in `call`. Returns the result when no syscall is needed (recv_into of an empty buffer),
   * else undefined, and the runner then checks that the socket is open; an operation that
   * wants that check before its immediate result (recv(0)) makes it itself (openFd).
   */
  check(call: Call<R>, a: unknown, b: unknown, c: unknown, d: unknown): R | undefined;
  /** The syscall with `timeout` (the blocking runner passes the socket's): its shaped result, or AGAIN. */
  attempt(call: Call<R>, timeout: number): R | Again;
  /** The async runner's attempt: timeout 0, made at once and again on each readiness (default: attempt). */
  retry(call: Call<R>): R | Again;
  /** Called before the async runner first queues the call (sendmmsg copies its payloads here). */
  beforeWait(call: Call<R>): void;
  /** A started async call failed: the error it rejects with (sendall and sendfile add bytes_sent). */
  fail(call: Call<R>, error: unknown): unknown;
  /**
   * Set for a receive that native code may perform itself when the call must wait
   * (recv, recv_into): its syscall is exactly recv(2) of `call.n` bytes into `call.buf`
   * with `call.flags`, and this shapes the kernel's count into the call's result. The
   * async engine then arms the call (aio/readiness.ts) instead of retrying it from JS.
   */
  received: ((call: Call<R>, count: number) => R) | null;
  /**
   * Set for an accept, which native code may perform itself when the call must wait
   * (accept4(2), the new fd non-blocking): this makes the call's result from the new fd
   * and the peer (see ops/accept.ts for the peer's forms).
   */
  accepted: ((call: Call<R>, fd: number, peer: unknown) => R) | null;
  /**
   * Set for a receive: its value when the socket is shut down for reading and nothing is
   * queued, as the blocking call gets it from the kernel (a datagram socket after
   * shutdown(SHUT_RD) gives 0 bytes and no address). A non-blocking attempt says EAGAIN
   * there, and the socket stays readable for epoll, so a waiting call would retry on every
   * loop turn; the engine gives it this value instead (aio/readiness.ts).
   */
  shutDown: ((call: Call<R>) => R) | null;
  /** The record the blocking runner reuses (made on first use). */
  record: Call<R> | null;
}

type Spec<R> = Pick<Operation<R>, 'check' | 'attempt'> &
  Partial<Pick<Operation<R>, 'retry' | 'beforeWait' | 'fail' | 'received' | 'accepted' | 'shutDown'>>;

function retryAttempt<R>(call: Call<R>): R | Again {
  return call.op.attempt(call, 0);
}
function nothing(): void {}
function same(_call: unknown, error: unknown): unknown {
  return error;
}

/**
 * An Operation: `operation<Buffer>('recv', READ, 1, 2, { check, attempt })` names its
 * syscall, its wait direction and where WaitOptions goes (optsFrom, opts); the parts of
 * `spec` left out do the default thing.
 */
export function operation<R>(
  syscall: string,
  dir: Direction,
  optsFrom: number,
  opts: number,
  spec: Spec<R>,
): Operation<R> {
  return {
    syscall,
    dir,
    optsFrom,
    opts,
    check: spec.check,
    attempt: spec.attempt,
    retry: spec.retry ?? retryAttempt,
    beforeWait: spec.beforeWait ?? nothing,
    fail: spec.fail ?? same,
    received: spec.received ?? null,
    accepted: spec.accepted ?? null,
    shutDown: spec.shutDown ?? null,
    record: null,
  };
}

/** The state of a Call that has no socket (yet, or any more). */
export const NO_STATE = { [FD]: -1 } as State;
const EMPTY = Buffer.alloc(0);
const NO_BUFFERS: ArrayBufferView[] = [];

/**
 * One call of an operation: its checked arguments (the fields an operation needs, by
 * role), its progress, and its waiter fields when it waits.
 */
export class Call<R = unknown> implements Waiter {
  // The fields are declared, and set in the constructor rather than by initializers: V8
  // runs class field initializers as a separate function with define semantics, which the
  // optimizing compiler does not always inline into a caller (a Call is made per call).
  declare readonly op: Operation<R>;
  /** The socket's state (set by the runner before `check`). */
  declare st: State;
  /** Kept reachable while an async call waits. */
  declare owner: object;
  declare done: (() => void) | null;
  declare settled: ((value: R | PromiseLike<R>) => void) | null;
  declare failed: ((error: unknown) => void) | null;
  /** The data or the buffer to fill. */
  declare buf: ArrayBufferView;
  /** A list of them (recvmsg_into, sendmsg, sendmmsg). */
  declare bufs: ArrayBufferView[];
  /** A byte count (nbytes, bufsize). */
  declare n: number;
  /** A second count (ancbufsize, vlen). */
  declare m: number;
  declare flags: number;
  /** The destination address (or addresses). */
  declare addr: unknown;
  /** What else the operation keeps (ancillary data, the sizes array, sendfile's arguments). */
  declare aux: unknown;
  /** What the async attempts have sent so far (sendall, sendfile). */
  declare progress: number;

  constructor(op: Operation<R>) {
    this.op = op;
    this.st = NO_STATE;
    this.owner = NO_STATE;
    this.done = null;
    this.settled = null;
    this.failed = null;
    this.buf = EMPTY;
    this.bufs = NO_BUFFERS;
    this.n = 0;
    this.m = 0;
    this.flags = 0;
    this.addr = null;
    this.aux = null;
    this.progress = 0;
  }

  get syscall(): string {
    return this.op.syscall;
  }

  retry(): R | Again {
    return this.op.retry(this);
  }

  /** Whether the engine may perform this call's receive itself (see Operation.received). */
  get armable(): boolean {
    // The engine keeps the count as a C int32 (native/engine.h): a larger receive (a buffer
    // over 2 GiB) stays a readiness waiter. So does a read of the error queue, which waits
    // for EPOLLERR, not for readability (aio/readiness.ts ERR).
    return this.op.received !== null && this.n <= 0x7fffffff && !this.readsErrorQueue;
  }

  /** Whether this call reads the error queue (MSG_ERRQUEUE). */
  get readsErrorQueue(): boolean {
    return (this.flags & ERRQUEUE) !== 0;
  }

  /** The result of an armed receive that got `count` bytes. */
  received(count: number): R {
    return this.op.received!(this, count);
  }

  /** Whether the engine may perform this call's accept itself (see Operation.accepted). */
  get accepts(): boolean {
    return this.op.accepted !== null;
  }

  /** The result of an accept that got `fd` from `peer`. */
  accepted(fd: number, peer: unknown): R {
    return this.op.accepted!(this, fd, peer);
  }

  /**
   * The call's value on a socket shut down for reading (see Operation.shutDown), or AGAIN
   * when it has none. A read of the error queue (MSG_ERRQUEUE) has none: it waits for an
   * error, which a shutdown does not bring.
   */
  shutDown(): R | Again {
    const f = this.op.shutDown;
    return f === null || this.readsErrorQueue ? AGAIN : f(this);
  }

  resolve(value: unknown): void {
    this.settled!(value as R);
  }

  reject(error: unknown): void {
    this.failed!(this.op.fail(this, error));
  }
}
