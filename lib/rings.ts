// The public names of the PACKET_MMAP rings (lib/ring/), re-exported by bsdsock and bsdsock/aio.
export {
  TPACKET_V1,
  TPACKET_V2,
  TPACKET_V3,
  TPACKET_ALIGNMENT,
  TPACKET2_HDRLEN,
  TPACKET3_HDRLEN,
  TP_STATUS_KERNEL,
  TP_STATUS_USER,
  TP_STATUS_COPY,
  TP_STATUS_LOSING,
  TP_STATUS_CSUMNOTREADY,
  TP_STATUS_VLAN_VALID,
  TP_STATUS_BLK_TMO,
  TP_STATUS_VLAN_TPID_VALID,
  TP_STATUS_CSUM_VALID,
  TP_STATUS_AVAILABLE,
  TP_STATUS_SEND_REQUEST,
  TP_STATUS_SENDING,
  TP_STATUS_WRONG_FORMAT,
  TP_STATUS_TS_SOFTWARE,
  TP_STATUS_TS_RAW_HARDWARE,
} from './ring/binding';
export { Block, Frame, FrameCursor } from './ring/frames';
export { RxRing, AsyncRxRing } from './ring/rx';
export { TxRing, AsyncTxRing } from './ring/tx';
export type { RxRingOptions, TxRingOptions, FanoutOptions, RingWaitOptions } from './ring/options';
