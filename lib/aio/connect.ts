// The async connect: connect_start (connect(2), twice if need be), else wait writable and connect_result.
/**
 * Kept apart from the other operations because it is not one syscall retried on
 * readiness: the first connect(2) starts the handshake, readiness says it ended, and
 * SO_ERROR says how. Native returns the errno and the error ("Error connecting to ...") is
 * built here, so the address is formatted only when a connect fails.
 */
import { packedV4, toSockAddrAsync } from '../address';
import { formatAddress } from '../finalizer';
import { native, WOULD_BLOCK } from '../native';
import { operation } from '../ops/call';
import { OSError, ebadf, fromErrno, strerror } from '../oserror';
import { FAMILY, FD, type State } from '../state';
import { WRITE } from './readiness';
import { AbortError, abortError, waitFor, type WaitOptions } from './runner';

/** A failed connect's OSError, naming `address` in trio's words: "Error connecting to [...]: ...". */
function connectError(err: number, address: unknown): OSError {
  return fromErrno(
    err,
    'connect',
    undefined,
    `Error connecting to ${formatAddress(address)}: ${strerror(err)}`,
  );
}

/** Once writable: the handshake's outcome (SO_ERROR); `aux` is the address as the caller gave it. */
const ConnectResult = operation<undefined>('connect', WRITE, 0, 0, {
  check: () => undefined,
  attempt(call) {
    const err = native.connect_result(call.st[FD]);
    if (err !== 0) throw connectError(err, call.aux);
    return undefined;
  },
});

/**
 * Like socket.connect(), but async (trio's): a host name is resolved off-thread, then
 * connect(2) (native connect_start, which tries a second connect(2) at once since loopback
 * handshakes are usually over by then); while it is in progress, waits for writability
 * and reads SO_ERROR. An abort or timeout while connecting closes the socket, as trio
 * does on cancellation. A numeric address is not awaited (no microtask before connect(2)),
 * and the address is formatted for the error message only when there is an error.
 */
export async function connect(
  owner: { close(): void },
  st: State,
  address: unknown,
  opts: WaitOptions | undefined,
): Promise<void> {
  const signal = opts?.signal;
  if (signal?.aborted) throw abortError(signal);
  const family = st[FAMILY];
  let addr: unknown;
  try {
    addr = toSockAddrAsync(family, address, 'connect');
    addr = addr instanceof Promise ? await addr : packedV4(family, addr);
  } catch (e) {
    if (signal?.aborted) owner.close();
    throw e;
  }
  if (signal?.aborted) {
    owner.close();
    throw abortError(signal);
  }
  const fd = st[FD];
  if (fd < 0) throw ebadf('connect');
  const r = native.connect_start(fd, family, addr as never);
  if (r === 0) return;
  if (r !== WOULD_BLOCK) throw connectError(r, address);
  try {
    await waitFor(ConnectResult, owner, st, opts, address);
  } catch (e) {
    if (e instanceof AbortError || (e instanceof OSError && e.errno === null)) owner.close();
    throw e;
  }
}
