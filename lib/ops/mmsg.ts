// The batched operations beyond Python: recvmmsg, recvmmsg_into, sendmmsg (recvmmsg(2)/sendmmsg(2)).
import { asBuffer, toBytes, toFlags, toInt, typeName } from '../args';
import { toSockAddr } from '../address';
import { AGAIN, READ, WRITE } from '../aio/readiness';
import { native, WOULD_BLOCK } from '../native';
import { FAMILY, FD, openFd } from '../state';
import { operation } from './call';
import { checkWritable } from './recv';

/**
 * recvmmsg(vlen, bufsize, flags = 0): one recvmmsg(2) for up to `vlen` datagrams of at most
 * `bufsize` bytes; waits until one is queued, then returns all queued (up to vlen) as
 * [data, address][].
 */
export const Recvmmsg = operation<[Buffer, unknown][]>('recvmmsg', READ, 2, 3, {
  check(call, vlen, bufsize, flags) {
    const v = toInt(vlen, 'vlen');
    if (v < 1 || v > 1024) throw new RangeError('recvmmsg(): vlen must be 1-1024');
    const n = toInt(bufsize, 'bufsize');
    if (n < 0) throw new RangeError('negative buffersize in recvmmsg');
    if (v * n > 0x7fffffff) throw new RangeError('recvmmsg(): vlen * bufsize is too large');
    call.flags = toFlags(flags);
    call.m = v;
    call.n = n;
    call.buf = Buffer.allocUnsafe(v * n);
    return undefined;
  },
  attempt(call, timeout) {
    const buf = call.buf as Buffer;
    const n = call.n;
    const r = native.recvmmsg(call.st[FD], buf, call.m, n, call.flags, timeout);
    if (r === WOULD_BLOCK) return AGAIN;
    return (r as [number, unknown, number][]).map(([len, addr], i) => [
      buf.subarray(i * n, i * n + Math.min(len, n)),
      addr,
    ]);
  },
  // The kernel's blocking recvmmsg(2) gives one empty message there.
  shutDown: () => [[Buffer.alloc(0), null]],
});

/**
 * recvmmsg_into(buffer, bufsize, sizes, flags = 0): the allocation-free batched receive;
 * datagram i lands at offset i * bufsize, its length in sizes[i] (`aux`); returns how
 * many arrived.
 */
export const RecvmmsgInto = operation<number>('recvmmsg', READ, 3, 4, {
  check(call, buffer, bufsize, sizes, flags) {
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
    call.flags = toFlags(flags);
    call.buf = b;
    call.n = n;
    call.aux = sizes;
    return undefined;
  },
  attempt(call, timeout) {
    const sizes = call.aux as Int32Array | Uint32Array;
    const r = native.recvmmsg_into(call.st[FD], call.buf, call.n, sizes, call.flags, timeout);
    return r === WOULD_BLOCK ? AGAIN : r;
  },
  shutDown(call) {
    (call.aux as Int32Array | Uint32Array)[0] = 0;
    return 1;
  },
});

/**
 * sendmmsg(messages, flags = 0): one sendmmsg(2) for `messages`, Buffer[] (connected) or
 * [data, address][]; returns how many were sent (maybe fewer). An empty list sends
 * nothing. An async call that has to wait sends copies, so changing the payloads
 * afterwards cannot change what is sent.
 */
export const Sendmmsg = operation<number>('sendmmsg', WRITE, 1, 2, {
  check(call, messages, flags) {
    if (!Array.isArray(messages))
      throw new TypeError(`sendmmsg() messages must be an array, not ${typeName(messages)}`);
    if (messages.length > 1024) throw new RangeError('sendmmsg() takes at most 1024 messages per call');
    let bufs: ArrayBufferView[] = [];
    let addrs: unknown[] | null = null;
    if (messages.length > 0 && Array.isArray(messages[0])) {
      addrs = [];
      for (const m of messages) {
        if (!Array.isArray(m) || m.length !== 2)
          throw new TypeError('sendmmsg() messages must all be [data, address]');
        bufs.push(toBytes(m[0]));
        addrs.push(toSockAddr(call.st[FAMILY], m[1], 'sendmmsg'));
      }
    } else bufs = messages.map((m) => toBytes(m));
    call.flags = toFlags(flags);
    call.bufs = bufs;
    call.addr = addrs;
    if (bufs.length > 0) return undefined;
    openFd(call.st, 'sendmmsg');
    return 0;
  },
  attempt(call, timeout) {
    const st = call.st;
    const r = native.sendmmsg(
      st[FD],
      call.bufs,
      call.addr as unknown[] | null,
      call.flags,
      st[FAMILY],
      timeout,
    );
    return r === WOULD_BLOCK ? AGAIN : r;
  },
  beforeWait(call) {
    call.bufs = call.bufs.map((b) => Buffer.from(asBuffer(b)));
  },
});
