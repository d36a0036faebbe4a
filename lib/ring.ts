/**
 * Beyond Python: PACKET_MMAP rings on AF_PACKET sockets (docs/raw.md, "Rings").
 *
 * `sock.rx_ring(options)` gives a TPACKET_V3 receive ring: the kernel writes frames into
 * blocks of memory shared with this process and hands over whole blocks, so a capture
 * loop makes one poll(2) per block instead of one recvfrom(2) per frame, and reads each
 * frame where the kernel wrote it (Frame.data is a view into the ring, not a copy).
 * `sock.tx_ring(options)` gives a transmit ring: send(frames) copies frames into free slots
 * and flushes them with one send(2).
 *
 * The ring's memory is an external ArrayBuffer that native code detaches before it unmaps
 * the memory (ring.close(), socket close, a worker ending): a view kept after that reads as
 * an empty Buffer, never as unmapped memory. Copy what you keep: Buffer.from(frame.data).
 */
import { markAsUntransferable } from 'node:worker_threads';
import { parseTimeout, typeName } from './args';
import { AF_PACKET, SOCK_DGRAM, SOCK_RAW } from './constants';
import { EBADF, EBUSY } from './errno';
import { OSError, TimeoutError, fromErrno, strerror, wouldBlock } from './oserror';
import { native, WOULD_BLOCK } from './native';

// ---- the binding's ring functions (native/ring.cc) ---------------------------------------

interface RingBinding {
  ring_map(
    fd: number,
    tx: boolean,
    version: number,
    block_size: number,
    block_nr: number,
    frame_size: number,
    frame_nr: number,
    retire_blk_tov: number,
    timestamp: number | null,
    fanout: number | null,
    qdisc_bypass: boolean,
  ): [ArrayBuffer, number];
  ring_unmap(fd: number, ring: ArrayBuffer, tx: boolean): number;
  ring_wait(fd: number, ring: ArrayBuffer, statusOffset: number, tx: boolean, timeout: number): number;
  ring_release(ring: ArrayBuffer, statusOffset: number): void;
  ring_address(ring: ArrayBuffer, offset: number): unknown;
  ring_send(
    fd: number,
    ring: ArrayBuffer,
    version: number,
    block_size: number,
    frame_size: number,
    frame_nr: number,
    index: number,
    frames: ArrayBufferView[],
    timeout: number,
  ): number;
  ring_stats(fd: number): [number, number, number];
  ring_constants: Record<string, number>;
}
const rb = native as unknown as RingBinding;
const K = rb.ring_constants;

/** TPACKET versions (the kernel's enum tpacket_versions: V1 = 0, V2 = 1, V3 = 2). */
export const TPACKET_V1: number = K.TPACKET_V1;
export const TPACKET_V2: number = K.TPACKET_V2;
export const TPACKET_V3: number = K.TPACKET_V3;
/** Frames start on multiples of TPACKET_ALIGNMENT (16) bytes. */
export const TPACKET_ALIGNMENT: number = K.TPACKET_ALIGNMENT;
/** The bytes of a frame that its header and sockaddr_ll take (68 for V3, 52 for V2). */
export const TPACKET3_HDRLEN: number = K.TPACKET3_HDRLEN;
export const TPACKET2_HDRLEN: number = K.TPACKET2_HDRLEN;
/** Frame.status / Block.status bits (receive ring). */
export const TP_STATUS_KERNEL: number = K.TP_STATUS_KERNEL;
export const TP_STATUS_USER: number = K.TP_STATUS_USER;
export const TP_STATUS_COPY: number = K.TP_STATUS_COPY;
export const TP_STATUS_LOSING: number = K.TP_STATUS_LOSING;
export const TP_STATUS_CSUMNOTREADY: number = K.TP_STATUS_CSUMNOTREADY;
export const TP_STATUS_VLAN_VALID: number = K.TP_STATUS_VLAN_VALID;
export const TP_STATUS_BLK_TMO: number = K.TP_STATUS_BLK_TMO;
export const TP_STATUS_VLAN_TPID_VALID: number = K.TP_STATUS_VLAN_TPID_VALID;
export const TP_STATUS_CSUM_VALID: number = K.TP_STATUS_CSUM_VALID;
/** Transmit ring slot states. */
export const TP_STATUS_AVAILABLE: number = K.TP_STATUS_AVAILABLE;
export const TP_STATUS_SEND_REQUEST: number = K.TP_STATUS_SEND_REQUEST;
export const TP_STATUS_SENDING: number = K.TP_STATUS_SENDING;
export const TP_STATUS_WRONG_FORMAT: number = K.TP_STATUS_WRONG_FORMAT;
/** Timestamp source bits in Frame.status. */
export const TP_STATUS_TS_SOFTWARE: number = K.TP_STATUS_TS_SOFTWARE;
export const TP_STATUS_TS_RAW_HARDWARE: number = K.TP_STATUS_TS_RAW_HARDWARE;

const PAGE_SIZE = K.PAGE_SIZE;
/** One ring maps at most this many bytes (the memory is pinned kernel memory). */
const MAX_RING_BYTES = 1 << 30;
/** Offsets inside struct tpacket_block_desc and struct tpacket3_hdr (linux/if_packet.h). */
const BLOCK_STATUS = 8;
const SLL_OFFSET = 48; // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
const FANOUT_FLAGS = 0x1000 | 0x2000 | 0x4000 | 0x8000; // ROLLOVER, UNIQUEID, IGNORE_OUTGOING, DEFRAG

// ---- options ---------------------------------------------------------------------------------

/** Options of rx_ring(). */
export interface RxRingOptions {
  /** Bytes per block: a multiple of the page size. The kernel hands over whole blocks. */
  block_size: number;
  /** Number of blocks; block_size * block_nr bytes are mapped (at most 1 GiB). */
  block_nr: number;
  /** A multiple of TPACKET_ALIGNMENT (16), at least TPACKET3_HDRLEN (68), at most block_size. */
  frame_size: number;
  /** Milliseconds after which the kernel hands over a block that is not full; 0 = its default. */
  retire_blk_tov?: number;
  /** PACKET_TIMESTAMP: SOF_TIMESTAMPING_* bits choosing hardware timestamps; omit for software ones. */
  timestamp?: number;
  /** Join a PACKET_FANOUT group (the socket must be bound, or created with a protocol). */
  fanout?: FanoutOptions;
}

/** A PACKET_FANOUT group: every socket with the same id (and the same binding) shares the traffic. */
export interface FanoutOptions {
  /** Group id, 0..65535. */
  id: number;
  /** PACKET_FANOUT_HASH (per flow), _LB, _CPU, _ROLLOVER, _RND, _QM. */
  mode: number;
  /** PACKET_FANOUT_FLAG_* bits (ROLLOVER, UNIQUEID, IGNORE_OUTGOING, DEFRAG). */
  flags?: number;
}

/** Options of tx_ring(). */
export interface TxRingOptions {
  /** Bytes per slot: a multiple of 16 holding the frame header (48 bytes for V3, 32 for V2) and the frame. */
  frame_size: number;
  /** Number of slots (at least; rounded up to fill whole pages). */
  frame_nr: number;
  /** PACKET_QDISC_BYPASS: hand frames straight to the driver, skipping the queueing discipline. */
  qdisc_bypass?: boolean;
  /** 3 (TPACKET_V3, the default where the kernel has it) or 2 (TPACKET_V2). */
  version?: 2 | 3;
}

/** Options of the async rings' waiting methods. */
export interface RingWaitOptions {
  /** Aborting rejects the call with an AbortError; the ring stays usable. */
  signal?: AbortSignal;
  /** Seconds to wait (null = no bound); defaults to the socket's timeout. */
  timeout?: number | null;
}

function checkObject(
  o: unknown,
  caller: string,
  allowed: readonly string[],
  what = 'options',
): Record<string, unknown> {
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new TypeError(`${caller}() ${what} must be an object, not ${typeName(o)}`);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k))
      throw new TypeError(`${caller}() ${what}: unknown option '${k}' (known: ${allowed.join(', ')})`);
  }
  return o as Record<string, unknown>;
}

function intOption(
  o: Record<string, unknown>,
  name: string,
  caller: string,
  min: number,
  max: number,
  def?: number,
): number {
  const v = o[name];
  if (v === undefined) {
    if (def === undefined) throw new TypeError(`${caller}() needs the option '${name}'`);
    return def;
  }
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`${caller}() ${name} must be an integer, not ${typeName(v)}`);
  if (v < min || v > max) throw new RangeError(`${caller}() ${name} must be ${min} to ${max}, not ${v}`);
  return v;
}

interface SocketLike {
  fileno(): number;
  readonly family: number;
  readonly type: number;
  gettimeout(): number | null;
}

/** Sockets that have a ring (one ring per socket), keyed by the blocking Socket. */
const rings = new WeakMap<object, RingBase>();

function checkSocket(sock: SocketLike, key: object, caller: string, types: number[]): number {
  if (sock.family !== AF_PACKET || !types.includes(sock.type)) {
    const kinds = types.map((t) => (t === SOCK_RAW ? 'SOCK_RAW' : 'SOCK_DGRAM')).join(' or ');
    throw new TypeError(
      `${caller}() needs an AF_PACKET ${kinds} socket, not family ${sock.family} type ${sock.type}`,
    );
  }
  const fd = sock.fileno();
  if (fd < 0) throw fromErrno(EBADF, caller);
  const have = rings.get(key);
  if (have && !have.closed) {
    const err = new OSError(
      EBUSY,
      `${strerror(EBUSY)}: the socket already has a ${have instanceof TxRing || have instanceof AsyncTxRing ? 'transmit' : 'receive'} ring ` +
        '(one ring per socket: close it first, or open another socket)',
    );
    err.syscall = 'setsockopt';
    throw err;
  }
  return fd;
}

interface RxGeometry {
  block_size: number;
  block_nr: number;
  frame_size: number;
  frame_nr: number;
  retire_blk_tov: number;
  timestamp: number | null;
  fanout: number | null;
}

function rxGeometry(options: unknown): RxGeometry {
  const c = 'rx_ring';
  const o = checkObject(options, c, [
    'block_size',
    'block_nr',
    'frame_size',
    'retire_blk_tov',
    'timestamp',
    'fanout',
  ]);
  const block_size = intOption(o, 'block_size', c, 1, MAX_RING_BYTES);
  if (block_size % PAGE_SIZE !== 0)
    throw new RangeError(`${c}() block_size ${block_size} is not a multiple of the page size (${PAGE_SIZE})`);
  const block_nr = intOption(o, 'block_nr', c, 1, 0xffffffff);
  const frame_size = intOption(o, 'frame_size', c, 1, 0xffffffff);
  if (frame_size % TPACKET_ALIGNMENT !== 0)
    throw new RangeError(
      `${c}() frame_size ${frame_size} is not a multiple of TPACKET_ALIGNMENT (${TPACKET_ALIGNMENT})`,
    );
  if (frame_size < TPACKET3_HDRLEN)
    throw new RangeError(
      `${c}() frame_size ${frame_size} is smaller than the TPACKET_V3 frame header (TPACKET3_HDRLEN, ${TPACKET3_HDRLEN} bytes)`,
    );
  if (frame_size > block_size)
    throw new RangeError(`${c}() frame_size ${frame_size} is larger than block_size ${block_size}`);
  if (block_size * block_nr > MAX_RING_BYTES)
    throw new RangeError(
      `${c}() block_size * block_nr is ${block_size * block_nr} bytes; one ring maps at most ${MAX_RING_BYTES} (1 GiB)`,
    );
  const retire_blk_tov = intOption(o, 'retire_blk_tov', c, 0, 0xffffffff, 0);
  const timestamp = o.timestamp === undefined ? null : intOption(o, 'timestamp', c, 0, 0xffffffff);
  let fanout: number | null = null;
  if (o.fanout !== undefined) {
    const raw = checkObject(o.fanout, c, ['id', 'mode', 'flags'], 'fanout');
    const f = { 'fanout.id': raw.id, 'fanout.mode': raw.mode, 'fanout.flags': raw.flags };
    const id = intOption(f, 'fanout.id', c, 0, 0xffff);
    const mode = intOption(f, 'fanout.mode', c, 0, 0xff);
    const flags = intOption(f, 'fanout.flags', c, 0, 0xffff, 0);
    if (flags & ~FANOUT_FLAGS)
      throw new RangeError(`${c}() fanout flags 0x${flags.toString(16)} has unknown bits`);
    fanout = (id | ((mode | flags) << 16)) >>> 0;
  }
  return {
    block_size,
    block_nr,
    frame_size,
    frame_nr: Math.floor(block_size / frame_size) * block_nr,
    retire_blk_tov,
    timestamp,
    fanout,
  };
}

function txGeometry(options: unknown): {
  block_size: number;
  block_nr: number;
  frame_size: number;
  frame_nr: number;
  version: number;
  qdisc_bypass: boolean;
} {
  const c = 'tx_ring';
  const o = checkObject(options, c, ['frame_size', 'frame_nr', 'qdisc_bypass', 'version']);
  const frame_size = intOption(o, 'frame_size', c, 1, MAX_RING_BYTES);
  const frame_nr = intOption(o, 'frame_nr', c, 1, 0xffffffff);
  let version = -1;
  if (o.version !== undefined) {
    if (o.version !== 2 && o.version !== 3)
      throw new RangeError(`${c}() version must be 2 or 3, not ${String(o.version)}`);
    version = o.version === 2 ? TPACKET_V2 : TPACKET_V3;
  }
  if (frame_size % TPACKET_ALIGNMENT !== 0)
    throw new RangeError(
      `${c}() frame_size ${frame_size} is not a multiple of TPACKET_ALIGNMENT (${TPACKET_ALIGNMENT})`,
    );
  const hdr = version === TPACKET_V2 ? TPACKET2_HDRLEN : TPACKET3_HDRLEN;
  if (frame_size <= hdr)
    throw new RangeError(`${c}() frame_size ${frame_size} leaves no room after the ${hdr}-byte frame header`);
  if (o.qdisc_bypass !== undefined && typeof o.qdisc_bypass !== 'boolean')
    throw new TypeError(`${c}() qdisc_bypass must be a boolean, not ${typeName(o.qdisc_bypass)}`);
  // Whole pages per block, as few frames per block as fit a page multiple.
  const block_size = Math.ceil(frame_size / PAGE_SIZE) * PAGE_SIZE;
  const perBlock = Math.floor(block_size / frame_size);
  const block_nr = Math.ceil(frame_nr / perBlock);
  if (block_size * block_nr > MAX_RING_BYTES)
    throw new RangeError(
      `${c}() frame_size * frame_nr needs ${block_size * block_nr} bytes; one ring maps at most ${MAX_RING_BYTES} (1 GiB)`,
    );
  return {
    block_size,
    block_nr,
    frame_size,
    frame_nr: perBlock * block_nr,
    version,
    qdisc_bypass: o.qdisc_bypass === true,
  };
}

function timeoutOf(sock: SocketLike, t: unknown): number {
  return t === undefined ? parseTimeout(sock.gettimeout()) : parseTimeout(t);
}

// ---- frames and blocks ---------------------------------------------------------------------

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

class FrameIterator implements IterableIterator<Frame> {
  #ring: RingBase;
  #u32: Uint32Array;
  #u16: Uint16Array;
  #off: number;
  #left: number;
  #end: number;
  constructor(ring: RingBase, first: number, count: number, end: number) {
    this.#ring = ring;
    this.#u32 = ring._u32;
    this.#u16 = ring._u16;
    this.#off = first;
    this.#left = count;
    this.#end = end;
  }
  next(): IteratorResult<Frame> {
    const off = this.#off;
    if (this.#left <= 0 || off + 48 > this.#end || this.#u32.length === 0)
      return { done: true, value: undefined };
    this.#left--;
    const f = new Frame(this.#ring, this.#u32, this.#u16, off);
    const next = this.#u32[off >>> 2];
    this.#off = next === 0 ? this.#end : off + next;
    return { done: false, value: f };
  }
  [Symbol.iterator](): IterableIterator<Frame> {
    return this;
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

  /** The current frame's 5-item AF_PACKET address (see Frame.address). */
  get address(): unknown {
    if (this.#hdr < 0) return null;
    return rb.ring_address(this.#ring._buffer(), this.#hdr + SLL_OFFSET);
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

// ---- rings -----------------------------------------------------------------------------------

/** What every ring shares: the mapping, its views, close(). @internal */
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
    if (this.#closed) throw fromErrno(EBADF, syscall);
    const fd = this._sock.fileno();
    if (fd < 0) throw fromErrno(EBADF, syscall);
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

interface AsyncSocketLike extends SocketLike {
  wait_readable(opts?: { signal?: AbortSignal }): Promise<void>;
  wait_writable(opts?: { signal?: AbortSignal }): Promise<void>;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Waits for `wait` (the socket's readiness) bounded by `deadline` (ms, Infinity = none),
 * the user's signal and the ring's close(). Resolves TIMED_OUT when the deadline passes.
 */
async function waitReady(
  ring: { _closer: AbortController | null },
  wait: (o: { signal: AbortSignal }) => Promise<void>,
  signal: AbortSignal | undefined,
  deadline: number,
  syscall: string,
): Promise<void | typeof TIMED_OUT> {
  const ac = new AbortController();
  ring._closer = ac;
  const left = deadline - Date.now();
  if (left <= 0) return TIMED_OUT;
  let timedOut = false;
  const timer =
    deadline === Infinity
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          ac.abort();
        }, left);
  const onAbort = () => ac.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await wait({ signal: ac.signal });
  } catch (e) {
    if (timedOut) return TIMED_OUT;
    if (ring._closer === null) throw fromErrno(EBADF, syscall); // close() during the wait
    if (e instanceof TimeoutError) return Date.now() >= deadline ? TIMED_OUT : undefined;
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (ring._closer === ac) ring._closer = null;
  }
}

function checkWaitOptions(opts: unknown, caller: string): RingWaitOptions {
  if (opts === undefined) return {};
  const o = checkObject(opts, caller, ['signal', 'timeout']) as RingWaitOptions;
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw new TypeError(`${caller}() signal must be an AbortSignal, not ${typeName(o.signal)}`);
  return o;
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

// ---- construction (Socket/AsyncSocket rx_ring() and tx_ring()) ---------------------------

/**
 * Checks the options against the kernel's rules, then the socket, then sets PACKET_VERSION,
 * PACKET_RX_RING (PACKET_TIMESTAMP, PACKET_FANOUT) and maps the ring. `key` is the blocking
 * Socket, whose close() unmaps the ring. @internal
 */
export function rxRing(sock: SocketLike, key: object, options: unknown, async: true): AsyncRxRing;
export function rxRing(sock: SocketLike, key: object, options: unknown, async: false): RxRing;
export function rxRing(
  sock: SocketLike,
  key: object,
  options: unknown,
  async: boolean,
): RxRing | AsyncRxRing {
  const g = rxGeometry(options);
  const fd = checkSocket(sock, key, 'rx_ring', [SOCK_RAW, SOCK_DGRAM]);
  const [ab] = rb.ring_map(
    fd,
    false,
    TPACKET_V3,
    g.block_size,
    g.block_nr,
    g.frame_size,
    g.frame_nr,
    g.retire_blk_tov,
    g.timestamp,
    g.fanout,
    false,
  );
  return async ? new AsyncRxRing(sock, key, false, g, ab) : new RxRing(sock, key, false, g, ab);
}

/** Like rxRing, for PACKET_TX_RING on a SOCK_RAW packet socket. @internal */
export function txRing(sock: SocketLike, key: object, options: unknown, async: true): AsyncTxRing;
export function txRing(sock: SocketLike, key: object, options: unknown, async: false): TxRing;
export function txRing(
  sock: SocketLike,
  key: object,
  options: unknown,
  async: boolean,
): TxRing | AsyncTxRing {
  const g = txGeometry(options);
  const fd = checkSocket(sock, key, 'tx_ring', [SOCK_RAW]);
  const [ab, kver] = rb.ring_map(
    fd,
    true,
    g.version,
    g.block_size,
    g.block_nr,
    g.frame_size,
    g.frame_nr,
    0,
    null,
    null,
    g.qdisc_bypass,
  );
  return async ? new AsyncTxRing(sock, key, g, ab, kver) : new TxRing(sock, key, g, ab, kver);
}
