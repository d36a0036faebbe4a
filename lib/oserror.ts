// Python's OSError hierarchy: the subclass for an errno, socket timeouts, resolver errors, and the factories native throws through.
/**
 * Python's exception hierarchy for sockets: OSError and its PEP 3151 subclasses chosen
 * by errno, TimeoutError (socket.timeout), gaierror and herror.
 *
 * `errno` is the positive OS number, as in Python (Node's own errors use negative libuv
 * numbers; bsdsock follows Python). `code` is Node's name for it (`'ECONNREFUSED'`).
 */
import { constants } from 'node:os';
import { getSystemErrorName } from 'node:util';
import * as E from './errno';

// Names of errnos libuv has no name for (EINPROGRESS, ...), from Node's errno table.
const ERRNO_NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno))
  if (!ERRNO_NAMES.has(num)) ERRNO_NAMES.set(num, name);

/** Node's name for a positive errno ('ECONNREFUSED'), or undefined for an unknown one. */
function errnoCode(errno: number): string | undefined {
  let name: string | undefined;
  try {
    name = getSystemErrorName(-errno);
  } catch {
    name = undefined;
  }
  if (name === undefined || name.startsWith('Unknown system error')) name = ERRNO_NAMES.get(errno);
  return name;
}

// Filled in by native.ts once the binding is loaded (strerror(3) is the C library's text).
let strerrorImpl: (errno: number) => string = (errno) => `Unknown error ${errno}`;
export function setStrerror(fn: (errno: number) => string): void {
  strerrorImpl = fn;
}
/** The C library's message for an errno, as Python's os.strerror. */
export function strerror(errno: number): string {
  return strerrorImpl(errno);
}

/**
 * Mirrors Python's OSError (alias `socket.error`).
 *
 * `new OSError(errno, strerror)` returns the subclass Python would pick for that errno
 * (`new OSError(111, '...')` is a ConnectionRefusedError); `new OSError(message)` has
 * `errno === null`, as Python's one-argument form.
 */
export class OSError extends Error {
  /** Positive errno, or null when the error carries none. */
  errno!: number | null;
  /** strerror(3) text, or null. */
  strerror!: string | null;
  /** Node's errno name (`'ECONNRESET'`), when there is an errno. */
  code: string | undefined;
  /** The syscall that failed, when known. */
  syscall: string | undefined;
  /** Always null (the socket module never sets a filename). */
  filename!: null;
  /** Python's `args`. */
  args!: unknown[];
  /** For `sendall`: the bytes that did go out before the failure. */
  bytes_sent: number | undefined;

  constructor(errnoOrMessage?: number | string, strerrorText?: string) {
    if (typeof errnoOrMessage === 'number' && new.target === OSError) {
      const Sub = errnoClass(errnoOrMessage);
      if (Sub !== OSError) return new Sub(errnoOrMessage, strerrorText);
    }
    const hasErrno = typeof errnoOrMessage === 'number';
    const text = hasErrno ? (strerrorText ?? strerror(errnoOrMessage as number)) : undefined;
    super(hasErrno ? `[Errno ${errnoOrMessage}] ${text}` : (errnoOrMessage ?? ''));
    this.errno = hasErrno ? (errnoOrMessage as number) : null;
    this.strerror = hasErrno ? (text as string) : null;
    this.code = hasErrno && (errnoOrMessage as number) > 0 ? errnoCode(errnoOrMessage as number) : undefined;
    this.syscall = undefined;
    this.filename = null;
    this.bytes_sent = undefined;
    this.args = hasErrno ? [errnoOrMessage, text] : errnoOrMessage === undefined ? [] : [errnoOrMessage];
  }

  override get name(): string {
    return this.constructor.name;
  }
}

export class BlockingIOError extends OSError {}
export class ChildProcessError extends OSError {}
export class ConnectionError extends OSError {}
export class BrokenPipeError extends ConnectionError {}
export class ConnectionAbortedError extends ConnectionError {}
export class ConnectionRefusedError extends ConnectionError {}
export class ConnectionResetError extends ConnectionError {}
export class FileExistsError extends OSError {}
export class FileNotFoundError extends OSError {}
export class InterruptedError extends OSError {}
export class IsADirectoryError extends OSError {}
export class NotADirectoryError extends OSError {}
export class PermissionError extends OSError {}
export class ProcessLookupError extends OSError {}
/** Python's TimeoutError; `socket.timeout` is the same class. A socket timeout has errno null and message 'timed out'. */
export class TimeoutError extends OSError {}
/** Resolver errors from getaddrinfo/getnameinfo: errno is the (negative) EAI_* code. */
export class gaierror extends OSError {}
/** Resolver errors from gethostbyname_ex/gethostbyaddr: errno is h_errno. */
export class herror extends OSError {}

// PEP 3151's table: the OSError subclass for each errno.
const ERRNO_CLASS: Record<number, typeof OSError> = {
  [E.EAGAIN]: BlockingIOError, // also EWOULDBLOCK
  [E.EALREADY]: BlockingIOError,
  [E.EINPROGRESS]: BlockingIOError,
  [E.ECHILD]: ChildProcessError,
  [E.EPIPE]: BrokenPipeError,
  [E.ESHUTDOWN]: BrokenPipeError,
  [E.ECONNABORTED]: ConnectionAbortedError,
  [E.ECONNREFUSED]: ConnectionRefusedError,
  [E.ECONNRESET]: ConnectionResetError,
  [E.EEXIST]: FileExistsError,
  [E.ENOENT]: FileNotFoundError,
  [E.EINTR]: InterruptedError,
  [E.EISDIR]: IsADirectoryError,
  [E.ENOTDIR]: NotADirectoryError,
  [E.EPERM]: PermissionError,
  [E.EACCES]: PermissionError,
  [E.ESRCH]: ProcessLookupError,
  [E.ETIMEDOUT]: TimeoutError,
};

/** The class Python's OSError(errno, ...) constructor picks for `errno`. */
export function errnoClass(errno: number): typeof OSError {
  return ERRNO_CLASS[errno] ?? OSError;
}

/** An OSError subclass for `errno`, with `syscall` recorded (Node style). */
export function fromErrno(
  errno: number,
  syscall?: string,
  bytesSent?: number,
  text = strerror(errno),
): OSError {
  const Cls = errnoClass(errno);
  const e = new Cls(errno, text);
  e.syscall = syscall;
  if (bytesSent !== undefined) e.bytes_sent = bytesSent;
  return e;
}

/** TimeoutError('timed out'), Python's socket timeout. */
export function timedOut(syscall?: string, bytesSent?: number): TimeoutError {
  const e = new TimeoutError('timed out');
  e.syscall = syscall;
  if (bytesSent !== undefined) e.bytes_sent = bytesSent;
  return e;
}

// EAI_* names by value, for gaierror.code (glibc values).
const EAI_NAMES: Record<number, string> = {
  [-1]: 'EAI_BADFLAGS',
  [-2]: 'EAI_NONAME',
  [-3]: 'EAI_AGAIN',
  [-4]: 'EAI_FAIL',
  [-5]: 'EAI_NODATA',
  [-6]: 'EAI_FAMILY',
  [-7]: 'EAI_SOCKTYPE',
  [-8]: 'EAI_SERVICE',
  [-9]: 'EAI_ADDRFAMILY',
  [-10]: 'EAI_MEMORY',
  [-11]: 'EAI_SYSTEM',
  [-12]: 'EAI_OVERFLOW',
};

export function makeGaiError(code: number, message: string, syscall = 'getaddrinfo'): gaierror {
  const e = new gaierror(code, message);
  e.code = EAI_NAMES[code];
  e.syscall = syscall;
  return e;
}

export function makeHError(code: number, message: string): herror {
  const e = new herror(code, message);
  e.code = undefined;
  return e;
}

/** The factories native code throws through, with the message it has (see native/errors.h). */
export const nativeFactories = {
  oserror: (errno: number, text: string, syscall: string, bytesSent?: number) =>
    fromErrno(errno, syscall, bytesSent, text),
  timeout: (syscall: string, bytesSent?: number) => timedOut(syscall, bytesSent),
  gaierror: makeGaiError,
  herror: makeHError,
};

/** OSError EBADF: the call was made on a closed socket. */
export function ebadf(syscall: string): OSError {
  return fromErrno(E.EBADF, syscall);
}

/** BlockingIOError EAGAIN: a call that may not wait would have had to. */
export function wouldBlock(syscall: string): BlockingIOError {
  return fromErrno(E.EAGAIN, syscall) as BlockingIOError;
}
