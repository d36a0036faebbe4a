// sendfile: the operation (sendfile(2)), when it falls back to read/send, and that fallback, for both runners.
import { read, readSync } from 'node:fs';
import { toInt, typeName } from './args';
import { AGAIN, WRITE } from './aio/readiness';
import { start, type WaitOptions } from './aio/runner';
import { SOCK_STREAM } from './constants';
import { drive } from './drive';
import { EINVAL, ENOSYS, EOPNOTSUPP, ESPIPE } from './errno';
import { formatAddress } from './finalizer';
import { native, WOULD_BLOCK } from './native';
import { operation } from './ops/call';
import { Sendall, withBytesSent } from './ops/send';
import { OSError, fromErrno } from './oserror';
import { runBlocking } from './runner';
import { FD, SocketAttributes, type State, TYPE } from './state';

/** The read/send fallback's chunk. */
const CHUNK = 64 * 1024;

/** sendfile's checked arguments (kept in the call's `aux`). */
interface SendfileArgs {
  inFd: number;
  off: number;
  cnt: number;
  eof: boolean;
}

function checkSendfile(st: State, file: unknown, offset: unknown, count: unknown): SendfileArgs {
  let inFd: number;
  if (typeof file === 'number') inFd = toInt(file, 'file');
  else if (
    file !== null &&
    typeof file === 'object' &&
    // A socket is never taken for a FileHandle, whatever fields it carries.
    !(file instanceof SocketAttributes) &&
    typeof (file as { fd?: unknown }).fd === 'number'
  ) {
    inFd = (file as { fd: number }).fd;
  } else
    throw new TypeError(`sendfile() file must be a file descriptor or a FileHandle, not ${typeName(file)}`);
  if (inFd < 0) throw new RangeError('sendfile() file is closed');
  if (st[TYPE] !== SOCK_STREAM) throw new RangeError('only SOCK_STREAM type sockets are supported');
  const off = toInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  let cnt = 0;
  if (count !== null && count !== undefined) {
    if (typeof count !== 'number' || !Number.isInteger(count)) {
      throw new TypeError(`count must be a positive integer (got ${formatAddress(count)})`);
    }
    if (count <= 0) throw new RangeError(`count must be a positive integer (got ${count})`);
    cnt = count;
  }
  return { inFd, off, cnt, eof: false };
}

/**
 * socket.sendfile(file, offset = 0, count = null): sendfile(2) from a file descriptor or a
 * fs.promises.FileHandle; returns the bytes sent. Blocking: one crossing with the timeout
 * (non-blocking sockets are refused, as in Python). Async: sendfile(2) whenever writable.
 */
export const Sendfile = operation<number>('sendfile', WRITE, 3, 3, {
  check(call, file, offset, count) {
    call.aux = checkSendfile(call.st, file, offset, count);
    return undefined;
  },
  attempt(call, timeout) {
    if (timeout === 0) throw new RangeError('non-blocking sockets are not supported');
    const a = call.aux as SendfileArgs;
    return native.sendfile(call.st[FD], a.inFd, a.off, a.cnt, timeout);
  },
  retry(call) {
    const a = call.aux as SendfileArgs;
    for (;;) {
      const sent = call.progress;
      if (a.eof || (a.cnt > 0 && sent >= a.cnt)) return sent;
      const r = native.sendfile(call.st[FD], a.inFd, a.off + sent, a.cnt > 0 ? a.cnt - sent : 0, 0);
      if (r === WOULD_BLOCK) return AGAIN;
      if (r === 0) a.eof = true;
      call.progress += r;
    }
  },
  fail: (call, error) => withBytesSent(error, call.progress),
});

// Errors of sendfile(2) itself after which Python falls back to read/send, if nothing was sent (bytes_sent).
const SENDFILE_FALLBACK = new Set([EINVAL, ENOSYS, EOPNOTSUPP, ESPIPE]);
function fallsBack(e: unknown): boolean {
  return e instanceof OSError && e.errno !== null && SENDFILE_FALLBACK.has(e.errno) && !e.bytes_sent;
}

/** A step of the fallback: read into `chunk` at `pos` (null: the current position), or send `chunk`. */
interface Step {
  read: boolean;
  fd: number;
  chunk: Buffer;
  pos: number | null;
}

/**
 * Python's sendfile fallback, for when sendfile(2) does not apply (the file is a pipe or a
 * socket): read a chunk, send it, until `cnt` bytes or end of file. Offset 0 reads from
 * the current position (so pipes and sockets work); another offset reads at that offset.
 * A read error is an OSError; every error carries `bytes_sent`.
 */
function* fallback(inFd: number, off: number, cnt: number): Generator<Step, number, unknown> {
  const chunk = Buffer.allocUnsafe(CHUNK);
  let sent = 0;
  for (;;) {
    const want = cnt > 0 ? Math.min(CHUNK, cnt - sent) : CHUNK;
    if (want <= 0) return sent;
    let got: number;
    try {
      got = (yield {
        read: true,
        fd: inFd,
        chunk: chunk.subarray(0, want),
        pos: off === 0 ? null : off + sent,
      }) as number;
    } catch (e) {
      throw fsError(e, sent);
    }
    if (got === 0) return sent;
    try {
      yield { read: false, fd: inFd, chunk: chunk.subarray(0, got), pos: null };
    } catch (e) {
      throw withBytesSent(e, sent + ((e as OSError).bytes_sent ?? 0));
    }
    sent += got;
  }
}

/** A Node fs error as Python's OSError (Node's errno is negative), with bytes_sent. */
function fsError(e: unknown, sent: number): unknown {
  const errno = (e as NodeJS.ErrnoException)?.errno;
  if (typeof errno !== 'number') return e;
  return fromErrno(Math.abs(errno), (e as NodeJS.ErrnoException).syscall ?? 'read', sent);
}

/** The fallback over checked arguments, each step run by `step`. */
function runFallback(
  st: State,
  args: [unknown, unknown, unknown],
  step: (s: Step) => unknown,
): number | Promise<number> {
  const { inFd, off, cnt } = checkSendfile(st, ...args);
  return drive(fallback(inFd, off, cnt), step);
}

/** Socket.sendfile: sendfile(2) in one crossing, else the fallback with blocking reads and sendall. */
export function sendfileBlocking(st: State, file: unknown, offset: unknown, count: unknown): number {
  try {
    return runBlocking(Sendfile, st, file, offset, count);
  } catch (e) {
    if (!fallsBack(e)) throw e;
  }
  return runFallback(st, [file, offset, count], (s) =>
    s.read ? readSync(s.fd, s.chunk, 0, s.chunk.length, s.pos) : runBlocking(Sendall, st, s.chunk),
  ) as number;
}

/** AsyncSocket.sendfile: sendfile(2) whenever writable, else the fallback with async reads and sendall. */
export async function sendfileAsync(
  owner: object,
  st: State,
  file: unknown,
  offset: unknown,
  count: unknown,
  opts: WaitOptions | undefined,
): Promise<number> {
  try {
    return await start(Sendfile, owner, st, file, offset, count, opts);
  } catch (e) {
    if (!fallsBack(e)) throw e;
  }
  return runFallback(st, [file, offset, count], (s) =>
    s.read
      ? new Promise((resolve, reject) =>
          read(s.fd, s.chunk, 0, s.chunk.length, s.pos, (err, n) => (err ? reject(err) : resolve(n))),
        )
      : start(Sendall, owner, st, s.chunk, undefined, opts),
  );
}
