// rx_ring()/tx_ring() option checks and the ring geometry they give, per the kernel's rules.
import { parseTimeout, typeName } from '../args';
import {
  FANOUT_FLAGS,
  MAX_RING_BYTES,
  PAGE_SIZE,
  TPACKET2_HDRLEN,
  TPACKET3_HDRLEN,
  TPACKET_ALIGNMENT,
  TPACKET_V2,
  TPACKET_V3,
} from './binding';
import type { SocketLike } from './base';

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

/** A ring as ring_map() takes it: the geometry and the socket options that go with it. */
export interface RingGeometry {
  /** TPACKET_V3 or TPACKET_V2; -1 = V3 where the kernel has it, else V2 (transmit). */
  version: number;
  block_size: number;
  block_nr: number;
  frame_size: number;
  frame_nr: number;
  retire_blk_tov: number;
  timestamp: number | null;
  fanout: number | null;
  qdisc_bypass: boolean;
}

export function rxGeometry(options: unknown): RingGeometry {
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
    version: TPACKET_V3,
    block_size,
    block_nr,
    frame_size,
    frame_nr: Math.floor(block_size / frame_size) * block_nr,
    retire_blk_tov,
    timestamp,
    fanout,
    qdisc_bypass: false,
  };
}

export function txGeometry(options: unknown): RingGeometry {
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
    version,
    block_size,
    block_nr,
    frame_size,
    frame_nr: perBlock * block_nr,
    retire_blk_tov: 0,
    timestamp: null,
    fanout: null,
    qdisc_bypass: o.qdisc_bypass === true,
  };
}

export function timeoutOf(sock: SocketLike, t: unknown): number {
  return t === undefined ? parseTimeout(sock.gettimeout()) : parseTimeout(t);
}

export function checkWaitOptions(opts: unknown, caller: string): RingWaitOptions {
  if (opts === undefined) return {};
  const o = checkObject(opts, caller, ['signal', 'timeout']) as RingWaitOptions;
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw new TypeError(`${caller}() signal must be an AbortSignal, not ${typeName(o.signal)}`);
  return o;
}
