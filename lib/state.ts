// A socket's state record (shared by Socket, AsyncSocket and the finalizer) and the default timeout.
import { parseTimeout } from './args';
import type { Watch } from './aio/readiness';

/** Internal state of one socket. Shared with the finalizer, so it never refers to the Socket. */
export interface State {
  fd: number;
  family: number;
  type: number;
  proto: number;
  /** Seconds; -1 = blocking (None), 0 = non-blocking. What the blocking runner passes native. */
  timeout: number;
  /** Seconds bounding each waiting call of the async runner; -1 = none (AsyncSocket.settimeout). */
  waitTimeout: number;
  /** The readiness engine's record for this socket (watcher and wait queues), or null. */
  watch: Watch | null;
}

/** A fresh state; the async fields start idle. */
export function newState(fd: number, family: number, type: number, proto: number, timeout: number): State {
  return { fd, family, type, proto, timeout, waitTimeout: -1, watch: null };
}

let defaultTimeout = -1;

/** The default timeout in State form (-1 = blocking). */
export function defaultTimeoutValue(): number {
  return defaultTimeout;
}

/** Python's socket.getdefaulttimeout(): seconds, or null (blocking). */
export function getdefaulttimeout(): number | null {
  return defaultTimeout < 0 ? null : defaultTimeout;
}

/** Python's socket.setdefaulttimeout(timeout): applies to sockets created afterwards. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = parseTimeout(timeout);
}
