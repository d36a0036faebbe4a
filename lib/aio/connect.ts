// The async connect: connect_start (connect(2), twice if need be), else wait writable and connect_result.
/**
 * Kept apart from the other operations because it is not one syscall retried on
 * readiness: the first connect(2) starts the handshake, readiness says it ended, and
 * SO_ERROR says how. Native raises the error ("Error connecting to ...") like every other call.
 */
import { toSockAddrAsync } from '../address';
import { formatAddress } from '../finalizer';
import { native, WOULD_BLOCK } from '../native';
import { operation } from '../ops/call';
import { OSError, ebadf } from '../oserror';
import type { State } from '../state';
import { WRITE } from './readiness';
import { AbortError, abortError, waitFor, type WaitOptions } from './runner';

/** Once writable: the handshake's outcome (SO_ERROR); native raises if it failed. */
const ConnectResult = operation<undefined>('connect', WRITE, 0, 0, {
  check: () => undefined,
  attempt: (call) => native.connect_result(call.st.fd, call.aux as string),
});

/**
 * Like socket.connect(), but async (trio's): the address is resolved off-thread, then
 * connect(2) (native connect_start, which tries a second connect(2) at once since loopback
 * handshakes are usually over by then); while it is in progress, waits for writability
 * and reads SO_ERROR. An abort or timeout while connecting closes the socket, as trio
 * does on cancellation.
 */
export async function connect(
  owner: { close(): void },
  st: State,
  address: unknown,
  opts: WaitOptions | undefined,
): Promise<void> {
  const signal = opts?.signal;
  if (signal?.aborted) throw abortError(signal);
  const family = st.family;
  let addr: unknown;
  try {
    addr = await toSockAddrAsync(family, address, 'connect');
  } catch (e) {
    if (signal?.aborted) owner.close();
    throw e;
  }
  if (signal?.aborted) {
    owner.close();
    throw abortError(signal);
  }
  const fd = st.fd;
  if (fd < 0) throw ebadf('connect');
  // Native makes the calls and raises, naming the address (trio's wording).
  const label = formatAddress(address);
  if (native.connect_start(fd, family, addr as never, label) !== WOULD_BLOCK) return;
  try {
    await waitFor(ConnectResult, owner, st, opts, label);
  } catch (e) {
    if (e instanceof AbortError || (e instanceof OSError && e.errno === null)) owner.close();
    throw e;
  }
}
