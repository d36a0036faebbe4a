// rx_ring()/tx_ring(): the socket check and the mapping of a ring (the rings' parts are in lib/ring/).
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
import { AF_PACKET, SOCK_DGRAM, SOCK_RAW } from './constants';
import { EBUSY } from './errno';
import { OSError, ebadf, strerror } from './oserror';
import { rings, type SocketLike } from './ring/base';
import { rb } from './ring/binding';
import { rxGeometry, txGeometry, type RingGeometry } from './ring/options';
import { AsyncRxRing, RxRing } from './ring/rx';
import { AsyncTxRing, TxRing } from './ring/tx';

export type { RxRingOptions, TxRingOptions } from './ring/options';
/** @internal */
export { closeRings } from './ring/base';
export { RxRing, AsyncRxRing, TxRing, AsyncTxRing };

function checkSocket(sock: SocketLike, key: object, caller: string, types: number[]): number {
  if (sock.family !== AF_PACKET || !types.includes(sock.type)) {
    const kinds = types.map((t) => (t === SOCK_RAW ? 'SOCK_RAW' : 'SOCK_DGRAM')).join(' or ');
    throw new TypeError(
      `${caller}() needs an AF_PACKET ${kinds} socket, not family ${sock.family} type ${sock.type}`,
    );
  }
  const fd = sock.fileno();
  if (fd < 0) throw ebadf(caller);
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

// ---- construction (Socket/AsyncSocket rx_ring() and tx_ring()) ---------------------------

/**
 * Checks the socket, then sets PACKET_VERSION and PACKET_RX_RING or PACKET_TX_RING (with
 * PACKET_TIMESTAMP, PACKET_FANOUT, PACKET_QDISC_BYPASS as `g` asks) and maps the ring:
 * [its memory, the TPACKET version the kernel took].
 */
function mapRing(sock: SocketLike, key: object, g: RingGeometry, tx: boolean): [ArrayBuffer, number] {
  const fd = tx
    ? checkSocket(sock, key, 'tx_ring', [SOCK_RAW])
    : checkSocket(sock, key, 'rx_ring', [SOCK_RAW, SOCK_DGRAM]);
  return rb.ring_map(
    fd,
    tx,
    g.version,
    g.block_size,
    g.block_nr,
    g.frame_size,
    g.frame_nr,
    g.retire_blk_tov,
    g.timestamp,
    g.fanout,
    g.qdisc_bypass,
  );
}

/** How Socket and AsyncSocket make a ring: `async` picks the class (AsyncRxRing or RxRing, ...). @internal */
export interface RingMaker<Blocking, Async> {
  (sock: SocketLike, key: object, options: unknown, async: true): Async;
  (sock: SocketLike, key: object, options: unknown, async: false): Blocking;
}

/**
 * Checks the options against the kernel's rules, then the socket, then sets PACKET_VERSION,
 * PACKET_RX_RING (PACKET_TIMESTAMP, PACKET_FANOUT) and maps the ring. `key` is the blocking
 * Socket, whose close() unmaps the ring. @internal
 */
export const rxRing = ((sock: SocketLike, key: object, options: unknown, async: boolean) => {
  const g = rxGeometry(options);
  const [ab] = mapRing(sock, key, g, false);
  return async ? new AsyncRxRing(sock, key, false, g, ab) : new RxRing(sock, key, false, g, ab);
}) as RingMaker<RxRing, AsyncRxRing>;

/** Like rxRing, for PACKET_TX_RING on a SOCK_RAW packet socket. @internal */
export const txRing = ((sock: SocketLike, key: object, options: unknown, async: boolean) => {
  const g = txGeometry(options);
  const [ab, kver] = mapRing(sock, key, g, true);
  return async ? new AsyncTxRing(sock, key, g, ab, kver) : new TxRing(sock, key, g, ab, kver);
}) as RingMaker<TxRing, AsyncTxRing>;
