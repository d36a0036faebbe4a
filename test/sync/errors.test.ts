// The error classes: port of CPython's TestExceptions and testSocketError, and the
// errno -> class mapping of PEP 3151 (PYTHON_REFERENCE.md section 5) with the JavaScript
// conventions of API.md (errno, strerror, code, message, name).
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { sock, useSockets } from '../helpers/tracker';

useSockets();

describe('TestExceptions', () => {
  it('the hierarchy: OSError is an Error; herror, gaierror and timeout are OSErrors (testExceptionTree)', () => {
    expect(new socket.OSError('x')).toBeInstanceOf(Error);
    expect(new socket.herror(1, 'Unknown host')).toBeInstanceOf(socket.OSError);
    expect(new socket.gaierror(-2, 'Name or service not known')).toBeInstanceOf(socket.OSError);
    expect(new socket.timeout('timed out')).toBeInstanceOf(socket.OSError);
    expect(socket.error).toBe(socket.OSError);
    expect(socket.timeout).toBe(socket.TimeoutError);
    expect(Object.getPrototypeOf(socket.herror.prototype)).toBe(socket.OSError.prototype);
    expect(Object.getPrototypeOf(socket.gaierror.prototype)).toBe(socket.OSError.prototype);
  });

  it('the classes can be thrown and caught as OSError (testSocketError)', () => {
    expect(() => {
      throw new socket.OSError();
    }).toThrow(socket.OSError);
    expect(() => {
      throw new socket.herror();
    }).toThrow(socket.OSError);
    expect(() => {
      throw new socket.gaierror();
    }).toThrow(socket.OSError);
  });

  it('setblocking on an fd closed underneath raises OSError (test_setblocking_invalidfd)', () => {
    const sock0 = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0);
    const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, undefined, sock0.fileno());
    sock0.close();
    try {
      const e = catchError(() => s.setblocking(false));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(9);
    } finally {
      s.detach();
    }
  });
});

describe('OSError and its subclasses', () => {
  it('OSError(111, ...) constructs a ConnectionRefusedError with errno, strerror, code, message and name (errno mapping)', () => {
    const e = new socket.OSError(111, 'Connection refused');
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e).toBeInstanceOf(socket.ConnectionError);
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e).toBeInstanceOf(Error);
    expect(e.errno).toBe(111);
    expect(e.strerror).toBe('Connection refused');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.message).toBe('[Errno 111] Connection refused');
    expect(e.name).toBe('ConnectionRefusedError');
    expect(String(e)).toBe('ConnectionRefusedError: [Errno 111] Connection refused');
    expect(e.args).toEqual([111, 'Connection refused']);
    expect(e.filename).toBeNull();
  });

  it('every PEP 3151 errno picks its class (errno mapping table)', () => {
    const table: [number, any, string][] = [
      [11, socket.BlockingIOError, 'EAGAIN'],
      [114, socket.BlockingIOError, 'EALREADY'],
      [115, socket.BlockingIOError, 'EINPROGRESS'],
      [32, socket.BrokenPipeError, 'EPIPE'],
      [108, socket.BrokenPipeError, 'ESHUTDOWN'],
      [103, socket.ConnectionAbortedError, 'ECONNABORTED'],
      [111, socket.ConnectionRefusedError, 'ECONNREFUSED'],
      [104, socket.ConnectionResetError, 'ECONNRESET'],
      [110, socket.TimeoutError, 'ETIMEDOUT'],
      [4, socket.InterruptedError, 'EINTR'],
      [1, socket.PermissionError, 'EPERM'],
      [13, socket.PermissionError, 'EACCES'],
      [2, socket.FileNotFoundError, 'ENOENT'],
      [17, socket.FileExistsError, 'EEXIST'],
    ];
    for (const [errno, Cls, code] of table) {
      const e = new socket.OSError(errno, 'text');
      expect(e, String(errno)).toBeInstanceOf(Cls);
      expect(e.errno).toBe(errno);
      expect(e.code).toBe(code);
      expect(e.name).toBe(Cls.name);
      expect(e.message).toBe(`[Errno ${errno}] text`);
    }
    for (const Cls of [
      socket.BrokenPipeError,
      socket.ConnectionAbortedError,
      socket.ConnectionRefusedError,
      socket.ConnectionResetError,
    ]) {
      expect(Cls.prototype).toBeInstanceOf(socket.ConnectionError);
    }
  });

  it('other errnos stay plain OSError (errno mapping, others)', () => {
    for (const errno of [98, 99, 101, 113, 9, 88, 22, 90, 89, 106, 107, 92, 93, 95, 97, 19, 6]) {
      const e = new socket.OSError(errno, 'x');
      expect(Object.getPrototypeOf(e)).toBe(socket.OSError.prototype);
      expect(e.name).toBe('OSError');
    }
    expect(new socket.OSError(98, 'Address already in use').code).toBe('EADDRINUSE');
  });

  it('without strerror the C library text is used (OSError(errno))', () => {
    const e = new socket.OSError(104);
    expect(e).toBeInstanceOf(socket.ConnectionResetError);
    expect(e.strerror).toBe('Connection reset by peer');
    expect(e.message).toBe('[Errno 104] Connection reset by peer');
  });

  it('a message-only OSError has null errno and strerror (OSError(message))', () => {
    const e = new socket.OSError('AF_UNIX path too long');
    expect(e.errno).toBeNull();
    expect(e.strerror).toBeNull();
    expect(e.message).toBe('AF_UNIX path too long');
    expect(e.args).toEqual(['AF_UNIX path too long']);
    expect(e.name).toBe('OSError');
  });

  it('subclasses construct as themselves, with the name of the class (subclass constructors)', () => {
    const e = new socket.ConnectionResetError(104, 'Connection reset by peer');
    expect(e).toBeInstanceOf(socket.ConnectionResetError);
    expect(e.name).toBe('ConnectionResetError');
    const t = new socket.TimeoutError('timed out');
    expect(t.name).toBe('TimeoutError');
    expect(t.errno).toBeNull();
    expect(t.message).toBe('timed out');
    expect(new socket.gaierror(-2, 'Name or service not known').message).toBe(
      '[Errno -2] Name or service not known',
    );
    expect(new socket.herror(1, 'Unknown host').name).toBe('herror');
  });

  it('errors from the OS carry the class, errno, code and a stack (errors from syscalls)', () => {
    const s = sock();
    s.close();
    const e = catchError(() => s.getsockname());
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(9);
    expect(e.code).toBe('EBADF');
    expect(e.message).toBe('[Errno 9] Bad file descriptor');
    expect(e.name).toBe('OSError');
    expect(typeof e.stack).toBe('string');
  });
});
