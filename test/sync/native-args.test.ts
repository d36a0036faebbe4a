// The binding validates its own arguments before it uses them (lib/ validates first, with
// Python's messages; this is the layer under it). The argument helpers take a fast path
// for valid input (native/sockaddr.cc GetInt64/GetTimeout/GetBytes); these cases pin the
// slow path: every invalid value is a TypeError or RangeError, never a crash or a silently
// truncated number.
import { describe, expect, it } from 'vitest';
import { native, WOULD_BLOCK } from '../../lib/native';
import * as socket from '../../lib/index';
import { pair, useSockets } from '../helpers/tracker';

useSockets();

function fds(): [number, number] {
  const [a, b] = pair(socket.AF_UNIX, socket.SOCK_DGRAM);
  return [a.fileno(), b.fileno()];
}

describe('native argument checks', () => {
  it('integers: non-numbers and fractions are TypeErrors, out of range is a RangeError', () => {
    const [a] = fds();
    const buf = Buffer.alloc(8);
    for (const bad of ['3', null, undefined, 1.5, NaN, 3n, {}]) {
      expect(() => native.recv_into(bad as number, buf, 0, 0, 0)).toThrow(
        /file descriptor must be an integer/,
      );
      expect(() => native.recv_into(a, buf, 0, bad as number, 0)).toThrow(TypeError);
    }
    for (const bad of [-1, 2 ** 31, Infinity, -Infinity]) {
      expect(() => native.recv_into(bad, buf, 0, 0, 0)).toThrow(RangeError);
    }
    expect(() => native.recv_into(a, buf, 0, 2 ** 31, 0)).toThrow(/flags out of range/);
    expect(() => native.recv_into(a, buf, 0, -(2 ** 31) - 1, 0)).toThrow(RangeError);
  });

  it('nbytes: undefined means the whole buffer; 2^63 and more are too many, not undefined behaviour', () => {
    const [a, b] = fds();
    native.send(b, Buffer.from('abcdef'), 0, 0);
    const buf = Buffer.alloc(4);
    expect(native.recv_into(a, buf, undefined as unknown as number, 0, 0)).toBe(4);
    for (const n of [2 ** 63, 2 ** 64, 9.3e18]) {
      expect(() => native.recv_into(a, buf, n, 0, 0)).toThrow(RangeError);
    }
    expect(() => native.recv_into(a, buf, 5, 0, 0)).toThrow(/buffer too small/);
    expect(() => native.recv_into(a, buf, -1, 0, 0)).toThrow(/nbytes out of range/);
  });

  it('timeouts: a number, or null/undefined for blocking; anything else is rejected', () => {
    const [a] = fds();
    const buf = Buffer.alloc(4);
    expect(native.recv_into(a, buf, 0, 0, 0)).toBe(WOULD_BLOCK);
    expect(() => native.recv_into(a, buf, 0, 0, 'x' as unknown as number)).toThrow(
      /timeout must be a number/,
    );
    expect(() => native.recv_into(a, buf, 0, 0, NaN)).toThrow(RangeError);
    expect(native.wait(a, true, undefined as unknown as number)).toBe(true); // writable at once, no wait
  });

  it('bytes: every TypedArray by byte length, DataView, ArrayBuffer; anything else is a TypeError', () => {
    const [a, b] = fds();
    const rx = Buffer.alloc(64);
    const cases: [ArrayBufferView | ArrayBuffer, number][] = [
      [new Uint16Array(3), 6],
      [new Float64Array(2), 16],
      [new BigInt64Array(1), 8],
      [new DataView(new ArrayBuffer(10), 2, 5), 5],
      [new ArrayBuffer(7), 7],
      [Buffer.alloc(9).subarray(1, 4), 3],
    ];
    for (const [data, len] of cases) {
      expect(native.send(b, data as ArrayBufferView, 0, 0)).toBe(len);
      expect(native.recv_into(a, rx, 0, 0, 0)).toBe(len);
    }
    for (const bad of ['abc', [1, 2], null, 5]) {
      expect(() => native.send(b, bad as unknown as ArrayBufferView, 0, 0)).toThrow(
        /data must be a bytes-like object/,
      );
    }
  });
});
