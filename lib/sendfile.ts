// sendfile: its argument checks, when it falls back to read/send, and that fallback.
import { readSync } from 'node:fs';
import { SOCK_STREAM } from './constants';
import { EINVAL, ENOSYS, EOPNOTSUPP, ESPIPE } from './errno';
import { formatAddress } from './finalizer';
import { OSError, fromErrno } from './oserror';
import { toInt, typeName } from './args';
import type { State } from './state';

export function checkSendfileArgs(
  s: State,
  file: unknown,
  offset: unknown,
  count: unknown,
): [number, number, number] {
  let inFd: number;
  if (typeof file === 'number') inFd = toInt(file, 'file');
  else if (file !== null && typeof file === 'object' && typeof (file as { fd?: unknown }).fd === 'number') {
    inFd = (file as { fd: number }).fd;
  } else
    throw new TypeError(`sendfile() file must be a file descriptor or a FileHandle, not ${typeName(file)}`);
  if (inFd < 0) throw new RangeError('sendfile() file is closed');
  if (s.type !== SOCK_STREAM) throw new RangeError('only SOCK_STREAM type sockets are supported');
  const off = toInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  let cnt = 0;
  if (count !== null && count !== undefined) {
    if (typeof count !== 'number' || !Number.isInteger(count)) {
      throw new TypeError(`count must be a positive integer (got ${formatAddress(count)})`);
    }
    if (count <= 0) throw new RangeError(`count must be a positive integer (got ${count})`);
    cnt = count;
  }
  return [inFd, off, cnt];
}

/**
 * Python's sendfile fallback: reads the file in 8 KiB blocks and sends them. Like Python,
 * offset 0 reads from the current position (so pipes and sockets work); another offset
 * reads at that offset. A read error is an OSError; any error carries `bytes_sent`.
 */
export function sendfileFallback(
  inFd: number,
  off: number,
  cnt: number,
  sendall: (chunk: Buffer) => void,
): number {
  const chunk = Buffer.allocUnsafe(8192);
  let sent = 0;
  for (;;) {
    const want = cnt > 0 ? Math.min(chunk.length, cnt - sent) : chunk.length;
    if (want <= 0) break;
    let got: number;
    try {
      got = readSync(inFd, chunk, 0, want, off === 0 ? null : off + sent);
    } catch (e) {
      throw fsError(e, sent);
    }
    if (got === 0) break;
    try {
      sendall(chunk.subarray(0, got));
    } catch (e) {
      if (e instanceof OSError) e.bytes_sent = sent + (e.bytes_sent ?? 0);
      throw e;
    }
    sent += got;
  }
  return sent;
}

/** A Node fs error as Python's OSError (Node's errno is negative), with bytes_sent. */
export function fsError(e: unknown, sent: number): unknown {
  const errno = (e as NodeJS.ErrnoException)?.errno;
  if (typeof errno !== 'number') return e;
  const err = fromErrno(Math.abs(errno), (e as NodeJS.ErrnoException).syscall ?? 'read', sent);
  return err;
}

// Errors of sendfile(2) itself (nothing sent yet) after which Python falls back to read/send.
const SENDFILE_FALLBACK = new Set([EINVAL, ENOSYS, EOPNOTSUPP, ESPIPE]);
export function sendfileFallsBack(e: unknown): boolean {
  return e instanceof OSError && e.errno !== null && SENDFILE_FALLBACK.has(e.errno) && !e.bytes_sent;
}
