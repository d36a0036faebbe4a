// What every ring shares (the mapping, its views, close()) and the one-ring-per-socket registry.
import { markAsUntransferable } from 'node:worker_threads';
import { ebadf } from '../oserror';
import { BLOCK_STATUS, rb } from './binding';

/** The socket a ring is on: Socket or AsyncSocket. */
export interface SocketLike {
  fileno(): number;
  readonly family: number;
  readonly type: number;
  gettimeout(): number | null;
}

/** Sockets that have a ring (one ring per socket), keyed by the blocking Socket. @internal */
export const rings = new WeakMap<object, RingBase>();

/** What every ring shares: the mapping, its views, close() (public in the d.ts: the rings extend it). */
export abstract class RingBase {
  readonly block_size: number;
  readonly block_nr: number;
  readonly frame_size: number;
  readonly frame_nr: number;
  /**
   * The whole ring as bytes (no copy), for reading frames in place at FrameCursor.data_offset.
   * Empty once the ring is closed.
   */
  readonly bytes: Uint8Array;
  /** @internal */ _u32: Uint32Array;
  /** @internal */ _u16: Uint16Array;
  /** @internal */ protected _sock: SocketLike;
  #ab: ArrayBuffer;
  #key: object;
  #tx: boolean;
  #closed = false;

  /** @internal */
  constructor(
    sock: SocketLike,
    key: object,
    tx: boolean,
    g: { block_size: number; block_nr: number; frame_size: number; frame_nr: number },
    ab: ArrayBuffer,
  ) {
    this._sock = sock;
    this.#key = key;
    this.#tx = tx;
    this.block_size = g.block_size;
    this.block_nr = g.block_nr;
    this.frame_size = g.frame_size;
    this.frame_nr = g.frame_nr;
    // A transferred buffer would outlive the mapping in another thread.
    markAsUntransferable(ab);
    this.#ab = ab;
    this.bytes = new Uint8Array(ab);
    this._u32 = new Uint32Array(ab);
    this._u16 = new Uint16Array(ab);
    rings.set(key, this);
  }

  /** Bytes mapped (block_size * block_nr); 0 once closed. */
  get size(): number {
    return this.#ab.byteLength;
  }

  /** Whether close() ran (or the socket was closed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal */
  _buffer(): ArrayBuffer {
    return this.#ab;
  }

  /** @internal */
  _fd(syscall: string): number {
    if (this.#closed) throw ebadf(syscall);
    const fd = this._sock.fileno();
    if (fd < 0) throw ebadf(syscall);
    return fd;
  }

  /** @internal */
  _release(offset: number): void {
    if (!this.#closed) rb.ring_release(this.#ab, offset + BLOCK_STATUS);
  }

  /**
   * Unmaps the ring: every view into it (Frame.data, Block) reads as empty from now on,
   * and the socket goes back to ordinary receive/send (the kernel frees its ring).
   * Idempotent; closing the socket does it too.
   */
  close(): void {
    this._close(true);
  }

  /** @internal */
  _close(freeKernelRing: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (rings.get(this.#key) === this) rings.delete(this.#key);
    const fd = freeKernelRing ? this._sock.fileno() : -1;
    rb.ring_unmap(fd, this.#ab, this.#tx);
    this._onClose();
  }

  /** The pending async wait of this ring, aborted by close(). @internal */
  _closer: AbortController | null = null;

  /** Ends a pending async wait (it then rejects with EBADF). @internal */
  protected _onClose(): void {
    const c = this._closer;
    this._closer = null;
    c?.abort();
  }
}

/** Unmaps the ring of `sock` (called by Socket.close() and detach()). @internal */
export function closeRings(sock: object): void {
  rings.get(sock)?._close(false);
}
