// The send operations: send, sendall, sendto (send(2)/sendto(2), MSG_NOSIGNAL added by native).
import { asBuffer, sizeOf, toBytes, toFlags, toInt } from '../args';
import { toSockAddr } from '../address';
import { AGAIN, WRITE } from '../aio/readiness';
import { AbortError } from '../aio/runner';
import { native, WOULD_BLOCK } from '../native';
import { OSError } from '../oserror';
import { operation, type Call } from './call';
import { FAMILY, FD } from '../state';

/** Bytes one async sendall attempt writes before yielding to the loop. */
const SENDALL_SLICE = 4 * 1024 * 1024;

/** Records on an OSError or AbortError how many bytes went out before it. */
export function withBytesSent(error: unknown, sent: number): unknown {
  if (error instanceof OSError || error instanceof AbortError) (error as OSError).bytes_sent = sent;
  return error;
}

/** send's and sendall's (data, flags = 0). */
function checkData<R>(call: Call<R>, data: unknown, flags: unknown): undefined {
  call.buf = toBytes(data);
  call.flags = toFlags(flags);
  return undefined;
}

/** socket.send(data, flags = 0): the bytes sent, possibly fewer than given. */
export const Send = operation<number>('send', WRITE, 1, 2, {
  check: checkData,
  attempt(call, timeout) {
    const r = native.send(call.st[FD], call.buf, call.flags, timeout);
    return r === WOULD_BLOCK ? AGAIN : r;
  },
});

/**
 * socket.sendall(data, flags = 0): sends everything. Blocking: native's send loop under one
 * deadline, one crossing. Async: send(2) until it would block, at most SENDALL_SLICE per
 * attempt (then the loop runs; the watcher calls back). On failure `bytes_sent` says what
 * went out.
 */
export const Sendall = operation<undefined>('send', WRITE, 1, 2, {
  check: checkData,
  attempt(call, timeout) {
    native.sendall(call.st[FD], call.buf, call.flags, timeout);
    return undefined;
  },
  retry(call) {
    const d = call.buf;
    const len = sizeOf(d);
    const stop = call.progress + SENDALL_SLICE;
    while (call.progress < len) {
      const off = call.progress;
      const r = native.send(call.st[FD], off === 0 ? d : asBuffer(d).subarray(off), call.flags, 0);
      if (r === WOULD_BLOCK) return AGAIN;
      call.progress += r;
      if (call.progress >= stop && call.progress < len) return AGAIN;
    }
    return undefined;
  },
  fail: (call, error) => withBytesSent(error, call.progress),
});

/**
 * socket.sendto(data, address) and sendto(data, flags, address); `count` is how many of
 * those the caller gave. The async socket resolves a host name before the call.
 */
export const Sendto = operation<number>('sendto', WRITE, 4, 4, {
  check(call, data, flags, address, count) {
    if (count !== 2 && count !== 3) throw new TypeError(`sendto() takes 2 or 3 arguments (${count} given)`);
    const d = toBytes(data);
    call.flags = count === 3 ? toInt(flags, 'flags') : 0;
    call.addr = toSockAddr(call.st[FAMILY], count === 3 ? address : flags, 'sendto');
    call.buf = d;
    return undefined;
  },
  attempt(call, timeout) {
    const st = call.st;
    const r = native.sendto(st[FD], call.buf, call.flags, st[FAMILY], call.addr, timeout);
    return r === WOULD_BLOCK ? AGAIN : r;
  },
});
