// The async runner: try the syscall first, else queue on the readiness engine, bounded by a timeout and an AbortSignal.
import { timedOut, wouldBlock } from '../oserror';
import { ebadf } from '../oserror';
import type { State } from '../state';
import {
  AGAIN,
  dequeue,
  enqueue,
  settleNow,
  waiting,
  type Again,
  type Direction,
  type Waiter,
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
 * Runs `attempt` now if nothing of its direction is queued (and `tryFirst`), else (or on
 * AGAIN) queues it to be retried on readiness, bounded by the state's waitTimeout and the
 * signal. `owner` stays reachable while the call waits.
 */
export function run<T>(
  owner: object,
  st: State,
  dir: Direction,
  attempt: () => T | Again,
  syscall: string,
  opts: WaitOptions | undefined,
  tryFirst = true,
): Promise<T> {
  const signal = opts?.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (st.fd < 0) return Promise.reject(ebadf(syscall));
  if (tryFirst && !waiting(st, dir)) {
    let r: T | Again;
    try {
      r = attempt();
    } catch (e) {
      return Promise.reject(e);
    }
    if (r !== AGAIN) return settleNow(r);
    if (st.waitTimeout === 0) return Promise.reject(wouldBlock(syscall));
  }
  return new Promise<T>((resolve, reject) => {
    const w: Waiter = {
      attempt,
      resolve: resolve as (v: unknown) => void,
      reject,
      syscall,
      done: null,
      owner,
    };
    const timeout = st.waitTimeout;
    if (signal || timeout >= 0) {
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const remove = () => {
        w.done?.();
        dequeue(st, dir, w);
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
    try {
      enqueue(st, dir, w);
    } catch (e) {
      w.done?.();
      reject(e);
    }
  });
}
