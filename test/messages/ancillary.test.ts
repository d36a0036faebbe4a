// IP-level ancillary data over loopback UDP, in both forms: IP_PKTINFO / IPV6_PKTINFO
// (arrival address and interface, choosing the source address), IP_RECVTTL and the RFC 3542
// hop-limit / traffic-class tests (a port of CPython's RFC3542AncillaryTest, truncation
// cases included), IP_TOS / IPV6_TCLASS, SO_TIMESTAMPNS, IP_RECVERR / IPV6_RECVERR with
// MSG_ERRQUEUE, and UDP GSO/GRO (UDP_SEGMENT, UDP_GRO).
import { describe, expect, it } from 'vitest';
import * as crypto from 'node:crypto';
import * as socket from '../../lib/index';
import { errorOf } from '../helpers/errors';
import { useSockets } from '../helpers/tracker';
import {
  type AnySock,
  checkFlags,
  type Form,
  FORMS,
  ints,
  MSG,
  readInts,
  SIZEOF_INT,
  T,
  toForm,
  udp,
  type Anc,
  doRecvmsg,
  type Method,
} from './fixtures/forms';

useSockets({ watchdog: false });

const LO = socket.if_nametoindex('lo');
const IP = socket.IPPROTO_IP;
const IP6 = socket.IPPROTO_IPV6;

/** A receiver and a sender of the requested form, both bound to loopback. */
function udpPair(form: Form, family: number = socket.AF_INET) {
  const r = udp(family);
  const w = udp(family);
  return { r: toForm(form, r.s), rAddr: r.addr, w: toForm(form, w.s), wAddr: w.addr };
}

/** The single item of `anc` with this level and type. */
function item(anc: Anc, level: number, type: number): Buffer {
  const found = anc.filter(([l, t]) => l === level && t === type);
  expect(
    found,
    `one [${level}, ${type}] item in ${JSON.stringify(anc.map(([l, t, d]) => [l, t, d.length]))}`,
  ).toHaveLength(1);
  return found[0][2];
}

function inPktinfo(b: Buffer): { ifindex: number; spec_dst: string; addr: string } {
  expect(b.length).toBe(12);
  return {
    ifindex: b.readInt32LE(0),
    spec_dst: socket.inet_ntoa(b.subarray(4, 8)),
    addr: socket.inet_ntoa(b.subarray(8, 12)),
  };
}

function makeInPktinfo(ifindex: number, specDst: string, addr = '0.0.0.0'): Buffer {
  const b = Buffer.alloc(12);
  b.writeInt32LE(ifindex, 0);
  socket.inet_aton(specDst).copy(b, 4);
  socket.inet_aton(addr).copy(b, 8);
  return b;
}

function in6Pktinfo(b: Buffer): { addr: string; ifindex: number } {
  expect(b.length).toBe(20);
  return { addr: socket.inet_ntop(socket.AF_INET6, b.subarray(0, 16)), ifindex: b.readUInt32LE(16) };
}

function makeIn6Pktinfo(addr: string, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  socket.inet_pton(socket.AF_INET6, addr).copy(b, 0);
  b.writeUInt32LE(ifindex, 16);
  return b;
}

// ---- IP_PKTINFO / IPV6_PKTINFO -----------------------------------------------------------------------

for (const form of FORMS) {
  describe(`IP_PKTINFO and IPV6_PKTINFO (${form})`, () => {
    it('IP_PKTINFO gives the arrival address and the interface index of lo', async () => {
      const { r, rAddr, w, wAddr } = udpPair(form);
      r.setsockopt(IP, socket.IP_PKTINFO, 1);
      await w.sendto(MSG, rAddr);
      const [data, anc, flags, from] = await r.recvmsg(1024, socket.CMSG_SPACE(12));
      expect(data).toEqual(MSG);
      expect(from).toEqual(wAddr);
      expect(flags & socket.MSG_CTRUNC).toBe(0);
      expect(LO).toBeGreaterThan(0);
      expect(inPktinfo(item(anc, IP, socket.IP_PKTINFO))).toEqual({
        ifindex: LO,
        spec_dst: '127.0.0.1',
        addr: '127.0.0.1',
      });
    });

    it('sendmsg with an IP_PKTINFO cmsg chooses the source address (spec_dst 127.0.0.2)', async () => {
      const { r, rAddr, w, wAddr } = udpPair(form);
      r.setsockopt(IP, socket.IP_PKTINFO, 1);
      const n = await w.sendmsg([MSG], [[IP, socket.IP_PKTINFO, makeInPktinfo(0, '127.0.0.2')]], 0, rAddr);
      expect(n).toBe(MSG.length);
      const [data, anc, , from] = await r.recvmsg(1024, 1024);
      expect(data).toEqual(MSG);
      // Same port, the chosen source address.
      expect(from).toEqual(['127.0.0.2', wAddr[1]]);
      expect(inPktinfo(item(anc, IP, socket.IP_PKTINFO)).addr).toBe('127.0.0.1');
      // Without the cmsg the bound address is used again.
      await w.sendmsg([MSG], [], 0, rAddr);
      expect((await r.recvmsg(1024))[3]).toEqual(wAddr);
    });

    it('sendmsg with an IP_PKTINFO cmsg naming the outgoing interface (ifindex of lo)', async () => {
      const { r, rAddr, w, wAddr } = udpPair(form);
      r.setsockopt(IP, socket.IP_PKTINFO, 1);
      expect(await w.sendmsg([MSG], [[IP, socket.IP_PKTINFO, makeInPktinfo(LO, '0.0.0.0')]], 0, rAddr)).toBe(
        MSG.length,
      );
      const [data, anc, , from] = await r.recvmsg(1024, 1024);
      expect(data).toEqual(MSG);
      expect(from).toEqual(wAddr);
      expect(inPktinfo(item(anc, IP, socket.IP_PKTINFO)).ifindex).toBe(LO);
    });

    it('IPV6_RECVPKTINFO gives the arrival address (::1) and interface index of lo', async () => {
      const { r, rAddr, w, wAddr } = udpPair(form, socket.AF_INET6);
      r.setsockopt(IP6, socket.IPV6_RECVPKTINFO, 1);
      await w.sendto(MSG, rAddr);
      const [data, anc, flags, from] = await r.recvmsg(1024, socket.CMSG_SPACE(20));
      expect(data).toEqual(MSG);
      expect(from).toEqual(wAddr);
      expect(flags & socket.MSG_CTRUNC).toBe(0);
      expect(in6Pktinfo(item(anc, IP6, socket.IPV6_PKTINFO))).toEqual({ addr: '::1', ifindex: LO });
    });

    it('sendmsg with an IPV6_PKTINFO cmsg (source ::1 on lo)', async () => {
      const { r, rAddr, w, wAddr } = udpPair(form, socket.AF_INET6);
      r.setsockopt(IP6, socket.IPV6_RECVPKTINFO, 1);
      expect(await w.sendmsg([MSG], [[IP6, socket.IPV6_PKTINFO, makeIn6Pktinfo('::1', LO)]], 0, rAddr)).toBe(
        MSG.length,
      );
      const [data, anc, , from] = await r.recvmsg(1024, 1024);
      expect(data).toEqual(MSG);
      expect(from).toEqual(wAddr);
      expect(in6Pktinfo(item(anc, IP6, socket.IPV6_PKTINFO)).ifindex).toBe(LO);
      // A source address that is not local is refused by the kernel: an OSError, no crash.
      const e = await errorOf(() =>
        w.sendmsg([MSG], [[IP6, socket.IPV6_PKTINFO, makeIn6Pktinfo('2001:db8::1', 0)]], 0, rAddr),
      );
      expect(e).toBeInstanceOf(socket.OSError);
    });
  });
}

// ---- TTL, TOS, traffic class ---------------------------------------------------------------------------

for (const form of FORMS) {
  describe(`IP_RECVTTL, IP_TOS and IPV6_TCLASS (${form})`, () => {
    it('IP_RECVTTL: the IP_TTL cmsg carries the int TTL set on the sender', async () => {
      const { r, rAddr, w } = udpPair(form);
      w.setsockopt(IP, socket.IP_TTL, 7);
      r.setsockopt(IP, socket.IP_RECVTTL, 1);
      await w.sendto(MSG, rAddr);
      const [data, anc] = await r.recvmsg(1024, socket.CMSG_SPACE(SIZEOF_INT));
      expect(data).toEqual(MSG);
      const ttl = item(anc, IP, socket.IP_TTL);
      expect(ttl.length).toBe(SIZEOF_INT);
      expect(readInts(ttl)).toEqual([7]);
    });

    it('an IP_TTL cmsg in sendmsg sets the TTL of one datagram', async () => {
      const { r, rAddr, w } = udpPair(form);
      r.setsockopt(IP, socket.IP_RECVTTL, 1);
      await w.sendmsg([MSG], [[IP, socket.IP_TTL, ints(3)]], 0, rAddr);
      await w.sendmsg([MSG], [], 0, rAddr);
      expect(readInts(item((await r.recvmsg(1024, 1024))[1], IP, socket.IP_TTL))).toEqual([3]);
      expect(readInts(item((await r.recvmsg(1024, 1024))[1], IP, socket.IP_TTL))).toEqual([64]);
    });

    it('IP_TOS set on the sender arrives with IP_RECVTOS (a one-byte IP_TOS cmsg)', async () => {
      const { r, rAddr, w } = udpPair(form);
      w.setsockopt(IP, socket.IP_TOS, 0x28);
      r.setsockopt(IP, socket.IP_RECVTOS, 1);
      await w.sendto(MSG, rAddr);
      const [data, anc] = await r.recvmsg(1024, socket.CMSG_SPACE(1));
      expect(data).toEqual(MSG);
      expect(item(anc, IP, socket.IP_TOS)).toEqual(Buffer.from([0x28]));
    });

    it('an IP_TOS cmsg in sendmsg sets the TOS of one datagram', async () => {
      const { r, rAddr, w } = udpPair(form);
      r.setsockopt(IP, socket.IP_RECVTOS, 1);
      await w.sendmsg([MSG], [[IP, socket.IP_TOS, ints(0x10)]], 0, rAddr);
      expect(item((await r.recvmsg(1024, 1024))[1], IP, socket.IP_TOS)).toEqual(Buffer.from([0x10]));
    });

    it('IPV6_TCLASS set on the sender arrives with IPV6_RECVTCLASS (an int)', async () => {
      const { r, rAddr, w } = udpPair(form, socket.AF_INET6);
      w.setsockopt(IP6, socket.IPV6_TCLASS, 0x28);
      r.setsockopt(IP6, socket.IPV6_RECVTCLASS, 1);
      await w.sendto(MSG, rAddr);
      const [data, anc] = await r.recvmsg(1024, socket.CMSG_SPACE(SIZEOF_INT));
      expect(data).toEqual(MSG);
      expect(readInts(item(anc, IP6, socket.IPV6_TCLASS))).toEqual([0x28]);
    });

    it('IPV6_UNICAST_HOPS set on the sender arrives with IPV6_RECVHOPLIMIT', async () => {
      const { r, rAddr, w } = udpPair(form, socket.AF_INET6);
      w.setsockopt(IP6, socket.IPV6_UNICAST_HOPS, 9);
      r.setsockopt(IP6, socket.IPV6_RECVHOPLIMIT, 1);
      await w.sendto(MSG, rAddr);
      expect(readInts(item((await r.recvmsg(1024, 1024))[1], IP6, socket.IPV6_HOPLIMIT))).toEqual([9]);
    });
  });
}

// ---- RFC3542AncillaryTest ---------------------------------------------------------------------------------

for (const form of FORMS) {
  for (const method of ['recvmsg', 'recvmsg_into'] as Method[]) {
    describe(`RFC3542AncillaryTest with ${method} over UDP6 (${form})`, () => {
      const HOP_LIMIT = 2;
      const TRAFFIC_CLASS = -1; // kernel default
      const recv = (s: AnySock, n: number, ...args: number[]) => doRecvmsg(method, s, n, ...args);

      function env() {
        const { r, rAddr, w, wAddr } = udpPair(form, socket.AF_INET6);
        return {
          serv: r,
          cliAddr: wAddr,
          send: () => w.sendto(MSG, rAddr),
          sendmsg: (anc: Anc) => w.sendmsg([MSG], anc, 0, rAddr),
        };
      }

      /** Python's ancillaryMapping: no (level, type) twice. */
      function mapping(anc: Anc): Map<string, Buffer> {
        const m = new Map<string, Buffer>();
        for (const [l, t, d] of anc) {
          expect(m.has(`${l},${t}`)).toBe(false);
          m.set(`${l},${t}`, d);
        }
        return m;
      }

      async function checkHopLimit(
        e: ReturnType<typeof env>,
        ancbufsize: number,
        maxhop = 255,
        ignoreflags = 0,
      ) {
        const [msg, anc, flags, addr] = await recv(e.serv, MSG.length, ancbufsize);
        expect(msg).toEqual(MSG);
        expect(addr).toEqual(e.cliAddr);
        checkFlags(flags, { unset: socket.MSG_CTRUNC | socket.MSG_TRUNC, ignore: ignoreflags });
        expect(anc).toHaveLength(1);
        const [level, type, data] = anc[0];
        expect(level).toBe(IP6);
        expect(type).toBe(socket.IPV6_HOPLIMIT);
        expect(data.length).toBe(SIZEOF_INT);
        const [hop] = readInts(data);
        expect(hop).toBeGreaterThanOrEqual(0);
        expect(hop).toBeLessThanOrEqual(maxhop);
        return hop;
      }

      async function checkTrafficClassAndHopLimit(
        e: ReturnType<typeof env>,
        ancbufsize: number,
        maxhop = 255,
        ignoreflags = 0,
      ) {
        const [msg, anc, flags, addr] = await recv(e.serv, MSG.length, ancbufsize);
        expect(msg).toEqual(MSG);
        expect(addr).toEqual(e.cliAddr);
        checkFlags(flags, { unset: socket.MSG_CTRUNC | socket.MSG_TRUNC, ignore: ignoreflags });
        expect(anc).toHaveLength(2);
        const m = mapping(anc);
        const tc = m.get(`${IP6},${socket.IPV6_TCLASS}`)!;
        expect(tc.length).toBe(SIZEOF_INT);
        expect(readInts(tc)[0]).toBeGreaterThanOrEqual(0);
        expect(readInts(tc)[0]).toBeLessThanOrEqual(255);
        const hl = m.get(`${IP6},${socket.IPV6_HOPLIMIT}`)!;
        expect(hl.length).toBe(SIZEOF_INT);
        expect(readInts(hl)[0]).toBeGreaterThanOrEqual(0);
        expect(readInts(hl)[0]).toBeLessThanOrEqual(maxhop);
      }

      const recvHop = (e: ReturnType<typeof env>) => e.serv.setsockopt(IP6, socket.IPV6_RECVHOPLIMIT, 1);
      const recvBoth = (e: ReturnType<typeof env>) => {
        e.serv.setsockopt(IP6, socket.IPV6_RECVHOPLIMIT, 1);
        e.serv.setsockopt(IP6, socket.IPV6_RECVTCLASS, 1);
      };

      it('receives the hop limit (testRecvHopLimit)', async () => {
        const e = env();
        recvHop(e);
        await e.send();
        expect(await checkHopLimit(e, 10240)).toBe(64);
      });

      it('receives the hop limit into CMSG_SPACE(sizeof(int)) (testRecvHopLimitCMSG_SPACE)', async () => {
        const e = env();
        recvHop(e);
        await e.send();
        await checkHopLimit(e, socket.CMSG_SPACE(SIZEOF_INT));
      });

      it('sets the hop limit of a packet with an IPV6_HOPLIMIT cmsg (testSetHopLimit)', async () => {
        const e = env();
        recvHop(e);
        expect(await e.sendmsg([[IP6, socket.IPV6_HOPLIMIT, ints(HOP_LIMIT)]])).toBe(MSG.length);
        expect(await checkHopLimit(e, 10240, HOP_LIMIT)).toBe(HOP_LIMIT);
      });

      it('receives traffic class and hop limit (testRecvTrafficClassAndHopLimit)', async () => {
        const e = env();
        recvBoth(e);
        await e.send();
        await checkTrafficClassAndHopLimit(e, 10240);
      });

      it('receives both into 2 * CMSG_SPACE(sizeof(int)) (testRecvTrafficClassAndHopLimitCMSG_SPACE)', async () => {
        const e = env();
        recvBoth(e);
        await e.send();
        await checkTrafficClassAndHopLimit(e, socket.CMSG_SPACE(SIZEOF_INT) * 2);
      });

      it('sets traffic class and hop limit with two cmsgs (testSetTrafficClassAndHopLimit)', async () => {
        const e = env();
        recvBoth(e);
        expect(
          await e.sendmsg([
            [IP6, socket.IPV6_TCLASS, ints(TRAFFIC_CLASS)],
            [IP6, socket.IPV6_HOPLIMIT, ints(HOP_LIMIT)],
          ]),
        ).toBe(MSG.length);
        await checkTrafficClassAndHopLimit(e, 10240, HOP_LIMIT);
      });

      it('a first item one byte too long is refused or handled, the second still applies (testOddCmsgSize)', async () => {
        const e = env();
        recvBoth(e);
        let n: number;
        try {
          n = await e.sendmsg([
            [IP6, socket.IPV6_TCLASS, Buffer.concat([ints(TRAFFIC_CLASS), Buffer.from([0])])],
            [IP6, socket.IPV6_HOPLIMIT, ints(HOP_LIMIT)],
          ]);
        } catch (err: any) {
          expect(err).toBeInstanceOf(socket.OSError);
          expect(typeof err.errno).toBe('number');
          n = await e.sendmsg([
            [IP6, socket.IPV6_TCLASS, ints(TRAFFIC_CLASS)],
            [IP6, socket.IPV6_HOPLIMIT, ints(HOP_LIMIT)],
          ]);
        }
        expect(n).toBe(MSG.length);
        await checkTrafficClassAndHopLimit(e, 10240, HOP_LIMIT);
      });

      // Truncated ancillary data.

      async function checkHopLimitTruncatedHeader(
        e: ReturnType<typeof env>,
        ancbufsize: number | null,
        ignoreflags = 0,
      ) {
        const args = ancbufsize === null ? [] : [ancbufsize];
        const [msg, anc, flags, addr] = await recv(e.serv, MSG.length, ...args);
        expect(msg).toEqual(MSG);
        expect(addr).toEqual(e.cliAddr);
        expect(anc).toEqual([]);
        checkFlags(flags, { set: socket.MSG_CTRUNC, unset: socket.MSG_TRUNC, ignore: ignoreflags });
      }

      it('no ancillary buffer: nothing (testCmsgTruncNoBufSize)', async () => {
        const e = env();
        recvHop(e);
        await e.send();
        await checkHopLimitTruncatedHeader(e, null, socket.MSG_CTRUNC);
      });

      it('ancillary buffer 0: nothing (testSingleCmsgTrunc0)', async () => {
        const e = env();
        recvHop(e);
        await e.send();
        await checkHopLimitTruncatedHeader(e, 0, socket.MSG_CTRUNC);
      });

      for (const [name, size] of [
        ['testSingleCmsgTrunc1', 1],
        ['testSingleCmsgTrunc2Int', 2 * SIZEOF_INT],
        ['testSingleCmsgTruncLen0Minus1', socket.CMSG_LEN(0) - 1],
      ] as [string, number][]) {
        it(`ancillary buffer ${size}: nothing, MSG_CTRUNC (${name})`, async () => {
          const e = env();
          recvHop(e);
          await e.send();
          await checkHopLimitTruncatedHeader(e, size);
        });
      }

      it('truncation inside the data of the only item (testSingleCmsgTruncInData)', async () => {
        const e = env();
        recvHop(e);
        await e.send();
        const [msg, anc, flags, addr] = await recv(e.serv, MSG.length, socket.CMSG_LEN(SIZEOF_INT) - 1);
        expect(msg).toEqual(MSG);
        expect(addr).toEqual(e.cliAddr);
        checkFlags(flags, { set: socket.MSG_CTRUNC, unset: socket.MSG_TRUNC });
        expect(anc.length).toBeLessThanOrEqual(1);
        if (anc.length) {
          expect(anc[0][0]).toBe(IP6);
          expect(anc[0][1]).toBe(socket.IPV6_HOPLIMIT);
          expect(anc[0][2].length).toBeLessThan(SIZEOF_INT);
        }
      });

      async function checkTruncatedSecondHeader(
        e: ReturnType<typeof env>,
        ancbufsize: number,
        ignoreflags = 0,
      ) {
        const [msg, anc, flags, addr] = await recv(e.serv, MSG.length, ancbufsize);
        expect(msg).toEqual(MSG);
        expect(addr).toEqual(e.cliAddr);
        checkFlags(flags, { set: socket.MSG_CTRUNC, unset: socket.MSG_TRUNC, ignore: ignoreflags });
        expect(anc).toHaveLength(1);
        const [level, type, data] = anc[0];
        expect(level).toBe(IP6);
        expect([socket.IPV6_TCLASS, socket.IPV6_HOPLIMIT]).toContain(type);
        expect(data.length).toBe(SIZEOF_INT);
        expect(readInts(data)[0]).toBeGreaterThanOrEqual(0);
        expect(readInts(data)[0]).toBeLessThanOrEqual(255);
      }

      for (const [name, size, ignore] of [
        ['testSecondCmsgTrunc0', socket.CMSG_SPACE(SIZEOF_INT), socket.MSG_CTRUNC],
        ['testSecondCmsgTrunc1', socket.CMSG_SPACE(SIZEOF_INT) + 1, 0],
        ['testSecondCmsgTrunc2Int', socket.CMSG_SPACE(SIZEOF_INT) + 2 * SIZEOF_INT, 0],
        ['testSecondCmsgTruncLen0Minus1', socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(0) - 1, 0],
      ] as [string, number, number][]) {
        it(`room for one item and part of a second header (${size} bytes) (${name})`, async () => {
          const e = env();
          recvBoth(e);
          await e.send();
          await checkTruncatedSecondHeader(e, size, ignore);
        });
      }

      it('truncation inside the data of the second item (testSecondCmsgTruncInData)', async () => {
        const e = env();
        recvBoth(e);
        await e.send();
        const [msg, anc, flags, addr] = await recv(
          e.serv,
          MSG.length,
          socket.CMSG_SPACE(SIZEOF_INT) + socket.CMSG_LEN(SIZEOF_INT) - 1,
        );
        expect(msg).toEqual(MSG);
        expect(addr).toEqual(e.cliAddr);
        checkFlags(flags, { set: socket.MSG_CTRUNC, unset: socket.MSG_TRUNC });
        const types = new Set<number>([socket.IPV6_TCLASS, socket.IPV6_HOPLIMIT]);
        const first = anc.shift()!;
        expect(first[0]).toBe(IP6);
        expect(types.delete(first[1])).toBe(true);
        expect(first[2].length).toBe(SIZEOF_INT);
        if (anc.length) {
          const second = anc.shift()!;
          expect(second[0]).toBe(IP6);
          expect(types.delete(second[1])).toBe(true);
          expect(second[2].length).toBeLessThan(SIZEOF_INT);
        }
        expect(anc).toEqual([]);
      });
    });
  }
}

// ---- SO_TIMESTAMPNS ---------------------------------------------------------------------------------------

for (const form of FORMS) {
  describe(`SO_TIMESTAMPNS (${form})`, () => {
    it('each datagram carries a struct timespec near Date.now()', async () => {
      const { r, rAddr, w } = udpPair(form);
      r.setsockopt(socket.SOL_SOCKET, socket.SO_TIMESTAMPNS, 1);
      const before = Date.now();
      await w.sendto(MSG, rAddr);
      const [data, anc, flags] = await r.recvmsg(1024, socket.CMSG_SPACE(16));
      const after = Date.now();
      expect(data).toEqual(MSG);
      expect(flags & socket.MSG_CTRUNC).toBe(0);
      const ts = item(anc, socket.SOL_SOCKET, socket.SCM_TIMESTAMPNS);
      expect(ts.length).toBe(16);
      const sec = Number(ts.readBigInt64LE(0));
      const nsec = Number(ts.readBigInt64LE(8));
      expect(nsec).toBeGreaterThanOrEqual(0);
      expect(nsec).toBeLessThan(1e9);
      const ms = sec * 1000 + nsec / 1e6;
      // The realtime clock of the kernel and Date.now() agree to well within a second.
      expect(ms).toBeGreaterThanOrEqual(before - 1000);
      expect(ms).toBeLessThanOrEqual(after + 1000);
    });
  });
}

// ---- IP_RECVERR / IPV6_RECVERR with MSG_ERRQUEUE --------------------------------------------------------------

/** A loopback UDP port with nothing bound to it (bound, then closed). */
function closedPort(family: number): number {
  const { s, addr } = udp(family);
  s.close();
  return addr[1];
}

for (const form of FORMS) {
  describe(`IP_RECVERR with MSG_ERRQUEUE (${form})`, () => {
    for (const family of [socket.AF_INET, socket.AF_INET6]) {
      const v6 = family === socket.AF_INET6;
      it(`a datagram to a closed port queues a sock_extended_err: ECONNREFUSED from ICMP${v6 ? 'v6' : ''} (${v6 ? 'IPV6_RECVERR' : 'IP_RECVERR'})`, async () => {
        const { s } = udp(family);
        const w = toForm(form, s);
        if (v6) w.setsockopt(IP6, socket.IPV6_RECVERR, 1);
        else w.setsockopt(IP, socket.IP_RECVERR, 1);
        const host = v6 ? '::1' : '127.0.0.1';
        const port = closedPort(family);
        const dest = v6 ? [host, port, 0, 0] : [host, port];
        const payload = Buffer.from('ping');
        w.settimeout(1);
        // ICMP errors can be rate-limited when many tests run at once: retry a few times.
        let result: [Buffer, Anc, number, unknown] | null = null;
        let lastErr: unknown = null;
        for (let attempt = 0; attempt < 8 && !result; attempt++) {
          await w.sendto(payload, dest as any);
          try {
            result = (await w.recvmsg(1024, 1024, socket.MSG_ERRQUEUE)) as [Buffer, Anc, number, unknown];
          } catch (e) {
            lastErr = e;
            if (!(e instanceof socket.TimeoutError)) throw e;
          }
        }
        w.settimeout(T);
        expect(result, `no error queued: ${String(lastErr)}`).not.toBeNull();
        const [data, anc, flags, addr] = result!;
        expect(data).toEqual(payload);
        expect(flags & socket.MSG_ERRQUEUE).toBe(socket.MSG_ERRQUEUE);
        expect(addr).toEqual(dest);
        const ee = item(anc, v6 ? IP6 : IP, v6 ? socket.IPV6_RECVERR : socket.IP_RECVERR);
        // struct sock_extended_err { u32 ee_errno; u8 ee_origin, ee_type, ee_code, ee_pad; u32 ee_info, ee_data; }
        // followed by the offender's address (SO_EE_OFFENDER).
        expect(ee.length).toBeGreaterThanOrEqual(16);
        expect(ee.readUInt32LE(0)).toBe(111); // ECONNREFUSED
        expect(ee[4]).toBe(v6 ? 3 : 2); // SO_EE_ORIGIN_ICMP6 / SO_EE_ORIGIN_ICMP
        expect(ee[5]).toBe(v6 ? 1 : 3); // ICMPV6_DEST_UNREACH / ICMP_DEST_UNREACH
        expect(ee[6]).toBe(v6 ? 4 : 3); // port unreachable
        const offender = ee.subarray(16);
        expect(offender.readUInt16LE(0)).toBe(family);
        if (v6) expect(socket.inet_ntop(socket.AF_INET6, offender.subarray(8, 24))).toBe('::1');
        else expect(socket.inet_ntoa(offender.subarray(4, 8))).toBe('127.0.0.1');
        // Drain what the retries may have queued; then the queue is empty.
        w.settimeout(0);
        for (let i = 0; i < 16; i++) {
          try {
            await w.recvmsg(1024, 1024, socket.MSG_ERRQUEUE);
          } catch (e) {
            expect(e).toBeInstanceOf(socket.BlockingIOError);
            break;
          }
        }
      });
    }
  });
}

// ---- UDP GSO / GRO ----------------------------------------------------------------------------------------

const ENOPROTOOPT = 92;

for (const form of FORMS) {
  describe(`UDP_SEGMENT and UDP_GRO (${form})`, () => {
    it('a 65507-byte send with UDP_SEGMENT=1400 arrives as datagrams of <= 1400 bytes that concatenate to the payload', async (ctx) => {
      const { r, rAddr, w } = udpPair(form);
      r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20);
      await w.connect(rAddr);
      try {
        w.setsockopt(socket.SOL_UDP, socket.UDP_SEGMENT, 1400);
      } catch (e: any) {
        if (e?.errno === ENOPROTOOPT)
          ctx.skip('the kernel has no UDP GSO (setsockopt UDP_SEGMENT: ENOPROTOOPT)');
        throw e;
      }
      expect(w.getsockopt(socket.SOL_UDP, socket.UDP_SEGMENT)).toBe(1400);
      // 65507 is the largest UDP payload (64 KiB less the IP and UDP headers); 65536 is EMSGSIZE.
      const payload = crypto.randomBytes(65507);
      expect(await w.send(payload)).toBe(payload.length);
      const parts: Buffer[] = [];
      let total = 0;
      for (let i = 0; i < 100 && total < payload.length; i++) {
        const [d, , flags] = await r.recvmsg(65535);
        expect(flags & socket.MSG_TRUNC).toBe(0);
        expect(d.length).toBeLessThanOrEqual(1400);
        parts.push(d);
        total += d.length;
      }
      expect(parts).toHaveLength(Math.ceil(payload.length / 1400));
      expect(Buffer.concat(parts).equals(payload)).toBe(true);
      const e = await errorOf(() => w.send(Buffer.alloc(65536)));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(90); // EMSGSIZE
    });

    it('a UDP_SEGMENT cmsg (a u16) segments one sendmsg', async (ctx) => {
      const { r, rAddr, w } = udpPair(form);
      const seg = Buffer.alloc(2);
      seg.writeUInt16LE(1000);
      const payload = crypto.randomBytes(4500);
      let n: number;
      try {
        n = await w.sendmsg(
          [payload.subarray(0, 2000), payload.subarray(2000)],
          [[socket.SOL_UDP, socket.UDP_SEGMENT, seg]],
          0,
          rAddr,
        );
      } catch (e: any) {
        if (e?.errno === ENOPROTOOPT || e?.errno === 22)
          ctx.skip(`the kernel refuses a UDP_SEGMENT cmsg (${e.message})`);
        throw e;
      }
      expect(n).toBe(payload.length);
      const sizes: number[] = [];
      const parts: Buffer[] = [];
      for (let i = 0; i < 10 && sizes.reduce((a, b) => a + b, 0) < payload.length; i++) {
        const [d] = await r.recvmsg(65535);
        sizes.push(d.length);
        parts.push(d);
      }
      expect(sizes).toEqual([1000, 1000, 1000, 1000, 500]);
      expect(Buffer.concat(parts).equals(payload)).toBe(true);
    });

    it('UDP_GRO on the receiver: one read of the coalesced payload, with a UDP_GRO cmsg carrying the segment size', async (ctx) => {
      const { r, rAddr, w } = udpPair(form);
      try {
        r.setsockopt(socket.SOL_UDP, socket.UDP_GRO, 1);
        w.setsockopt(socket.SOL_UDP, socket.UDP_SEGMENT, 1400);
      } catch (e: any) {
        if (e?.errno === ENOPROTOOPT) ctx.skip('the kernel has no UDP GRO/GSO (ENOPROTOOPT)');
        throw e;
      }
      await w.connect(rAddr);
      const payload = crypto.randomBytes(14000);
      expect(await w.send(payload)).toBe(payload.length);
      const parts: Buffer[] = [];
      const segSizes: number[] = [];
      let total = 0;
      for (let i = 0; i < 20 && total < payload.length; i++) {
        const [d, anc] = await r.recvmsg(65535, socket.CMSG_SPACE(SIZEOF_INT));
        parts.push(d);
        total += d.length;
        for (const [level, type, data] of anc) {
          expect([level, type]).toEqual([socket.SOL_UDP, socket.UDP_GRO]);
          segSizes.push(...readInts(data));
        }
      }
      expect(Buffer.concat(parts).equals(payload)).toBe(true);
      expect(segSizes.length).toBeGreaterThanOrEqual(1);
      for (const s of segSizes) expect(s).toBe(1400);
      // Loopback hands the GSO packet to a GRO socket whole.
      expect(parts).toHaveLength(1);
    });
  });
}
