// The accept operation (accept4(2)): the new fd and the peer's address; each socket class wraps the fd.
import { AGAIN, READ } from '../aio/readiness';
import { fdNonblocking, native, WOULD_BLOCK } from '../native';
import { defaultTimeoutValue } from '../state';
import { operation } from './call';

/**
 * socket.accept(): [fd, address]. The blocking socket wraps the fd with the default
 * timeout (its fd O_NONBLOCK to match); the async socket's fd is always O_NONBLOCK.
 */
export const Accept = operation<[number, unknown]>('accept', READ, 0, 0, {
  check: () => undefined,
  attempt(call, timeout) {
    const r = native.accept(call.st.fd, timeout, fdNonblocking(defaultTimeoutValue()));
    return r === WOULD_BLOCK ? AGAIN : (r as [number, unknown]);
  },
  retry(call) {
    const r = native.accept(call.st.fd, 0, true);
    return r === WOULD_BLOCK ? AGAIN : (r as [number, unknown]);
  },
});
