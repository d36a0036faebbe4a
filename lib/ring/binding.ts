// The ring functions of the binding (native/ring.cc), the kernel's TPACKET constants and ring offsets.
import { native } from '../native';

/** @internal */
export interface RingBinding {
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
/** @internal */
export const rb = native as unknown as RingBinding;
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

/** The page size: blocks are whole pages. */
export const PAGE_SIZE = K.PAGE_SIZE;
/** One ring maps at most this many bytes (the memory is pinned kernel memory). */
export const MAX_RING_BYTES = 1 << 30;
/** Offsets inside struct tpacket_block_desc and struct tpacket3_hdr (linux/if_packet.h). */
export const BLOCK_STATUS = 8;
export const SLL_OFFSET = 48; // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
export const FANOUT_FLAGS = 0x1000 | 0x2000 | 0x4000 | 0x8000; // ROLLOVER, UNIQUEID, IGNORE_OUTGOING, DEFRAG
