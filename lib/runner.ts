// The blocking runner: checks a call, then makes one native crossing that waits per the socket's timeout.
import { AGAIN } from './aio/readiness';
import { Call, NO_STATE, type Operation } from './ops/call';
import { ebadf, wouldBlock } from './oserror';
import { FD, type State, TIMEOUT } from './state';

/**
 * Runs operation `op` on `st` with the socket's timeout: native waits inside the syscall
 * or its deadline loop (native/sock_call.h); timeout 0 (non-blocking mode) is a
 * BlockingIOError when the syscall would block.
 */
export function runBlocking<R>(
  op: Operation<R>,
  st: State,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
): R {
  // One record per operation, reused, and taken out while in use: `check` may run user code
  // (an iterable's iterator) that makes a call of the same operation, which then gets a
  // record of its own instead of overwriting this one. A call that throws drops its record.
  let call = op.record;
  if (call === null) call = new Call(op);
  else op.record = null;
  call.st = st;
  const early = op.check(call, a, b, c, d);
  if (early !== undefined) {
    call.st = NO_STATE;
    op.record = call;
    return early;
  }
  if (st[FD] < 0) throw ebadf(op.syscall);
  const r = op.attempt(call, st[TIMEOUT]);
  if (r === AGAIN) throw wouldBlock(op.syscall);
  // The record outlives the call, and the state is the Socket itself: the record must not
  // keep a dropped socket from its finalizer until the operation's next call.
  call.st = NO_STATE;
  op.record = call;
  return r;
}
