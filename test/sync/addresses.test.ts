// Address validation: the message catalogue of PYTHON_REFERENCE.md section 4.12, adapted
// as API.md says (tuple -> array, None -> null, OverflowError -> RangeError), for every
// method that parses an address (bind, connect, connect_ex, sendto).
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { sock, udp, useSockets } from '../helpers/tracker';

useSockets();

type Caller = 'bind' | 'connect' | 'connect_ex' | 'sendto';
const CALLERS: Caller[] = ['bind', 'connect', 'connect_ex', 'sendto'];

/** Calls `caller` on a fresh socket of `family` with `address`; returns the exception. */
function errorFrom(caller: Caller, address: unknown, family: number = socket.AF_INET): any {
  const s = sock(family, caller === 'sendto' ? socket.SOCK_DGRAM : socket.SOCK_STREAM);
  return catchError(() => {
    if (caller === 'sendto') s.sendto(Buffer.from('x'), address as any);
    else (s as any)[caller](address);
  });
}

describe('AF_INET address validation (PYTHON_REFERENCE 4.12)', () => {
  it('a port outside 0..65535 is RangeError "<caller>(): port must be 0-65535." (port range)', () => {
    for (const caller of CALLERS) {
      for (const port of [70000, -1, 2 ** 40, 65536]) {
        const e = errorFrom(caller, ['127.0.0.1', port]);
        expect(e, `${caller} ${port}`).toBeInstanceOf(RangeError);
        expect(e.message).toBe(`${caller}(): port must be 0-65535.`);
      }
    }
  });

  it('a non-array address is TypeError "<caller>(): AF_INET address must be an array, not <type>" (address type)', () => {
    for (const caller of CALLERS) {
      let e = errorFrom(caller, '127.0.0.1');
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe(`${caller}(): AF_INET address must be an array, not string`);
      e = errorFrom(caller, null);
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe(`${caller}(): AF_INET address must be an array, not null`);
      e = errorFrom(caller, 80);
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(new RegExp(`^${caller}\\(\\): AF_INET address must be an array, not `));
    }
  });

  it('an array of the wrong length is TypeError "AF_INET address must be a pair (host, port)" (arity)', () => {
    for (const caller of CALLERS) {
      for (const bad of [['127.0.0.1'], ['127.0.0.1', 0, 0], []]) {
        const e = errorFrom(caller, bad);
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toBe('AF_INET address must be a pair (host, port)');
      }
    }
  });

  it('a non-integer port is a TypeError (port type)', () => {
    for (const port of ['80', 1.5, NaN, Infinity, null, undefined, 80n]) {
      const e = errorFrom('bind', ['127.0.0.1', port]);
      expect(e, String(port)).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/cannot be interpreted as an integer/);
    }
  });

  it('a host that is not a string or bytes is TypeError "str, bytes or bytearray expected, not ..." (host type)', () => {
    for (const host of [1234, null, {}, ['127.0.0.1']]) {
      const e = errorFrom('bind', [host, 0]);
      expect(e, String(host)).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/^str, bytes or bytearray expected, not /);
    }
    expect(errorFrom('bind', [null, 0]).message).toBe('str, bytes or bytearray expected, not null');
  });

  it('a host given as bytes is accepted (host as Buffer)', () => {
    const s = sock();
    s.bind([Buffer.from('127.0.0.1') as any, 0]);
    expect((s.getsockname() as [string, number])[0]).toBe('127.0.0.1');
  });

  it('a NUL in the host is TypeError "host name must not contain null character" (host NUL)', () => {
    for (const caller of CALLERS) {
      const e = errorFrom(caller, ['127.0.0.1\0', 0]);
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe('host name must not contain null character');
    }
  });

  it('an unencodable host name is TypeError "encoding of hostname failed" (host IDNA)', () => {
    const e = errorFrom('bind', ['\u00e9'.repeat(70) + '.com', 0]);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('encoding of hostname failed');
  });

  it('connect_ex raises on a bad address instead of returning an errno (connect_ex, address errors)', () => {
    const s = sock();
    expect(() => s.connect_ex('x' as any)).toThrow(TypeError);
    expect(() => s.connect_ex(['127.0.0.1', -1])).toThrow(RangeError);
    expect(() => s.connect_ex(['nonexistent.invalid', 80])).toThrow(socket.gaierror);
  });
});

describe('AF_INET6 and AF_UNIX validation (PYTHON_REFERENCE 4.12)', () => {
  it('flowinfo above 0xfffff is RangeError "<caller>(): flowinfo must be 0-1048575." (flowinfo)', () => {
    for (const caller of CALLERS) {
      const e = errorFrom(caller, ['::1', 0, 0x100000, 0], socket.AF_INET6);
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`${caller}(): flowinfo must be 0-1048575.`);
    }
  });

  it('a 5-item AF_INET6 address is a TypeError (AF_INET6 arity)', () => {
    const e = errorFrom('bind', ['::1', 0, 0, 0, 0], socket.AF_INET6);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^AF_INET6 address must be /);
  });

  it('an AF_INET6 port outside 0..65535 is a RangeError (AF_INET6 port range)', () => {
    const e = errorFrom('connect', ['::1', 65536], socket.AF_INET6);
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('connect(): port must be 0-65535.');
  });

  it("an AF_UNIX path of 200 bytes is OSError 'AF_UNIX path too long' (AF_UNIX length)", () => {
    for (const caller of CALLERS) {
      const e = errorFrom(caller, 'x'.repeat(200), socket.AF_UNIX);
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.message).toBe('AF_UNIX path too long');
      expect(e.errno).toBeNull();
    }
  });

  it("an AF_UNIX address of the wrong type is TypeError 'a bytes-like object is required' (AF_UNIX type)", () => {
    const e = errorFrom('bind', ['a'], socket.AF_UNIX);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/^a bytes-like object is required, not /);
  });
});

describe('sendto argument checks (PYTHON_REFERENCE 4.12)', () => {
  it("sendto(data, null) is TypeError '... not null' (sendto null address)", () => {
    const { s } = udp();
    const e = catchError(() => s.sendto(Buffer.from('foo'), null as any));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('sendto(): AF_INET address must be an array, not null');
  });

  it("sendto with one argument is TypeError 'sendto() takes 2 or 3 arguments (1 given)' (sendto arity)", () => {
    const { s } = udp();
    const e = catchError(() => (s as any).sendto(Buffer.from('x')));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe('sendto() takes 2 or 3 arguments (1 given)');
    expect(catchError(() => (s as any).sendto()).message).toBe('sendto() takes 2 or 3 arguments (0 given)');
  });

  it('sendto of a string is TypeError "a bytes-like object is required, not \'string\'" (sendto data type)', () => {
    const { s, addr } = udp();
    const e = catchError(() => s.sendto('\u2620' as any, addr));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("a bytes-like object is required, not 'string'");
  });

  it('send, sendall and sendto take no strings (bytes-like only)', () => {
    const { s, addr } = udp();
    for (const fn of [
      () => s.send('abc' as any),
      () => s.sendall('abc' as any),
      () => s.sendto('abc' as any, 0, addr),
    ]) {
      const e = catchError(fn);
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe("a bytes-like object is required, not 'string'");
    }
  });
});
