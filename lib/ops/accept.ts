// The accept operation (accept4(2)): the new socket and the peer's address; each socket class says how to wrap the fd.
import { AGAIN, READ, type Again } from '../aio/readiness';
import { fdNonblocking, native, WOULD_BLOCK } from '../native';
import { FD, type State } from '../state';
import { defaultTimeoutValue } from '../state';
import { operation, type Call, type Operation } from './call';

// An AF_INET peer's port and address, as native accept leaves them (network order).
const peer = native.accept_address;
// The last IPv4 host string built, and its address as a number: a server's peers are
// often few, so the string is usually made once.
let lastKey = -1;
let lastHost = '';

/** The [host, port] of an AF_INET peer whose address a.b.c.d is `key` (a << 24 | ... | d, unsigned). */
function inetPair(key: number, port: number): [string, number] {
  if (key !== lastKey) {
    lastHost = `${key >>> 24}.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`;
    lastKey = key;
  }
  return [lastHost, port];
}

/** The [host, port] of the AF_INET peer in accept_address. */
function inetPeer(): [string, number] {
  return inetPair(
    ((peer[2] << 24) | (peer[3] << 16) | (peer[4] << 8) | peer[5]) >>> 0,
    (peer[0] << 8) | peer[1],
  );
}

/**
 * The address of an accepted peer as the engine gives it: undefined (an AF_INET peer in
 * accept_address), a number (an AF_INET peer as address × 65536 + port, from a batch), or
 * the address itself (other families).
 */
function peerOf(p: unknown): unknown {
  if (p === undefined) return inetPeer();
  if (typeof p !== 'number') return p;
  const port = p % 65536;
  return inetPair((p - port) / 65536, port);
}

/**
 * socket.accept(): [conn, address], `conn` being `wrap(fd, listener)`. The blocking
 * socket wraps the fd with the default timeout (its fd O_NONBLOCK to match); the async
 * socket's fd is always O_NONBLOCK. For an AF_INET peer native returns the fd alone and
 * the address is built here (cheaper than native's arrays and inet_ntop); for other
 * families native returns [fd, address] and the socket object takes the fd's place. The
 * async accept allocates no promise, reaction or closure after the call's own promise;
 * when it must wait, the engine performs accept4(2) itself and hands over the fd and the
 * peer (`accepted`).
 */
export function acceptOperation<T>(wrap: (fd: number, listener: State) => T): Operation<[T, unknown]> {
  /**
   * [socket, peer] for a new fd. The pair and the peer are made first, so that nothing
   * throws once wrap has made the socket; if anything throws, no socket owns the fd, and
   * the caller closes it (acceptNow here, acceptOrArm in aio/readiness.ts, the engine for
   * an fd it accepted).
   */
  function take(call: Call<[T, unknown]>, fd: number, p: unknown): [T, unknown] {
    const pair: [T | null, unknown] = [null, peerOf(p)];
    pair[0] = wrap(fd, call.st);
    return pair as [T, unknown];
  }
  function accepted(call: Call<[T, unknown]>, r: [number, unknown] | number): [T, unknown] | Again {
    if (typeof r === 'number') {
      if (r === WOULD_BLOCK) return AGAIN;
      return take(call, r, undefined);
    }
    const a = r as [unknown, unknown];
    a[0] = wrap(r[0], call.st);
    return a as [T, unknown];
  }
  /** accept4(2) now, or AGAIN; an fd that no socket took (wrapping threw) is closed. */
  function acceptNow(call: Call<[T, unknown]>, timeout: number, nonblocking: boolean): [T, unknown] | Again {
    const r = native.accept(call.st[FD], timeout, nonblocking);
    // The try is in the frame that got the fd, and the close is a native call (V8 checks
    // the stack's limit on entering a JS function, not a native one): a call from here
    // that fails at the stack's limit leaks nothing either. close(2) of a new socket fd
    // does not fail.
    try {
      return accepted(call, r);
    } catch (e) {
      const fd = typeof r === 'number' ? r : r[0];
      if (fd >= 0) native.close(fd); // not WOULD_BLOCK
      throw e;
    }
  }
  return operation<[T, unknown]>('accept', READ, 0, 0, {
    check: () => undefined,
    attempt: (call, timeout) => acceptNow(call, timeout, fdNonblocking(defaultTimeoutValue())),
    retry: (call) => acceptNow(call, 0, true),
    accepted: take,
  });
}
