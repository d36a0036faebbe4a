// Packet builders and a bounded receive loop shared by the raw-socket tests.
import * as socket from '../../../lib/index';

/** An ICMP (v6 = false) or ICMPv6 echo request; the ICMPv4 checksum is filled in. */
export function echoRequest(
  v6: boolean,
  id: number,
  seq: number,
  payload = Buffer.from('bsdsock raw test'),
): Buffer {
  const msg = Buffer.concat([Buffer.alloc(8), payload]);
  msg[0] = v6 ? 128 : 8;
  msg.writeUInt16BE(id, 4);
  msg.writeUInt16BE(seq, 6);
  if (!v6) msg.writeUInt16BE(socket.inet_checksum(msg), 2);
  return msg;
}

/** A UDP header + payload; the checksum is left 0 ("none", allowed over IPv4) unless given. */
export function udpDatagram(sport: number, dport: number, payload: Buffer, checksum = 0): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  h.writeUInt16BE(checksum, 6);
  return Buffer.concat([h, payload]);
}

/** The UDP checksum over the IPv4 pseudo-header (RFC 768), with inet_checksum. */
export function udp4Checksum(src: string, dst: string, datagram: Buffer): number {
  const pseudo = Buffer.alloc(12);
  socket.inet_aton(src).copy(pseudo, 0);
  socket.inet_aton(dst).copy(pseudo, 4);
  pseudo[9] = socket.IPPROTO_UDP;
  pseudo.writeUInt16BE(datagram.length, 10);
  const sum = socket.inet_checksum(Buffer.concat([pseudo, datagram]));
  return sum === 0 ? 0xffff : sum; // 0 means "no checksum" in UDP, so a computed 0 is sent as 0xffff
}

/** An IPv4 header (20 bytes, no options) in front of `payload`, checksum included. */
export function ipv4Packet(
  src: string,
  dst: string,
  proto: number,
  payload: Buffer,
  ttl = 64,
  id = 0x1234,
): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45; // version 4, IHL 5 words
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(id, 4);
  h.writeUInt16BE(0x4000, 6); // DF, offset 0
  h[8] = ttl;
  h[9] = proto;
  socket.inet_aton(src).copy(h, 12);
  socket.inet_aton(dst).copy(h, 16);
  h.writeUInt16BE(socket.inet_checksum(h), 10);
  return Buffer.concat([h, payload]);
}

/** An Ethernet header (destination, source, EtherType) in front of `payload`. */
export function ethernetFrame(dst: Buffer, src: Buffer, ethertype: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  dst.copy(h, 0);
  src.copy(h, 6);
  h.writeUInt16BE(ethertype, 12);
  return Buffer.concat([h, payload]);
}

/** struct { u32 data[n] } in native byte order, as ICMP_FILTER / ICMP6_FILTER take it. */
export function hostU32s(values: number[]): Buffer {
  return Buffer.from(new Uint32Array(values.map((v) => v >>> 0)).buffer);
}

/** ICMP_FILTER value letting only the given ICMP types through (the mask lists types to drop). */
export function icmpFilterPassing(...types: number[]): Buffer {
  return hostU32s([~types.reduce((m, t) => m | (1 << t), 0)]);
}

/** ICMP6_FILTER value (struct icmp6_filter, 256 bits, set = block) letting only `types` through. */
export function icmp6FilterPassing(...types: number[]): Buffer {
  const words = new Array<number>(8).fill(0xffffffff);
  for (const t of types) words[t >> 5] &= ~(1 << (t & 31));
  return hostU32s(words);
}

/** Result of receive(): the message and what the predicate returned for it. */
export type Received<T> = { value: T; data: Buffer; address: unknown };

/**
 * Calls `recv` until `pick` returns something other than undefined for a message, for at
 * most `seconds` and `maxMessages` messages (other traffic is skipped: loopback can be busy,
 * e.g. a UDP benchmark of another test run, so the message bound is generous and the time
 * bound is what usually ends a failing wait). Throws socket.TimeoutError when nothing matched.
 */
export function receiveMatching<T>(
  sock: socket.Socket,
  pick: (data: Buffer, address: unknown) => T | undefined,
  seconds = 5,
  maxMessages = 1_000_000,
): Received<T> {
  const deadline = Date.now() + seconds * 1000;
  for (let i = 0; i < maxMessages; i++) {
    const left = (deadline - Date.now()) / 1000;
    if (left <= 0) break;
    sock.settimeout(left);
    const [data, address] = sock.recvfrom(65536);
    const value = pick(data, address);
    if (value !== undefined) return { value, data, address };
  }
  throw new socket.TimeoutError('no matching message');
}

/** Like receiveMatching, for an async socket. */
export async function receiveMatchingAsync<T>(
  sock: socket.aio.AsyncSocket,
  pick: (data: Buffer, address: unknown) => T | undefined,
  seconds = 5,
  maxMessages = 1_000_000,
): Promise<Received<T>> {
  const deadline = Date.now() + seconds * 1000;
  for (let i = 0; i < maxMessages; i++) {
    const left = (deadline - Date.now()) / 1000;
    if (left <= 0) break;
    sock.settimeout(left);
    const [data, address] = await sock.recvfrom(65536);
    const value = pick(data, address);
    if (value !== undefined) return { value, data, address };
  }
  throw new socket.TimeoutError('no matching message');
}

// ---- BPF programs that pick out a test's own datagrams -------------------------------------
//
// On a busy loopback a packet socket could drown in other traffic (and overflow its receive
// buffer); these kernel-side filters keep only what a test looks for. Opcodes: 0x28 ldh [k],
// 0x30 ldb [k], 0xb1 ldxb 4*([k]&0xf), 0x48 ldh [x+k], 0x15 jeq #k, 0x06 ret #k.

type Insn = [number, number, number, number];

/**
 * IPv4 UDP datagrams to `port`. `linkHeader` is 14 for Ethernet frames (AF_PACKET SOCK_RAW,
 * which also checks the EtherType) or 0 when the data starts at the IP header (AF_PACKET
 * SOCK_DGRAM, raw IPv4 sockets).
 */
export function udp4PortFilter(port: number, linkHeader: 0 | 14): Insn[] {
  const body: Insn[] = [
    [0x30, 0, 0, linkHeader + 9], //     ldb [9]             IPv4 protocol
    [0x15, 0, 4, 17], //                  jeq #17 (UDP)       else drop
    [0xb1, 0, 0, linkHeader], //          ldxb 4*([0]&0xf)    X = IP header length
    [0x48, 0, 0, linkHeader + 2], //      ldh [x+2]           UDP destination port
    [0x15, 0, 1, port], //                jeq #port           else drop
    [0x06, 0, 0, 0x40000], //             ret #262144
    [0x06, 0, 0, 0], //                   ret #0
  ];
  if (linkHeader === 0) return body;
  return [[0x28, 0, 0, 12], [0x15, 0, 6, 0x0800], ...body]; // ldh [12]; jeq #0x800 else drop
}

/** Ethernet frames with IPv4 UDP to `port4` or IPv6 UDP (no extension headers) to `port6`. */
export function udpPortsFilter(port4: number, port6: number): Insn[] {
  return [
    [0x28, 0, 0, 12], //        0  ldh [12]
    [0x15, 0, 5, 0x0800], //    1  jeq #0x800      -> 2, else 7
    [0x30, 0, 0, 23], //        2  ldb [23]
    [0x15, 0, 9, 17], //        3  jeq #17         -> 4, else 13
    [0xb1, 0, 0, 14], //        4  ldxb 4*([14]&0xf)
    [0x48, 0, 0, 16], //        5  ldh [x+16]
    [0x15, 5, 6, port4], //     6  jeq #port4      -> 12, else 13
    [0x15, 0, 5, 0x86dd], //    7  jeq #0x86dd     -> 8, else 13
    [0x30, 0, 0, 20], //        8  ldb [20]
    [0x15, 0, 3, 17], //        9  jeq #17         -> 10, else 13
    [0x28, 0, 0, 56], //       10  ldh [56]
    [0x15, 0, 1, port6], //    11  jeq #port6      -> 12, else 13
    [0x06, 0, 0, 0x40000], //  12  ret #262144
    [0x06, 0, 0, 0], //        13  ret #0
  ];
}

/** A larger receive buffer (SO_RCVBUFFORCE as root, else SO_RCVBUF), for busy loopbacks. */
export function bigReceiveBuffer(
  sock: { setsockopt(level: number, opt: number, value: number): void },
  bytes = 8 << 20,
): void {
  try {
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE, bytes);
  } catch {
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, bytes);
  }
}

/** The ICMP message inside a raw IPv4 socket's datagram (after the IP header). */
export function afterIpHeader(data: Buffer): Buffer {
  return data.subarray((data[0] & 0x0f) * 4);
}
