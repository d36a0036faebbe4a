// Argument checks (Python's wording) and result shaping of the recv/send/message calls.
import { asBuffer, toBytes, toFlags, toInt, typeName } from './args';
import { toSockAddr } from './address';
import { OSError } from './oserror';
import type { AncData } from './native';

/** Returns `buf` cut to `n` bytes; copies when most of a large buffer would be wasted. */
export function trim(buf: Buffer, n: number): Buffer {
  const len = buf.length;
  if (n >= len) return buf;
  if (len - n > 8192) return Buffer.from(buf.subarray(0, n));
  return buf.subarray(0, n);
}

export function checkWritable(buffer: unknown, caller: string): ArrayBufferView {
  if (!ArrayBuffer.isView(buffer)) {
    throw new TypeError(
      `${caller}() argument 1 must be read-write bytes-like object, not ${typeName(buffer)}`,
    );
  }
  return buffer;
}

/** nbytes as Python's recv_into: 0 or omitted = the whole buffer. */
export function checkNbytes(
  buffer: ArrayBufferView,
  nbytes: unknown,
  caller: string,
  tooBig: string,
): number {
  const n = nbytes === undefined ? 0 : toInt(nbytes, 'nbytes');
  if (n < 0) throw new RangeError(`negative buffersize in ${caller}`);
  if (n > buffer.byteLength) throw new RangeError(tooBig);
  return n === 0 ? buffer.byteLength : n;
}

export function checkRecvmsgArgs(
  bufsize: unknown,
  ancbufsize: unknown,
  flags: unknown,
): [number, number, number] {
  const n = toInt(bufsize, 'bufsize');
  if (n < 0) throw new RangeError('negative buffer size in recvmsg()');
  const anc = ancbufsize === undefined ? 0 : toInt(ancbufsize, 'ancbufsize', -Infinity, Infinity);
  if (anc < 0 || anc > 0x7fffffff) throw new RangeError('invalid ancillary data buffer length');
  return [n, anc, toFlags(flags)];
}

export function checkBufferList(buffers: unknown, caller: string, writable: boolean): ArrayBufferView[] {
  if (
    buffers === null ||
    typeof buffers !== 'object' ||
    typeof (buffers as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`${caller}() argument 1 must be an iterable`);
  }
  const out = Array.from(buffers as Iterable<unknown>, (b) => {
    if (!ArrayBuffer.isView(b)) {
      throw new TypeError(
        writable
          ? `${caller}() argument 1 must be an iterable of single-segment read-write buffers`
          : `a bytes-like object is required, not '${typeName(b)}'`,
      );
    }
    return b;
  });
  if (out.length > 1024) throw new OSError(`${caller}() argument 1 is too long`);
  return out;
}

export function checkSendmsgArgs(
  family: number,
  buffers: unknown,
  ancdata: unknown,
  flags: unknown,
  address: unknown,
): [ArrayBufferView[], AncData[], number, unknown] {
  const bufs = checkBufferList(buffers, 'sendmsg', false);
  const anc: AncData[] = [];
  if (ancdata !== undefined && ancdata !== null) {
    if (
      typeof ancdata !== 'object' ||
      typeof (ancdata as Iterable<unknown>)[Symbol.iterator] !== 'function'
    ) {
      throw new TypeError('sendmsg() argument 2 must be an iterable');
    }
    for (const item of ancdata as Iterable<unknown>) {
      if (!Array.isArray(item) || item.length !== 3) {
        const len = Array.isArray(item) ? item.length : typeName(item);
        throw new TypeError(`sendmsg() ancillary data items must be [level, type, data] arrays, not ${len}`);
      }
      anc.push([toInt(item[0], 'cmsg_level'), toInt(item[1], 'cmsg_type'), asBuffer(toBytes(item[2]))]);
    }
  }
  const fl = toFlags(flags);
  const addr = address === undefined || address === null ? null : toSockAddr(family, address, 'sendmsg');
  return [bufs, anc, fl, addr];
}

export function checkMmsgArgs(vlen: unknown, bufsize: unknown, flags: unknown): [number, number, number] {
  const v = toInt(vlen, 'vlen');
  if (v < 1 || v > 1024) throw new RangeError('recvmmsg(): vlen must be 1-1024');
  const n = toInt(bufsize, 'bufsize');
  if (n < 0) throw new RangeError('negative buffersize in recvmmsg');
  if (v * n > 0x7fffffff) throw new RangeError('recvmmsg(): vlen * bufsize is too large');
  return [v, n, toFlags(flags)];
}

export function checkMmsgIntoArgs(
  buffer: unknown,
  bufsize: unknown,
  sizes: unknown,
  flags: unknown,
): [ArrayBufferView, number, Int32Array | Uint32Array, number] {
  const b = checkWritable(buffer, 'recvmmsg_into');
  const n = toInt(bufsize, 'bufsize');
  if (n < 0) throw new RangeError('negative buffersize in recvmmsg_into');
  if (!(sizes instanceof Int32Array || sizes instanceof Uint32Array)) {
    throw new TypeError(
      `recvmmsg_into() sizes must be an Int32Array or a Uint32Array, not ${typeName(sizes)}`,
    );
  }
  if (sizes.length < 1 || sizes.length > 1024)
    throw new RangeError('recvmmsg_into(): sizes must hold 1-1024 entries');
  if (sizes.length * n > b.byteLength)
    throw new RangeError('recvmmsg_into(): buffer too small for sizes.length * bufsize');
  return [b, n, sizes, toFlags(flags)];
}

export function mmsgResults(
  buf: Buffer,
  bufsize: number,
  r: [number, unknown, number][],
): [Buffer, unknown][] {
  return r.map(([len, addr], i) => [buf.subarray(i * bufsize, i * bufsize + Math.min(len, bufsize)), addr]);
}

export function checkSendmmsgArgs(family: number, messages: unknown): [ArrayBufferView[], unknown[] | null] {
  if (!Array.isArray(messages))
    throw new TypeError(`sendmmsg() messages must be an array, not ${typeName(messages)}`);
  if (messages.length > 1024) throw new RangeError('sendmmsg() takes at most 1024 messages per call');
  if (messages.length === 0) return [[], null];
  if (Array.isArray(messages[0])) {
    const bufs: ArrayBufferView[] = [];
    const addrs: unknown[] = [];
    for (const m of messages) {
      if (!Array.isArray(m) || m.length !== 2)
        throw new TypeError('sendmmsg() messages must all be [data, address]');
      bufs.push(toBytes(m[0]));
      addrs.push(toSockAddr(family, m[1], 'sendmmsg'));
    }
    return [bufs, addrs];
  }
  return [messages.map((m) => toBytes(m)), null];
}
