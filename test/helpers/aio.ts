// Async (bsdsock/aio) socket factories and bounded stream helpers; sockets are tracked (tracker.ts).
import * as socket from '../../lib/index';
import { track } from './tracker';
import { isPending, within } from './timing';

export const aio = socket.aio;
export type ASock = socket.aio.AsyncSocket;

/** A listening TCP AsyncSocket on 127.0.0.1 (port 0) and its address. */
export async function tcpListener(backlog?: number): Promise<[ASock, [string, number]]> {
  const l = track(aio.socket(aio.AF_INET, aio.SOCK_STREAM));
  await l.bind(['127.0.0.1', 0]);
  l.listen(backlog);
  return [l, l.getsockname() as [string, number]];
}

/** A connected TCP pair over loopback: [client, server-side]. */
export async function tcpPair(): Promise<[ASock, ASock]> {
  const [l, addr] = await tcpListener();
  const c = track(aio.socket(aio.AF_INET, aio.SOCK_STREAM));
  const [[srv]] = await Promise.all([l.accept(), c.connect(addr)]);
  track(srv);
  l.close();
  return [c, srv];
}

/**
 * A connect() that stays pending on loopback: a listener with backlog 0 whose accept
 * queue is filled by never-accepted connections, so the kernel drops further SYNs.
 * Returns the listener's address (fillers and listener are tracked). Bounded.
 */
export async function stuckConnectTarget(): Promise<[string, number]> {
  const [, addr] = await tcpListener(0);
  for (let i = 0; i < 16; i++) {
    const c = track(aio.socket(aio.AF_INET, aio.SOCK_STREAM));
    const p = c.connect(addr);
    p.catch(() => {});
    if (await isPending(p, 150)) {
      c.close();
      return addr;
    }
  }
  throw new Error('could not fill the accept queue of a backlog-0 listener');
}

/**
 * Fills the send buffer of a connected stream AsyncSocket with non-blocking sends
 * (bounded), then restores its timeout. Returns the bytes queued.
 */
export async function fillSendBuffer(s: ASock, maxRounds = 100_000): Promise<number> {
  const prev = s.gettimeout();
  const chunk = Buffer.alloc(65536, 0x78);
  let total = 0;
  s.setblocking(false);
  try {
    for (let i = 0; i < maxRounds; i++) {
      try {
        total += await s.send(chunk);
      } catch (e) {
        if (e instanceof socket.BlockingIOError) return total;
        throw e;
      }
    }
    throw new Error(`send buffer not full after ${maxRounds} sends`);
  } finally {
    s.settimeout(prev);
  }
}

/** Reads from `s` until `n` bytes arrived (or EOF); bounded by `ms`. */
export async function recvExactly(s: ASock, n: number, ms = 10_000): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  const deadline = Date.now() + ms;
  while (got < n) {
    if (Date.now() > deadline) throw new Error(`recvExactly: only ${got} of ${n} bytes within ${ms} ms`);
    const d = await within(s.recv(Math.min(65536, n - got)), Math.max(1, deadline - Date.now()), 'recv');
    if (d.length === 0) break;
    parts.push(d);
    got += d.length;
  }
  return Buffer.concat(parts);
}

/** Reads until EOF; bounded by `ms`. */
export async function recvAll(s: ASock, ms = 10_000): Promise<Buffer> {
  const parts: Buffer[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`recvAll: no EOF within ${ms} ms`);
    const d = await within(s.recv(65536), Math.max(1, deadline - Date.now()), 'recv');
    if (d.length === 0) return Buffer.concat(parts);
    parts.push(d);
  }
}

/** Deterministic test data: byte i is a function of i (so order errors show). */
export function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >>> 8) * 7 + seed) & 0xff;
  return b;
}
