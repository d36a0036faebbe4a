// The receive rings: RxRing (blocking, poll(2) in native) and AsyncRxRing (through the event loop).
import { RingBase } from './base';
import { BLOCK_STATUS, rb } from './binding';
import { Block } from './frames';
import { checkWaitOptions, timeoutOf, type RingWaitOptions } from './options';
import { TIMED_OUT, waitReady, type AsyncSocketLike } from './wait';

/** Shared receive logic of RxRing and AsyncRxRing. */
abstract class RxBase extends RingBase {
  #next = 0;
  #held: Block | null = null;

  /** Releases the block taken last, if the user did not. @internal */
  protected _releaseHeld(): void {
    const h = this.#held;
    if (h) {
      this.#held = null;
      h.release();
    }
  }

  /** Offset of the status word of the next block. @internal */
  protected _nextStatus(): number {
    return this.#next * this.block_size + BLOCK_STATUS;
  }

  /** The next block, which ring_wait said is the user's. @internal */
  protected _take(): Block {
    const b = new Block(this, this.#next);
    this.#next = this.#next + 1 === this.block_nr ? 0 : this.#next + 1;
    this.#held = b;
    return b;
  }

  /**
   * getsockopt(PACKET_STATISTICS) as { packets, drops, freeze_q_cnt }: counts since the
   * last call (the kernel resets them on every read); packets includes the drops.
   */
  stats(): { packets: number; drops: number; freeze_q_cnt: number } {
    const [packets, drops, freeze_q_cnt] = rb.ring_stats(this._fd('getsockopt'));
    return { packets, drops, freeze_q_cnt };
  }
}

/** A TPACKET_V3 receive ring on a blocking Socket (Socket.rx_ring()). */
export class RxRing extends RxBase implements Iterable<Block> {
  /**
   * Releases the block taken last and returns the next one the kernel hands over,
   * waiting with poll(2) up to `timeout` seconds (default: the socket's timeout; null =
   * no bound; 0 = don't wait). null when none came in time.
   */
  next_block(timeout?: number | null): Block | null {
    const t = timeoutOf(this._sock, timeout);
    this._releaseHeld();
    const fd = this._fd('poll');
    if (!rb.ring_wait(fd, this._buffer(), this._nextStatus(), false, t)) return null;
    return this._take();
  }

  /** Blocks until next_block() returns null (a timeout) or the ring is closed. */
  *[Symbol.iterator](): Generator<Block, void, undefined> {
    while (!this.closed) {
      const b = this.next_block();
      if (!b) return;
      yield b;
    }
  }
}

/** A TPACKET_V3 receive ring on an AsyncSocket (AsyncSocket.rx_ring()). */
export class AsyncRxRing extends RxBase implements AsyncIterable<Block> {
  /**
   * Like RxRing.next_block(), as a promise: waits through the event loop (never blocks
   * the thread). Resolves null on timeout; rejects with AbortError when `signal` aborts
   * and with OSError EBADF when the ring or socket is closed meanwhile.
   */
  async next_block(opts?: RingWaitOptions): Promise<Block | null> {
    const o = checkWaitOptions(opts, 'next_block');
    const t = timeoutOf(this._sock, o.timeout);
    const deadline = t < 0 ? Infinity : Date.now() + t * 1000;
    this._releaseHeld();
    const sock = this._sock as AsyncSocketLike;
    // An already-aborted signal rejects as every aio call does (AbortError).
    if (o.signal?.aborted) await sock.wait_readable({ signal: o.signal });
    for (;;) {
      const fd = this._fd('poll');
      if (rb.ring_wait(fd, this._buffer(), this._nextStatus(), false, 0)) return this._take();
      if (t === 0) return null;
      const r = await waitReady(this, (w) => sock.wait_readable(w), o.signal, deadline, 'poll');
      if (r === TIMED_OUT) return null;
    }
  }

  /** `for await (const block of ring)`: ends when next_block() resolves null or the ring is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Block, void, undefined> {
    while (!this.closed) {
      const b = await this.next_block();
      if (!b) return;
      yield b;
    }
  }
}
