// How the async rings wait: the socket's readiness, bounded by a deadline, a signal and close().
import { EBADF } from '../errno';
import { TimeoutError, fromErrno } from '../oserror';
import type { SocketLike } from './base';

/** An AsyncSocket as the async rings use it. */
export interface AsyncSocketLike extends SocketLike {
  wait_readable(opts?: { signal?: AbortSignal }): Promise<void>;
  wait_writable(opts?: { signal?: AbortSignal }): Promise<void>;
}

export const TIMED_OUT = Symbol('timed out');

/**
 * Waits for `wait` (the socket's readiness) bounded by `deadline` (ms, Infinity = none),
 * the user's signal and the ring's close(). Resolves TIMED_OUT when the deadline passes.
 */
export async function waitReady(
  ring: { _closer: AbortController | null },
  wait: (o: { signal: AbortSignal }) => Promise<void>,
  signal: AbortSignal | undefined,
  deadline: number,
  syscall: string,
): Promise<void | typeof TIMED_OUT> {
  const ac = new AbortController();
  ring._closer = ac;
  const left = deadline - Date.now();
  if (left <= 0) return TIMED_OUT;
  let timedOut = false;
  const timer =
    deadline === Infinity
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          ac.abort();
        }, left);
  const onAbort = () => ac.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await wait({ signal: ac.signal });
  } catch (e) {
    if (timedOut) return TIMED_OUT;
    if (ring._closer === null) throw fromErrno(EBADF, syscall); // close() during the wait
    if (e instanceof TimeoutError) return Date.now() >= deadline ? TIMED_OUT : undefined;
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (ring._closer === ac) ring._closer = null;
  }
}
