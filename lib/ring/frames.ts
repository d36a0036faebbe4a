// Blocks and their frames, read in place: Block, Frame (an object per frame) and FrameCursor (none).
import { rb, SLL_OFFSET, TP_STATUS_VLAN_TPID_VALID, TP_STATUS_VLAN_VALID } from './binding';
import type { RingBase } from './base';

/** One frame of a receive block: the tpacket3_hdr fields and the bytes, in place. */
export class Frame {
  /** Bytes captured (data.length). */
  readonly snaplen: number;
  /** Length of the frame on the wire (> snaplen when a filter or the slot cut it). */
  readonly len: number;
  /** Kernel timestamp: seconds and nanoseconds since the epoch. */
  readonly sec: number;
  readonly nsec: number;
  /** TP_STATUS_* bits: TP_STATUS_VLAN_VALID, TP_STATUS_LOSING, TP_STATUS_CSUM_VALID, TP_STATUS_TS_*. */
  readonly status: number;
  /** The 802.1Q tag the device removed (TCI: priority, DEI, VLAN id), when TP_STATUS_VLAN_VALID. */
  readonly vlan_tci: number | undefined;
  /** Its TPID (0x8100, 0x88a8), when TP_STATUS_VLAN_TPID_VALID. */
  readonly vlan_tpid: number | undefined;
  /** Offset of the frame header in the ring. @internal */
  readonly _offset: number;
  #ring: RingBase;
  #start: number;
  #data: Buffer | undefined;
  #address: unknown;

  /** @internal */
  constructor(ring: RingBase, u32: Uint32Array, u16: Uint16Array, off: number) {
    const i = off >>> 2;
    this.sec = u32[i + 1];
    this.nsec = u32[i + 2];
    this.snaplen = u32[i + 3];
    this.len = u32[i + 4];
    const status = u32[i + 5];
    this.status = status;
    this.#start = off + u16[(off + 24) >>> 1];
    this.vlan_tci = status & TP_STATUS_VLAN_VALID ? u32[i + 8] & 0xffff : undefined;
    this.vlan_tpid = status & TP_STATUS_VLAN_TPID_VALID ? u16[(off + 36) >>> 1] : undefined;
    this._offset = off;
    this.#ring = ring;
  }

  /**
   * The frame's bytes (from the link-layer header on SOCK_RAW): a view into the ring, not
   * a copy. Valid until its block is released (then the kernel reuses the memory); empty
   * once the ring is closed. Buffer.from(frame.data) keeps a copy.
   */
  get data(): Buffer {
    if (this.#data === undefined) {
      const ab = this.#ring._buffer();
      this.#data = ab.byteLength === 0 ? Buffer.alloc(0) : Buffer.from(ab, this.#start, this.snaplen);
    }
    return this.#data;
  }

  /** The 5-item AF_PACKET address recvfrom() gives: [ifname, proto, pkttype, hatype, addr]. */
  get address(): unknown {
    if (this.#address === undefined)
      this.#address = rb.ring_address(this.#ring._buffer(), this._offset + SLL_OFFSET);
    return this.#address;
  }
}

/**
 * One frame at a time of a block, in one reused object: next() moves to the next frame and
 * fills the same fields as a Frame, without allocating. Read the bytes in place through
 * ring.bytes at data_offset (data_offset + snaplen is the end), or take `data` (a view, one
 * allocation). For capture loops at full line rate; Frame objects are the convenient form.
 */
export class FrameCursor {
  snaplen = 0;
  len = 0;
  sec = 0;
  nsec = 0;
  status = 0;
  /** Offset of the frame's first byte in ring.bytes. */
  data_offset = 0;
  #ring: RingBase;
  #u32: Uint32Array;
  #u16: Uint16Array;
  #next: number;
  #left: number;
  #end: number;
  #hdr = -1;

  /** @internal */
  constructor(ring: RingBase, first: number, count: number, end: number) {
    this.#ring = ring;
    this.#u32 = ring._u32;
    this.#u16 = ring._u16;
    this.#next = first;
    this.#left = count;
    this.#end = end;
  }

  /** Moves to the next frame; false at the end of the block (or once the ring is closed). */
  next(): boolean {
    const off = this.#next;
    const u32 = this.#u32;
    if (this.#left <= 0 || off + 48 > this.#end || u32.length === 0) {
      this.#left = 0;
      return false;
    }
    this.#left--;
    const i = off >>> 2;
    this.sec = u32[i + 1];
    this.nsec = u32[i + 2];
    this.snaplen = u32[i + 3];
    this.len = u32[i + 4];
    this.status = u32[i + 5];
    this.data_offset = off + this.#u16[(off + 24) >>> 1];
    this.#hdr = off;
    const step = u32[i];
    this.#next = step === 0 ? this.#end : off + step;
    return true;
  }

  /** The current frame's 802.1Q TCI, when TP_STATUS_VLAN_VALID (see Frame.vlan_tci). */
  get vlan_tci(): number | undefined {
    const h = this.#hdr;
    return h >= 0 && this.status & TP_STATUS_VLAN_VALID ? this.#u32[(h >>> 2) + 8] & 0xffff : undefined;
  }

  /** Its TPID, when TP_STATUS_VLAN_TPID_VALID. */
  get vlan_tpid(): number | undefined {
    const h = this.#hdr;
    return h >= 0 && this.status & TP_STATUS_VLAN_TPID_VALID ? this.#u16[(h + 36) >>> 1] : undefined;
  }

  /** The current frame's bytes as a Buffer view into the ring (see Frame.data). */
  get data(): Buffer {
    const ab = this.#ring._buffer();
    return ab.byteLength === 0 || this.#hdr < 0
      ? Buffer.alloc(0)
      : Buffer.from(ab, this.data_offset, this.snaplen);
  }

  /** Offset of the current frame's header in the ring (-1 before the first next()). @internal */
  get _header(): number {
    return this.#hdr;
  }

  /** The current frame's 5-item AF_PACKET address (see Frame.address). */
  get address(): unknown {
    if (this.#hdr < 0) return null;
    return rb.ring_address(this.#ring._buffer(), this.#hdr + SLL_OFFSET);
  }
}

/** Block iteration: a FrameCursor's walk, with a Frame object per frame. */
class FrameIterator implements IterableIterator<Frame> {
  #ring: RingBase;
  #cursor: FrameCursor;
  constructor(ring: RingBase, first: number, count: number, end: number) {
    this.#ring = ring;
    this.#cursor = new FrameCursor(ring, first, count, end);
  }
  next(): IteratorResult<Frame> {
    const c = this.#cursor;
    if (!c.next()) return { done: true, value: undefined };
    const ring = this.#ring;
    return { done: false, value: new Frame(ring, ring._u32, ring._u16, c._header) };
  }
  [Symbol.iterator](): IterableIterator<Frame> {
    return this;
  }
}

/** A block the kernel handed over: iterate it for its frames, then release() it (next_block() does). */
export class Block {
  /** Index of the block in the ring. */
  readonly index: number;
  /** Number of frames in the block. */
  readonly num_pkts: number;
  /** The kernel's block sequence number (consecutive blocks differ by 1). */
  readonly seq_num: number;
  /** TP_STATUS_* bits of the block: TP_STATUS_USER, TP_STATUS_BLK_TMO (handed over by timeout), TP_STATUS_LOSING. */
  readonly status: number;
  /** Bytes of the block in use. */
  readonly blk_len: number;
  #ring: RingBase;
  #first: number;
  #offset: number;
  #released = false;

  /** @internal */
  constructor(ring: RingBase, index: number) {
    const u32 = ring._u32;
    const off = index * ring.block_size;
    const i = off >>> 2;
    this.index = index;
    this.status = u32[i + 2];
    this.num_pkts = u32[i + 3];
    this.#first = off + u32[i + 4];
    this.blk_len = u32[i + 5];
    this.seq_num = u32[i + 6] + u32[i + 7] * 0x100000000;
    this.#ring = ring;
    this.#offset = off;
  }

  /** Whether the block went back to the kernel. */
  get released(): boolean {
    return this.#released;
  }

  /** Iterates the frames (an empty iteration once the block is released or the ring closed). */
  [Symbol.iterator](): IterableIterator<Frame> {
    const n = this.#released ? 0 : this.num_pkts;
    return new FrameIterator(this.#ring, this.#first, n, this.#offset + this.#ring.block_size);
  }

  /** A FrameCursor over the frames: the same frames as iterating, without an object per frame. */
  cursor(): FrameCursor {
    const n = this.#released ? 0 : this.num_pkts;
    return new FrameCursor(this.#ring, this.#first, n, this.#offset + this.#ring.block_size);
  }

  /** Hands the block back to the kernel. Views into it then see new frames as they arrive. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#ring._release(this.#offset);
  }
}
