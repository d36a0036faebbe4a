// AF_PACKET on loopback, in this test process: SOCK_RAW (whole Ethernet frames) and SOCK_DGRAM
// (link header removed), addresses [ifname, proto, pkttype, hatype, addr] in both directions,
// Python's byte order (htons() for the socket() argument, host order inside addresses),
// PACKET_ADD_MEMBERSHIP with PACKET_MR_PROMISC via setsockopt bytes, and the aio form.
//
// On `lo` frames are Ethernet frames with all-zero MAC addresses and hatype ARPHRD_LOOPBACK.
// Other tests (and benchmarks) share `lo`, so the receiving sockets get a BPF filter for the
// test's own port and a large buffer, and every receive has a time bound.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { endianness } from 'node:os';
import * as socket from '../../lib/index';
import { RAW, random16 } from './helpers/env';
import { catchError } from '../helpers/errors';
import { track, useSockets } from '../helpers/tracker';
import {
  bigReceiveBuffer,
  ethernetFrame,
  ipv4Packet,
  receiveMatching,
  receiveMatchingAsync,
  udp4PortFilter,
  udpDatagram,
  udpPortsFilter,
} from './helpers/packets';

useSockets({ watchdog: false });

const ARPHRD_LOOPBACK = 772;
const ZERO_MAC = Buffer.alloc(6);
const IFF_PROMISC = 0x100;

type PacketAddress = [string, number, number, number, Buffer];

function udpReceiver(): [socket.Socket, number] {
  const s = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  s.bind(['127.0.0.1', 0]);
  s.settimeout(3);
  return [s, (s.getsockname() as [string, number])[1]];
}

function sendUdp(port: number, text: string, host = '127.0.0.1'): void {
  const tx = track(socket.socket(host.includes(':') ? socket.AF_INET6 : socket.AF_INET, socket.SOCK_DGRAM));
  tx.sendto(Buffer.from(text), [host, port]);
}

/** The UDP payload of an IPv4 packet to `port`, or undefined. */
function udpPayloadTo(ip: Buffer, port: number): string | undefined {
  if (ip.length < 28 || ip[0] >> 4 !== 4 || ip[9] !== socket.IPPROTO_UDP) return undefined;
  const udp = ip.subarray((ip[0] & 0x0f) * 4);
  return udp.readUInt16BE(2) === port ? udp.subarray(8).toString() : undefined;
}

/** The same for an Ethernet frame. */
function frameUdpPayloadTo(frame: Buffer, port: number): string | undefined {
  if (frame.length < 14 || frame.readUInt16BE(12) !== socket.ETH_P_IP) return undefined;
  return udpPayloadTo(frame.subarray(14), port);
}

/** An AF_PACKET socket that sees the IPv4 UDP frames to `port` on lo (to check what others send). */
function capture(port: number): socket.Socket {
  const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)); // nothing arrives before bind
  s.attach_filter(udp4PortFilter(port, 14));
  bigReceiveBuffer(s);
  s.bind(['lo', socket.ETH_P_ALL]);
  return s;
}

/**
 * A frame for lo: zero MACs, IPv4, UDP 127.0.0.1 -> 127.0.0.1 to `port`. (Frames
 * injected with AF_PACKET do not reach a 127.0.0.1 UDP socket: without route_localnet the
 * kernel's input routing drops loopback addresses arriving that way, so the tests capture
 * the frame instead. Delivery over a real link is covered by the arping tests in netns.)
 */
function testFrame(text: string, port: number): [Buffer, number] {
  const ip = ipv4Packet(
    '127.0.0.1',
    '127.0.0.1',
    socket.IPPROTO_UDP,
    udpDatagram(41000, port, Buffer.from(text)),
  );
  return [ethernetFrame(ZERO_MAC, ZERO_MAC, socket.ETH_P_IP, ip), port];
}

describe('AF_PACKET, SOCK_RAW', () => {
  it.skipIf(RAW.skip)(
    `socket() takes htons(ETH_P_ALL) (network order), as Python; proto keeps that value${RAW.why}`,
    () => {
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL)));
      expect([s.family, s.type, s.proto]).toEqual([
        socket.AF_PACKET,
        socket.SOCK_RAW,
        socket.htons(socket.ETH_P_ALL),
      ]);
      // Unbound: no interface yet, and the protocol in host order.
      expect(s.getsockname()).toEqual(['', socket.ETH_P_ALL, 0, 0, Buffer.alloc(0)]);
    },
  );

  it.skipIf(RAW.skip)(
    `bind(['lo', ETH_P_ALL]): getsockname gives a 5-item address with proto in host order${RAW.why}`,
    () => {
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL)));
      s.bind(['lo', socket.ETH_P_ALL]);
      expect(s.getsockname()).toEqual(['lo', socket.ETH_P_ALL, 0, ARPHRD_LOOPBACK, ZERO_MAC]);
      expect(socket.if_nametoindex('lo')).toBeGreaterThan(0);
    },
  );

  it.skipIf(RAW.skip)(
    `recvfrom gives Ethernet frames (zero MACs on lo) and 5-item addresses, outgoing and incoming${RAW.why}`,
    () => {
      const [rx, port] = udpReceiver();
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL)));
      s.attach_filter(udp4PortFilter(port, 14));
      bigReceiveBuffer(s);
      s.bind(['lo', socket.ETH_P_ALL]);
      sendUdp(port, 'frame me');
      const seen = new Map<number, PacketAddress>(); // pkttype -> address
      const deadline = Date.now() + 5000;
      for (let i = 0; i < 100_000 && seen.size < 2 && Date.now() < deadline; i++) {
        s.settimeout(Math.max(0.01, (deadline - Date.now()) / 1000));
        const [frame, addr] = s.recvfrom(65600);
        if (frameUdpPayloadTo(frame, port) !== 'frame me') continue;
        expect(frame.subarray(0, 12)).toEqual(Buffer.alloc(12)); // destination and source MAC
        seen.set((addr as PacketAddress)[2], addr as PacketAddress);
      }
      // On lo each packet passes twice: leaving (PACKET_OUTGOING) and arriving (PACKET_HOST).
      expect([...seen.keys()].sort()).toEqual([socket.PACKET_HOST, socket.PACKET_OUTGOING]);
      for (const [type, addr] of seen)
        expect(addr).toEqual(['lo', socket.ETH_P_IP, type, ARPHRD_LOOPBACK, ZERO_MAC]);
      expect(rx.recv(100).toString()).toBe('frame me');
    },
  );

  it.skipIf(RAW.skip)(`bound to ETH_P_IP it receives IPv4 frames only${RAW.why}`, () => {
    const v6 = track(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM));
    v6.bind(['::1', 0]);
    const port6 = v6.getsockname()[1];
    const [, port] = udpReceiver();
    const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_IP)));
    // The filter would let both datagrams through: only the binding can keep the IPv6 one out.
    s.attach_filter(udpPortsFilter(port, port6));
    bigReceiveBuffer(s);
    s.bind(['lo', socket.ETH_P_IP]);
    sendUdp(port6, 'v6 is not for you', '::1');
    sendUdp(port, 'v4 only');
    const r = receiveMatching(s, (frame, addr) => {
      expect(frame.readUInt16BE(12)).toBe(socket.ETH_P_IP); // never the IPv6 datagram sent first
      expect((addr as PacketAddress)[1]).toBe(socket.ETH_P_IP);
      return frameUdpPayloadTo(frame, port);
    });
    expect(r.value).toBe('v4 only');
  });

  it.skipIf(RAW.skip)(
    `send() of a hand-built Ethernet + IPv4 + UDP frame puts exactly that frame on the wire${RAW.why}`,
    () => {
      const [frame, port] = testFrame('from a frame', 20000 + (random16() % 40000));
      const tap = capture(port);
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)); // protocol 0: sends only
      s.bind(['lo', socket.ETH_P_IP]);
      expect(s.send(frame)).toBe(frame.length);
      const r = receiveMatching(tap, (f) => (frameUdpPayloadTo(f, port) === 'from a frame' ? f : undefined));
      expect(r.value).toEqual(frame);
      expect((r.address as PacketAddress).slice(0, 2)).toEqual(['lo', socket.ETH_P_IP]);
    },
  );

  it.skipIf(RAW.skip)(`sendto() with a 2-item address [ifname, proto] on an unbound socket${RAW.why}`, () => {
    const [frame, port] = testFrame('sendto', 20000 + (random16() % 40000));
    const tap = capture(port);
    const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0));
    expect(s.sendto(frame, ['lo', socket.ETH_P_IP])).toBe(frame.length);
    expect(
      receiveMatching(tap, (f) => (frameUdpPayloadTo(f, port) === 'sendto' ? f : undefined)).value,
    ).toEqual(frame);
  });
});

describe('AF_PACKET, SOCK_DGRAM', () => {
  it.skipIf(RAW.skip)(
    `recvfrom gives the IP packet without a link header; the address carries the link info${RAW.why}`,
    () => {
      const [, port] = udpReceiver();
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(socket.ETH_P_IP)));
      s.attach_filter(udp4PortFilter(port, 0)); // on SOCK_DGRAM the program sees the IP header first
      bigReceiveBuffer(s);
      s.bind(['lo', socket.ETH_P_IP]);
      expect(s.getsockname()).toEqual(['lo', socket.ETH_P_IP, 0, ARPHRD_LOOPBACK, ZERO_MAC]);
      sendUdp(port, 'no link header');
      const r = receiveMatching(s, (ip) => udpPayloadTo(ip, port));
      expect(r.value).toBe('no link header');
      expect(r.data[0] >> 4).toBe(4); // the data starts with the IPv4 header
      const addr = r.address as PacketAddress;
      expect(addr).toHaveLength(5);
      expect(addr[0]).toBe('lo');
      expect(addr[1]).toBe(socket.ETH_P_IP);
      expect([socket.PACKET_HOST, socket.PACKET_OUTGOING]).toContain(addr[2]);
      expect(addr[3]).toBe(ARPHRD_LOOPBACK);
      expect(addr[4]).toEqual(ZERO_MAC);
    },
  );

  it.skipIf(RAW.skip)(
    `sendto(packet, [ifname, proto, pkttype, hatype, addr]): the kernel adds the link header${RAW.why}`,
    () => {
      const [frame, port] = testFrame('dgram', 20000 + (random16() % 40000));
      const tap = capture(port);
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(socket.ETH_P_IP)));
      const ip = frame.subarray(14);
      expect(s.sendto(ip, ['lo', socket.ETH_P_IP, socket.PACKET_HOST, ARPHRD_LOOPBACK, ZERO_MAC])).toBe(
        ip.length,
      );
      // What went out is our packet behind an Ethernet header built from the address.
      expect(
        receiveMatching(tap, (f) => (frameUdpPayloadTo(f, port) === 'dgram' ? f : undefined)).value,
      ).toEqual(frame);
    },
  );
});

describe('AF_PACKET addresses and options', () => {
  it.skipIf(RAW.skip)(
    `a malformed address is TypeError / RangeError; an unknown interface is OSError ENODEV${RAW.why}`,
    () => {
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0));
      expect(() => s.bind(['lo'] as never)).toThrow(TypeError);
      expect(() => s.bind(['lo', 1, 2, 3, Buffer.alloc(0), 6] as never)).toThrow(TypeError);
      expect(() => s.bind([1, socket.ETH_P_ALL] as never)).toThrow(TypeError);
      expect(() => s.bind(['lo', 1.5] as never)).toThrow(TypeError);
      expect(() => s.bind(['lo', 0x10000])).toThrow(RangeError);
      expect(() => s.bind(['lo', -1])).toThrow(RangeError);
      expect(() => s.bind(['lo', socket.ETH_P_ALL, 0, 0, Buffer.alloc(9)])).toThrow(RangeError);
      expect(() => s.bind(['lo', socket.ETH_P_ALL, 0, 0, 'aa' as never])).toThrow(TypeError);
      expect(() => s.bind('lo' as never)).toThrow(TypeError);
      const err = catchError(() => s.bind(['nosuchdev0', socket.ETH_P_ALL]));
      expect(err).toBeInstanceOf(socket.OSError);
      expect(err.errno).toBe(19);
    },
  );

  it.skipIf(RAW.skip)(
    `PACKET_ADD_MEMBERSHIP / PACKET_DROP_MEMBERSHIP with PACKET_MR_PROMISC (struct packet_mreq as bytes)${RAW.why}`,
    () => {
      const flags = () => Number(fs.readFileSync('/sys/class/net/lo/flags', 'utf8').trim());
      const before = flags() & IFF_PROMISC;
      const s = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL)));
      s.bind(['lo', socket.ETH_P_ALL]);
      // struct packet_mreq { int mr_ifindex; unsigned short mr_type, mr_alen; unsigned char mr_address[8]; }
      // Native byte order, as C writes it.
      const mreq = Buffer.alloc(16);
      const le = endianness() === 'LE';
      if (le) mreq.writeInt32LE(socket.if_nametoindex('lo'), 0);
      else mreq.writeInt32BE(socket.if_nametoindex('lo'), 0);
      if (le) mreq.writeUInt16LE(socket.PACKET_MR_PROMISC, 4);
      else mreq.writeUInt16BE(socket.PACKET_MR_PROMISC, 4);
      s.setsockopt(socket.SOL_PACKET, socket.PACKET_ADD_MEMBERSHIP, mreq);
      expect(flags() & IFF_PROMISC).toBe(IFF_PROMISC);
      s.setsockopt(socket.SOL_PACKET, socket.PACKET_DROP_MEMBERSHIP, mreq);
      if (!before) expect(flags() & IFF_PROMISC).toBe(0);
      // A struct that is too short is the kernel's EINVAL.
      expect(
        catchError(() => s.setsockopt(socket.SOL_PACKET, socket.PACKET_ADD_MEMBERSHIP, Buffer.alloc(4))),
      ).toMatchObject({ errno: 22 });
    },
  );

  it.skipIf(RAW.skip)(`an aio AF_PACKET socket receives a frame${RAW.why}`, async () => {
    const [rx, port] = udpReceiver();
    const s = track(socket.aio.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_IP)));
    s.attach_filter(udp4PortFilter(port, 14));
    bigReceiveBuffer(s);
    await s.bind(['lo', socket.ETH_P_IP]);
    const pending = receiveMatchingAsync(s, (frame, addr) =>
      frameUdpPayloadTo(frame, port) === 'async frame' ? (addr as PacketAddress) : undefined,
    );
    sendUdp(port, 'async frame');
    const r = await pending;
    expect(r.value[0]).toBe('lo');
    expect(r.value[1]).toBe(socket.ETH_P_IP);
    expect(r.value[3]).toBe(ARPHRD_LOOPBACK);
    expect(rx.recv(100).toString()).toBe('async frame');
  });
});
