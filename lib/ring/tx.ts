// The transmit rings: TxRing (blocking) and AsyncTxRing (waits for free slots through the event loop).
import { parseTimeout, typeName } from '../args';
import { WOULD_BLOCK } from '../native';
import { OSError, wouldBlock } from '../oserror';
import { RingBase, type SocketLike } from './base';
import { rb, TPACKET_V2 } from './binding';
import { checkWaitOptions, timeoutOf, type RingWaitOptions } from './options';
import { TIMED_OUT, waitReady, type AsyncSocketLike } from './wait';

/** Shared transmit logic. */
abstract class TxBase extends RingBase {
  /** 3 (TPACKET_V3) or 2 (TPACKET_V2): the frame header layout the kernel took. */
  readonly version: 2 | 3;
  #index = 0;
  #kver: number;

  /** @internal */
  constructor(
    sock: SocketLike,
    key: object,
    g: { block_size: number; block_nr: number; frame_size: number; frame_nr: number },
    ab: ArrayBuffer,
    kver: number,
  ) {
    super(sock, key, true, g, ab);
    this.#kver = kver;
    this.version = kver === TPACKET_V2 ? 2 : 3;
  }

  /** @internal */
  protected _send(frames: unknown, timeout: number): number {
    if (!Array.isArray(frames))
      throw new TypeError(`send() frames must be an array, not ${typeName(frames)}`);
    const fd = this._fd('send');
    if (frames.length === 0) return 0;
    let n: number;
    try {
      n = rb.ring_send(
        fd,
        this._buffer(),
        this.#kver,
        this.block_size,
        this.frame_size,
        this.frame_nr,
        this.#index,
        frames as ArrayBufferView[],
        timeout,
      );
    } catch (e) {
      // The flush failed: the frames stay queued and go out with the next send().
      if (e instanceof OSError && typeof e.bytes_sent === 'number') this.#advance(e.bytes_sent);
      throw e;
    }
    if (n > 0) this.#advance(n);
    return n;
  }

  #advance(n: number): void {
    this.#index = (this.#index + n) % this.frame_nr;
  }
}

/** A transmit ring on a blocking Socket (Socket.tx_ring()). */
export class TxRing extends TxBase {
  /**
   * Copies frames (whole link-layer frames, as send() on the SOCK_RAW socket takes them)
   * into free slots and flushes them with one send(2). Returns how many the kernel took:
   * all of them, or fewer when the ring filled up (send the rest again). Waits for a free
   * slot per the socket's timeout (TimeoutError; BlockingIOError in non-blocking mode).
   */
  send(frames: ArrayBufferView[]): number {
    const n = this._send(frames, parseTimeout(this._sock.gettimeout()));
    if (n === WOULD_BLOCK) throw wouldBlock('send');
    return n;
  }
}

/** A transmit ring on an AsyncSocket (AsyncSocket.tx_ring()). */
export class AsyncTxRing extends TxBase {
  /** Like TxRing.send(), as a promise that waits (through the event loop) for free slots. Resolves 0 on timeout. */
  async send(frames: ArrayBufferView[], opts?: RingWaitOptions): Promise<number> {
    const o = checkWaitOptions(opts, 'send');
    const t = timeoutOf(this._sock, o.timeout);
    const deadline = t < 0 ? Infinity : Date.now() + t * 1000;
    const sock = this._sock as AsyncSocketLike;
    if (o.signal?.aborted) await sock.wait_writable({ signal: o.signal });
    for (;;) {
      const n = this._send(frames, 0);
      if (n !== WOULD_BLOCK) return n;
      if (t === 0) throw wouldBlock('send');
      const r = await waitReady(this, (w) => sock.wait_writable(w), o.signal, deadline, 'send');
      if (r === TIMED_OUT) return 0;
    }
  }
}
