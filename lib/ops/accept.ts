// The accept operation (accept4(2)): the new socket and the peer's address; each socket class says how to wrap the fd.
import { AGAIN, READ } from '../aio/readiness';
import { fdNonblocking, native, WOULD_BLOCK } from '../native';
import type { State } from '../state';
import { defaultTimeoutValue } from '../state';
import { operation, type Operation } from './call';

/**
 * socket.accept(): [conn, address], `conn` being `wrap(fd, listener)`. The blocking
 * socket wraps the fd with the default timeout (its fd O_NONBLOCK to match); the async
 * socket's fd is always O_NONBLOCK. The socket object goes into the array native
 * returned, in the attempt itself: an accept allocates no second array, and the async one
 * no promise, reaction or closure after the call's own promise.
 */
export function acceptOperation<T>(wrap: (fd: number, listener: State) => T): Operation<[T, unknown]> {
  return operation<[T, unknown]>('accept', READ, 0, 0, {
    check: () => undefined,
    attempt(call, timeout) {
      const r = native.accept(call.st.fd, timeout, fdNonblocking(defaultTimeoutValue()));
      if (r === WOULD_BLOCK) return AGAIN;
      const a = r as [unknown, unknown];
      a[0] = wrap(a[0] as number, call.st);
      return a as [T, unknown];
    },
    retry(call) {
      const r = native.accept(call.st.fd, 0, true);
      if (r === WOULD_BLOCK) return AGAIN;
      const a = r as [unknown, unknown];
      a[0] = wrap(a[0] as number, call.st);
      return a as [T, unknown];
    },
  });
}
