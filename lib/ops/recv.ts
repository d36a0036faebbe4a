// The receive operations: recv, recv_into, recvfrom, recvfrom_into (recv(2)/recvfrom(2)).
import { constants as bufferConstants } from 'node:buffer';
import { sizeOf, toFlags, toInt, typeName } from '../args';
import { AGAIN, READ } from '../aio/readiness';
import { native, WOULD_BLOCK } from '../native';
import { FD, openFd } from '../state';
import { operation, type Call } from './call';

/** Returns `buf` cut to `n` bytes; copies when most of a large buffer would be wasted. */
export function trim(buf: Buffer, n: number): Buffer {
  const len = buf.length;
  if (n >= len) return buf;
  if (len - n > 8192) return Buffer.from(buf.subarray(0, n));
  return buf.subarray(0, n);
}

/** A buffer argument the kernel writes into. */
export function checkWritable(buffer: unknown, caller: string): ArrayBufferView {
  if (!ArrayBuffer.isView(buffer)) {
    throw new TypeError(
      `${caller}() argument 1 must be read-write bytes-like object, not ${typeName(buffer)}`,
    );
  }
  return buffer;
}

/** The largest Buffer Node can allocate: a larger receive size is Python's MemoryError. */
const MAX_BUFFER = bufferConstants.MAX_LENGTH;

/**
 * A receive size read as CPython reads it, a C ssize_t: beyond one is Python's OverflowError,
 * a negative size the caller's ValueError (`negative`), and a size Node cannot allocate its
 * MemoryError (CPython allocates before the system call, so before finding a closed socket).
 */
export function toBufsize(v: unknown, negative: string): number {
  if (typeof v === 'number' && (v >= 2 ** 63 || v < -(2 ** 63)) && Number.isInteger(v))
    throw new RangeError('Python int too large to convert to C ssize_t');
  const n = toInt(v, 'bufsize', -Infinity, Infinity);
  if (n < 0) throw new RangeError(negative);
  if (n > MAX_BUFFER) throw new RangeError(`cannot allocate ${n} bytes (MemoryError)`);
  return n;
}

/** recv's and recvfrom's (bufsize, flags = 0): a fresh buffer of bufsize bytes. */
function checkBufsize<R>(call: Call<R>, bufsize: unknown, flags: unknown, caller: string): number {
  const n = toBufsize(bufsize, `negative buffersize in ${caller}`);
  call.flags = toFlags(flags);
  call.n = n;
  return n;
}

/** recv_into's and recvfrom_into's (buffer, nbytes = 0 meaning all of it, flags = 0). */
function checkInto<R>(
  call: Call<R>,
  buffer: unknown,
  nbytes: unknown,
  flags: unknown,
  caller: string,
  tooBig: string,
): undefined {
  const b = checkWritable(buffer, caller);
  const n = nbytes === undefined ? 0 : toInt(nbytes, 'nbytes');
  if (n < 0) throw new RangeError(`negative buffersize in ${caller}`);
  const size = sizeOf(b);
  if (n > size) throw new RangeError(tooBig);
  call.flags = toFlags(flags);
  call.n = n === 0 ? size : n;
  call.buf = b;
  return undefined;
}

/** socket.recv(bufsize, flags = 0): at most bufsize bytes; empty at end of stream; recv(0) makes no syscall. */
export const Recv = operation<Buffer>('recv', READ, 1, 2, {
  check(call, bufsize, flags) {
    const n = checkBufsize(call, bufsize, flags, 'recv');
    if (n === 0) {
      // The socket is checked first (recv(0) on a closed socket is EBADF).
      openFd(call.st, 'recv');
      return Buffer.alloc(0);
    }
    // allocUnsafe does not touch the pages, so a large size costs nothing until data comes.
    call.buf = Buffer.allocUnsafe(n);
    return undefined;
  },
  attempt(call, timeout) {
    const r = native.recv_into(call.st[FD], call.buf, call.n, call.flags, timeout);
    return r === WOULD_BLOCK ? AGAIN : trim(call.buf as Buffer, r);
  },
  received: (call, count) => trim(call.buf as Buffer, count),
  shutDown: () => Buffer.alloc(0),
});

/** socket.recv_into(buffer, nbytes = 0, flags = 0): the kernel's count. */
export const RecvInto = operation<number>('recv', READ, 1, 3, {
  check(call, buffer, nbytes, flags) {
    checkInto(call, buffer, nbytes, flags, 'recv_into', 'buffer too small for requested bytes');
    // Nothing to receive: 0 at once, without a system call (or a check of the socket), as CPython.
    return call.n === 0 ? 0 : undefined;
  },
  attempt(call, timeout) {
    const r = native.recv_into(call.st[FD], call.buf, call.n, call.flags, timeout);
    return r === WOULD_BLOCK ? AGAIN : r;
  },
  received: (_call, count) => count,
  shutDown: () => 0,
});

/** socket.recvfrom(bufsize, flags = 0): [data, address]; bufsize 0 still receives. */
export const Recvfrom = operation<[Buffer, unknown]>('recvfrom', READ, 1, 2, {
  check(call, bufsize, flags) {
    call.buf = Buffer.allocUnsafe(checkBufsize(call, bufsize, flags, 'recvfrom'));
    return undefined;
  },
  attempt(call, timeout) {
    const r = native.recvfrom_into(call.st[FD], call.buf, call.n, call.flags, timeout);
    if (r === WOULD_BLOCK) return AGAIN;
    const [count, addr] = r as [number, unknown];
    return [trim(call.buf as Buffer, count), addr];
  },
  shutDown: () => [Buffer.alloc(0), null],
});

/** socket.recvfrom_into(buffer, nbytes = 0, flags = 0): [count, address]. */
export const RecvfromInto = operation<[number, unknown]>('recvfrom', READ, 1, 3, {
  check(call, buffer, nbytes, flags) {
    const tooBig = 'nbytes is greater than the length of the buffer';
    return checkInto(call, buffer, nbytes, flags, 'recvfrom_into', tooBig);
  },
  attempt(call, timeout) {
    const r = native.recvfrom_into(call.st[FD], call.buf, call.n, call.flags, timeout);
    return r === WOULD_BLOCK ? AGAIN : (r as [number, unknown]);
  },
  shutDown: () => [0, null],
});
