// SOCK_RAW over IPv4 and IPv6 on loopback, in this test process: ICMP / ICMPv6 echo against
// the kernel's own replies, raw UDP, IP_HDRINCL / IPPROTO_RAW, bind and connect, IPV6_CHECKSUM,
// ICMP_FILTER / ICMP6_FILTER (setsockopt with bytes), IP_TTL / IPV6_UNICAST_HOPS,
// SO_BINDTODEVICE, inet_checksum, and the async (aio) form.
//
// Every receive has a timeout and every loop a bound: other tests share loopback, so a raw
// socket also sees their traffic, and the tests pick their own packets out by identifier/port.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { RAW, random16 } from './helpers/env';
import { catchError } from '../helpers/errors';
import { track, useSockets } from '../helpers/tracker';
import {
  afterIpHeader,
  bigReceiveBuffer,
  echoRequest,
  icmp6FilterPassing,
  icmpFilterPassing,
  ipv4Packet,
  receiveMatching,
  receiveMatchingAsync,
  udp4Checksum,
  udp4PortFilter,
  udpDatagram,
} from './helpers/packets';

useSockets({ watchdog: false });

const ICMP_ECHOREPLY = 0;
const ICMP_ECHO = 8;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

function raw(family: number, proto: number): socket.Socket {
  return track(socket.socket(family, socket.SOCK_RAW, proto));
}

function udpReceiver(host: string): [socket.Socket, number] {
  const s = track(socket.socket(host.includes(':') ? socket.AF_INET6 : socket.AF_INET, socket.SOCK_DGRAM));
  s.bind([host, 0]);
  s.settimeout(3);
  return [s, (s.getsockname() as [string, number])[1]];
}

/** [type, id, seq] of an ICMP echo message, or undefined. */
function echoFields(icmp: Buffer): [number, number, number] | undefined {
  if (icmp.length < 8) return undefined;
  return [icmp[0], icmp.readUInt16BE(4), icmp.readUInt16BE(6)];
}

describe('inet_checksum (RFC 1071)', () => {
  it('gives 0x220d for the RFC 1071 example bytes 00 01 f2 03 f4 f5 f6 f7', () => {
    expect(socket.inet_checksum(Buffer.from('0001f203f4f5f6f7', 'hex'))).toBe(0x220d);
  });

  it('pads an odd last byte with zero', () => {
    expect(socket.inet_checksum(Buffer.from([0x01]))).toBe(0xfeff);
    expect(socket.inet_checksum(Buffer.from('0001f203f4f5f6', 'hex'))).toBe(
      socket.inet_checksum(Buffer.from('0001f203f4f5f600', 'hex')),
    );
  });

  it('gives 0xffff for all zeros and for no data', () => {
    expect(socket.inet_checksum(Buffer.alloc(20))).toBe(0xffff);
    expect(socket.inet_checksum(Buffer.alloc(0))).toBe(0xffff);
  });

  it('matches a known IPv4 header checksum (0xb861), and a header with its checksum sums to 0', () => {
    const header = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex');
    expect(socket.inet_checksum(header)).toBe(0xb861);
    header.writeUInt16BE(0xb861, 10);
    expect(socket.inet_checksum(header)).toBe(0);
  });

  it('folds carries: 0xffff words sum to 0xffff, checksum 0', () => {
    expect(socket.inet_checksum(Buffer.alloc(64, 0xff))).toBe(0);
  });

  it('accepts any ArrayBufferView and rejects a string with TypeError', () => {
    const b = Buffer.from('0001f203f4f5f6f7', 'hex');
    expect(socket.inet_checksum(new Uint8Array(b))).toBe(0x220d);
    expect(socket.inet_checksum(new DataView(b.buffer, b.byteOffset, b.byteLength))).toBe(0x220d);
    expect(() => socket.inet_checksum('abc' as never)).toThrow(TypeError);
  });
});

describe('SOCK_RAW, IPPROTO_ICMP (IPv4)', () => {
  it.skipIf(RAW.skip)(`echo request to 127.0.0.1 gets the kernel's reply, IP header first${RAW.why}`, () => {
    const s = raw(socket.AF_INET, socket.IPPROTO_ICMP);
    expect([s.family, s.type, s.proto]).toEqual([socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP]);
    const id = random16();
    expect(s.sendto(echoRequest(false, id, 1), ['127.0.0.1', 0])).toBe(24);
    const r = receiveMatching(s, (d) => {
      const f = echoFields(afterIpHeader(d));
      return f && f[0] === ICMP_ECHOREPLY && f[1] === id && f[2] === 1 ? true : undefined;
    });
    // The IPv4 header: version 4, protocol ICMP, TTL 64, from 127.0.0.1 to 127.0.0.1.
    expect(r.data[0] >> 4).toBe(4);
    expect(r.data[9]).toBe(socket.IPPROTO_ICMP);
    expect(r.data[8]).toBe(64);
    expect(socket.inet_ntoa(r.data.subarray(12, 16))).toBe('127.0.0.1');
    expect(r.address).toEqual(['127.0.0.1', 0]);
    const icmp = afterIpHeader(r.data);
    expect(socket.inet_checksum(icmp)).toBe(0); // the kernel's reply carries a valid checksum
    expect(icmp.subarray(8).toString()).toBe('bsdsock raw test');
  });

  it.skipIf(RAW.skip)(
    `without a filter the socket also sees its own request; ICMP_FILTER (bytes) hides it${RAW.why}`,
    () => {
      const open = raw(socket.AF_INET, socket.IPPROTO_ICMP);
      const filtered = raw(socket.AF_INET, socket.IPPROTO_ICMP);
      filtered.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, icmpFilterPassing(ICMP_ECHOREPLY));
      expect(filtered.getsockopt(socket.SOL_RAW, socket.ICMP_FILTER, 4)).toEqual(
        icmpFilterPassing(ICMP_ECHOREPLY),
      );
      const id = random16();
      open.sendto(echoRequest(false, id, 7), ['127.0.0.1', 0]);
      const types = (d: Buffer) => {
        const f = echoFields(afterIpHeader(d));
        return f && f[1] === id ? f[0] : undefined;
      };
      expect(receiveMatching(open, (d) => (types(d) === ICMP_ECHO ? 1 : undefined)).value).toBe(1);
      // The filtered socket's first message with our id is the reply: the request was dropped.
      expect(receiveMatching(filtered, types).value).toBe(ICMP_ECHOREPLY);
    },
  );

  it.skipIf(RAW.skip)(
    `bind() sets the source address; getsockname shows the protocol as the port${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET, socket.IPPROTO_ICMP);
      expect(s.getsockname()).toEqual(['0.0.0.0', socket.IPPROTO_ICMP]);
      s.bind(['127.0.0.2', 0]);
      expect(s.getsockname()).toEqual(['127.0.0.2', socket.IPPROTO_ICMP]);
      s.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, icmpFilterPassing(ICMP_ECHOREPLY));
      const id = random16();
      s.sendto(echoRequest(false, id, 2), ['127.0.0.1', 0]);
      const r = receiveMatching(s, (d) => (echoFields(afterIpHeader(d))?.[1] === id ? true : undefined));
      // The reply goes back to our bound source address.
      expect(socket.inet_ntoa(r.data.subarray(16, 20))).toBe('127.0.0.2');
      expect(r.address).toEqual(['127.0.0.1', 0]);
    },
  );

  it.skipIf(RAW.skip)(
    `connect() fixes the peer: send() without an address; getpeername is ENOTCONN as in Python${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET, socket.IPPROTO_ICMP);
      s.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, icmpFilterPassing(ICMP_ECHOREPLY));
      s.connect(['127.0.0.1', 0]);
      // Linux reports no peer for raw sockets (their "port" is 0), so Python raises ENOTCONN too.
      expect(catchError(() => s.getpeername())).toMatchObject({ name: 'OSError', errno: 107 });
      const id = random16();
      expect(s.send(echoRequest(false, id, 3))).toBe(24);
      const r = receiveMatching(s, (d) => (echoFields(afterIpHeader(d))?.[1] === id ? true : undefined));
      expect(r.address).toEqual(['127.0.0.1', 0]);
    },
  );

  it.skipIf(RAW.skip)(`IP_TTL sets the TTL of what the raw socket sends${RAW.why}`, () => {
    const sender = raw(socket.AF_INET, socket.IPPROTO_ICMP);
    sender.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 7);
    expect(sender.getsockopt(socket.IPPROTO_IP, socket.IP_TTL)).toBe(7);
    const watcher = raw(socket.AF_INET, socket.IPPROTO_ICMP);
    watcher.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, icmpFilterPassing(ICMP_ECHO));
    const id = random16();
    sender.sendto(echoRequest(false, id, 1), ['127.0.0.1', 0]);
    const r = receiveMatching(watcher, (d) => (echoFields(afterIpHeader(d))?.[1] === id ? d[8] : undefined));
    expect(r.value).toBe(7); // the request, seen on its way in, carries TTL 7
  });

  it.skipIf(RAW.skip)(
    `SO_BINDTODEVICE 'lo' (bytes) is read back with getsockopt; an unknown device is ENODEV${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET, socket.IPPROTO_ICMP);
      s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.from('lo'));
      expect(
        (s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16) as Buffer)
          .toString()
          .replace(/\0+$/, ''),
      ).toBe('lo');
      s.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, icmpFilterPassing(ICMP_ECHOREPLY));
      const id = random16();
      s.sendto(echoRequest(false, id, 1), ['127.0.0.1', 0]);
      expect(
        receiveMatching(s, (d) => (echoFields(afterIpHeader(d))?.[1] === id ? true : undefined)).value,
      ).toBe(true);
      const err = catchError(() =>
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, Buffer.from('nosuchdev0')),
      );
      expect(err).toBeInstanceOf(socket.OSError);
      expect(err.errno).toBe(19); // ENODEV
    },
  );
});

describe('SOCK_RAW, IPPROTO_ICMPV6', () => {
  it.skipIf(RAW.skip)(
    `echo request to ::1 gets a reply; the kernel computes the checksum; no IPv6 header${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET6, socket.IPPROTO_ICMPV6);
      s.setsockopt(socket.IPPROTO_ICMPV6, socket.ICMP6_FILTER, icmp6FilterPassing(ICMP6_ECHO_REPLY));
      expect(s.getsockopt(socket.IPPROTO_ICMPV6, socket.ICMP6_FILTER, 32)).toEqual(
        icmp6FilterPassing(ICMP6_ECHO_REPLY),
      );
      const id = random16();
      const req = echoRequest(true, id, 5); // checksum field left 0
      expect(req.readUInt16BE(2)).toBe(0);
      s.sendto(req, ['::1', 0]);
      const r = receiveMatching(s, (d) => {
        const f = echoFields(d);
        return f && f[1] === id ? f : undefined;
      });
      expect(r.value).toEqual([ICMP6_ECHO_REPLY, id, 5]); // only replies pass the filter
      expect(r.data.readUInt16BE(2)).not.toBe(0);
      expect(r.data.subarray(8).toString()).toBe('bsdsock raw test');
      expect(r.address).toEqual(['::1', 0, 0, 0]);
    },
  );

  it.skipIf(RAW.skip)(
    `ICMPV6_FILTER is the same option as ICMP6_FILTER; without it the request shows too${RAW.why}`,
    () => {
      expect(socket.ICMPV6_FILTER).toBe(socket.ICMP6_FILTER);
      const s = raw(socket.AF_INET6, socket.IPPROTO_ICMPV6);
      const id = random16();
      s.sendto(echoRequest(true, id, 1), ['::1', 0]);
      expect(
        receiveMatching(s, (d) => (echoFields(d)?.[1] === id && d[0] === ICMP6_ECHO_REQUEST ? 1 : undefined))
          .value,
      ).toBe(1);
    },
  );

  it.skipIf(RAW.skip)(
    `bind() on a raw IPv6 socket; getsockname has 4 items with the protocol as the port${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET6, socket.IPPROTO_ICMPV6);
      s.bind(['::1', 0]);
      expect(s.getsockname()).toEqual(['::1', socket.IPPROTO_ICMPV6, 0, 0]);
    },
  );

  it.skipIf(RAW.skip)(
    `IPV6_CHECKSUM cannot be set on ICMPv6 sockets (EINVAL: the kernel always does it)${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET6, socket.IPPROTO_ICMPV6);
      const err = catchError(() => s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 2));
      expect(err).toBeInstanceOf(socket.OSError);
      expect(err.errno).toBe(22);
    },
  );

  it.skipIf(RAW.skip)(
    `IPV6_UNICAST_HOPS sets the hop limit; IPV6_RECVHOPLIMIT reports it through recvmsg${RAW.why}`,
    () => {
      const sender = raw(socket.AF_INET6, socket.IPPROTO_ICMPV6);
      sender.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 9);
      expect(sender.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS)).toBe(9);
      const watcher = raw(socket.AF_INET6, socket.IPPROTO_ICMPV6);
      watcher.setsockopt(socket.IPPROTO_ICMPV6, socket.ICMP6_FILTER, icmp6FilterPassing(ICMP6_ECHO_REQUEST));
      watcher.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1);
      const id = random16();
      sender.sendto(echoRequest(true, id, 1), ['::1', 0]);
      let hops: number | undefined;
      const deadline = Date.now() + 3000;
      for (let i = 0; i < 200 && hops === undefined && Date.now() < deadline; i++) {
        watcher.settimeout(Math.max(0.01, (deadline - Date.now()) / 1000));
        const [data, anc] = watcher.recvmsg(2048, socket.CMSG_SPACE(4));
        if (echoFields(data)?.[1] !== id) continue;
        const cmsg = anc.find(
          ([level, type]) => level === socket.IPPROTO_IPV6 && type === socket.IPV6_HOPLIMIT,
        );
        expect(cmsg).toBeDefined();
        hops = new Int32Array(new Uint8Array(cmsg![2]).buffer)[0]; // a C int, native byte order
      }
      expect(hops).toBe(9);
    },
  );
});

describe('SOCK_RAW, IPPROTO_UDP and IPPROTO_RAW', () => {
  it.skipIf(RAW.skip)(
    `a raw UDP socket receives copies of UDP datagrams, IP header included${RAW.why}`,
    () => {
      const [rx, port] = udpReceiver('127.0.0.1');
      const s = raw(socket.AF_INET, socket.IPPROTO_UDP);
      // It would see every UDP datagram of the host: a filter (the program sees the IP header
      // first on raw IPv4 sockets) keeps those to our port, in case loopback is busy.
      s.attach_filter(udp4PortFilter(port, 0));
      bigReceiveBuffer(s);
      const tx = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
      tx.sendto(Buffer.from('copy me'), ['127.0.0.1', port]);
      const r = receiveMatching(s, (d) => {
        const udp = afterIpHeader(d);
        return udp.readUInt16BE(2) === port ? udp : undefined;
      });
      expect(r.value.readUInt16BE(0)).toBe((tx.getsockname() as [string, number])[1]);
      expect(r.value.readUInt16BE(4)).toBe(8 + 7);
      expect(r.value.subarray(8).toString()).toBe('copy me');
      expect(rx.recv(100).toString()).toBe('copy me'); // the UDP socket still gets its datagram
    },
  );

  it.skipIf(RAW.skip)(
    `a raw UDP socket sends a hand-made UDP header; the kernel adds the IP header${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET, socket.IPPROTO_UDP);
      expect(s.getsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL)).toBe(0);
      const [rx, port] = udpReceiver('127.0.0.1');
      const sport = 40000 + (random16() % 20000);
      s.sendto(udpDatagram(sport, port, Buffer.from('hand-made')), ['127.0.0.1', 0]);
      const [data, from] = rx.recvfrom(100);
      expect(data.toString()).toBe('hand-made');
      expect(from).toEqual(['127.0.0.1', sport]);
    },
  );

  it.skipIf(RAW.skip)(
    `IP_HDRINCL on a raw UDP socket: our own IPv4 header, checksums from inet_checksum${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET, socket.IPPROTO_UDP);
      s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1);
      expect(s.getsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL)).toBe(1);
      const [rx, port] = udpReceiver('127.0.0.1');
      const sport = 40000 + (random16() % 20000);
      const payload = Buffer.from('with our own header');
      const udp = udpDatagram(sport, port, payload);
      udp.writeUInt16BE(udp4Checksum('127.0.0.1', '127.0.0.1', udp), 6);
      const packet = ipv4Packet('127.0.0.1', '127.0.0.1', socket.IPPROTO_UDP, udp);
      expect(s.sendto(packet, ['127.0.0.1', 0])).toBe(packet.length);
      const [data, from] = rx.recvfrom(100);
      expect(data).toEqual(payload);
      expect(from).toEqual(['127.0.0.1', sport]);
    },
  );

  it.skipIf(RAW.skip)(
    `IPPROTO_RAW implies IP_HDRINCL: a hand-built IPv4 + UDP datagram reaches a UDP socket${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET, socket.IPPROTO_RAW);
      expect(s.getsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL)).toBe(1);
      const [rx, port] = udpReceiver('127.0.0.1');
      const sport = 40000 + (random16() % 20000);
      // The source address is ours to choose: any loopback address will do.
      const packet = ipv4Packet(
        '127.0.0.3',
        '127.0.0.1',
        socket.IPPROTO_UDP,
        udpDatagram(sport, port, Buffer.from('IPPROTO_RAW')),
      );
      s.sendto(packet, ['127.0.0.1', 0]);
      const [data, from] = rx.recvfrom(100);
      expect(data.toString()).toBe('IPPROTO_RAW');
      expect(from).toEqual(['127.0.0.3', sport]);
    },
  );

  it.skipIf(RAW.skip)(
    `IPv6 raw UDP: IPV6_CHECKSUM 6 makes the kernel fill the UDP checksum; odd offsets are EINVAL${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET6, socket.IPPROTO_UDP);
      expect(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM)).toBe(-1); // off by default
      expect(catchError(() => s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 5))).toMatchObject({
        errno: 22,
      });
      const [rx, port] = udpReceiver('::1');
      const sport = 40000 + (random16() % 20000);
      // Without a checksum, IPv6 UDP receivers drop the datagram (a zero checksum is not allowed).
      s.sendto(udpDatagram(sport, port, Buffer.from('no checksum')), ['::1', 0]);
      rx.settimeout(0.3);
      expect(catchError(() => rx.recv(100))).toBeInstanceOf(socket.TimeoutError);
      s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 6);
      expect(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM)).toBe(6);
      s.sendto(udpDatagram(sport, port, Buffer.from('checksummed')), ['::1', 0]);
      rx.settimeout(3);
      const [data, from] = rx.recvfrom(100);
      expect(data.toString()).toBe('checksummed');
      expect(from).toEqual(['::1', sport, 0, 0]);
    },
  );

  it.skipIf(RAW.skip)(
    `an IPv6 raw UDP socket receives UDP datagrams without the IPv6 header${RAW.why}`,
    () => {
      const s = raw(socket.AF_INET6, socket.IPPROTO_UDP);
      bigReceiveBuffer(s);
      const [, port] = udpReceiver('::1');
      const tx = track(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM));
      tx.sendto(Buffer.from('v6 copy'), ['::1', port]);
      const r = receiveMatching(s, (d) => (d.length >= 8 && d.readUInt16BE(2) === port ? d : undefined));
      expect(r.value.subarray(8).toString()).toBe('v6 copy');
      expect(r.address).toEqual(['::1', 0, 0, 0]);
    },
  );
});

describe('async raw sockets (bsdsock/aio)', () => {
  it.skipIf(RAW.skip)(`an aio raw ICMP socket receives the echo reply${RAW.why}`, async () => {
    const s = track(socket.aio.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP));
    s.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, icmpFilterPassing(ICMP_ECHOREPLY));
    const id = random16();
    await s.sendto(echoRequest(false, id, 42), ['127.0.0.1', 0]);
    const r = await receiveMatchingAsync(s, (d) => {
      const f = echoFields(afterIpHeader(d));
      return f && f[1] === id ? f : undefined;
    });
    expect(r.value).toEqual([ICMP_ECHOREPLY, id, 42]);
    expect(r.address).toEqual(['127.0.0.1', 0]);
  });

  it.skipIf(RAW.skip)(
    `an aio raw ICMPv6 socket receives the echo reply while the event loop keeps running${RAW.why}`,
    async () => {
      const s = track(socket.aio.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6));
      s.setsockopt(socket.IPPROTO_ICMPV6, socket.ICMP6_FILTER, icmp6FilterPassing(ICMP6_ECHO_REPLY));
      const id = random16();
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      const pending = receiveMatchingAsync(s, (d) => (echoFields(d)?.[1] === id ? d[0] : undefined));
      await new Promise((resolve) => setTimeout(resolve, 20)); // the receive waits; timers still run
      await s.sendto(echoRequest(true, id, 1), ['::1', 0]);
      const r = await pending;
      clearInterval(ticker);
      expect(r.value).toBe(ICMP6_ECHO_REPLY);
      expect(ticks).toBeGreaterThan(0);
    },
  );
});
