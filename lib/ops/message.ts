// The message operations: recvmsg, recvmsg_into, sendmsg (recvmsg(2)/sendmsg(2) with ancillary data).
import { asBuffer, toBytes, toFlags, toInt, typeName } from '../args';
import { toSockAddr } from '../address';
import { AGAIN, READ, WRITE } from '../aio/readiness';
import { native, WOULD_BLOCK, type AncData } from '../native';
import { OSError } from '../oserror';
import { operation, type Call } from './call';
import { toBufsize, trim } from './recv';
import { FAMILY, FD } from '../state';

/** recvmsg's and recvmsg_into's ancbufsize (0 when omitted) and flags. */
function checkAncFlags<R>(call: Call<R>, ancbufsize: unknown, flags: unknown): void {
  const anc = ancbufsize === undefined ? 0 : toInt(ancbufsize, 'ancbufsize', -Infinity, Infinity);
  if (anc < 0 || anc > 0x7fffffff) throw new RangeError('invalid ancillary data buffer length');
  call.flags = toFlags(flags);
  call.m = anc;
}

/** Python's check of an iterable of buffers (recvmsg_into, sendmsg): at most 1024 of them. */
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

/** sendmsg's ancillary data: an iterable of [level, type, data]. */
function checkAncdata(ancdata: unknown): AncData[] {
  const anc: AncData[] = [];
  if (ancdata === undefined || ancdata === null) return anc;
  if (typeof ancdata !== 'object' || typeof (ancdata as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError('sendmsg() argument 2 must be an iterable');
  }
  for (const item of ancdata as Iterable<unknown>) {
    if (!Array.isArray(item) || item.length !== 3) {
      const len = Array.isArray(item) ? item.length : typeName(item);
      throw new TypeError(`sendmsg() ancillary data items must be [level, type, data] arrays, not ${len}`);
    }
    anc.push([toInt(item[0], 'cmsg_level'), toInt(item[1], 'cmsg_type'), asBuffer(toBytes(item[2]))]);
  }
  return anc;
}

type Msg = [number, AncData[], number, unknown];

/**
 * socket.recvmsg(bufsize, ancbufsize = 0, flags = 0): [data, ancdata, msg_flags, address],
 * ancdata being [cmsg_level, cmsg_type, cmsg_data][]; MSG_CTRUNC says ancbufsize was too small.
 */
export const Recvmsg = operation<[Buffer, AncData[], number, unknown]>('recvmsg', READ, 1, 3, {
  check(call, bufsize, ancbufsize, flags) {
    const n = toBufsize(bufsize, 'negative buffer size in recvmsg()');
    checkAncFlags(call, ancbufsize, flags);
    call.buf = Buffer.allocUnsafe(n);
    return undefined;
  },
  attempt(call, timeout) {
    const r = native.recvmsg(call.st[FD], [call.buf], call.m, call.flags, timeout);
    if (r === WOULD_BLOCK) return AGAIN;
    const [count, ancdata, msgFlags, addr] = r as Msg;
    return [trim(call.buf as Buffer, count), ancdata, msgFlags, addr];
  },
  shutDown: () => [Buffer.alloc(0), [], 0, null],
});

/** socket.recvmsg_into(buffers, ancbufsize = 0, flags = 0): scatters; [nbytes, ancdata, msg_flags, address]. */
export const RecvmsgInto = operation<Msg>('recvmsg', READ, 1, 3, {
  check(call, buffers, ancbufsize, flags) {
    const bufs = checkBufferList(buffers, 'recvmsg_into', true);
    checkAncFlags(call, ancbufsize, flags);
    call.bufs = bufs;
    return undefined;
  },
  attempt(call, timeout) {
    const r = native.recvmsg(call.st[FD], call.bufs, call.m, call.flags, timeout);
    return r === WOULD_BLOCK ? AGAIN : (r as Msg);
  },
  shutDown: () => [0, [], 0, null],
});

/**
 * socket.sendmsg(buffers, ancdata = [], flags = 0, address = null): gathers `buffers` and
 * sends them with ancillary data (kept in `aux`). The async socket resolves a host name
 * before the call.
 */
export const Sendmsg = operation<number>('sendmsg', WRITE, 4, 4, {
  check(call, buffers, ancdata, flags, address) {
    const bufs = checkBufferList(buffers, 'sendmsg', false);
    const anc = checkAncdata(ancdata);
    call.flags = toFlags(flags);
    call.addr =
      address === undefined || address === null ? null : toSockAddr(call.st[FAMILY], address, 'sendmsg');
    call.bufs = bufs;
    call.aux = anc;
    return undefined;
  },
  attempt(call, timeout) {
    const st = call.st;
    const anc = call.aux as AncData[];
    const r = native.sendmsg(st[FD], call.bufs, anc, call.flags, st[FAMILY], call.addr, timeout);
    return r === WOULD_BLOCK ? AGAIN : r;
  },
});
