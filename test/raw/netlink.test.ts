// AF_NETLINK (route netlink): addresses [pid, groups] and an RTM_GETLINK dump parsed by hand.
// Netlink headers are in host byte order; these tests read them with the machine's endianness.
import { describe, expect, it } from 'vitest';
import { endianness } from 'node:os';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

// <linux/netlink.h> and <linux/rtnetlink.h>
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16;

const LE = endianness() === 'LE';
const u16 = (b: Buffer, o: number) => (LE ? b.readUInt16LE(o) : b.readUInt16BE(o));
const u32 = (b: Buffer, o: number) => (LE ? b.readUInt32LE(o) : b.readUInt32BE(o));
const i32 = (b: Buffer, o: number) => (LE ? b.readInt32LE(o) : b.readInt32BE(o));
const align4 = (n: number) => (n + 3) & ~3;
const w16 = (b: Buffer, v: number, o: number) => (LE ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
const w32 = (b: Buffer, v: number, o: number) => (LE ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));

function route(): socket.Socket {
  const s = track(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE));
  s.settimeout(3);
  return s;
}

/** struct nlmsghdr + struct ifinfomsg asking for every link. */
function getlinkDump(seq: number): Buffer {
  const m = Buffer.alloc(NLMSG_HDRLEN + IFINFOMSG_LEN);
  w32(m, m.length, 0); // nlmsg_len
  w16(m, RTM_GETLINK, 4); // nlmsg_type
  w16(m, NLM_F_REQUEST | NLM_F_DUMP, 6); // nlmsg_flags
  w32(m, seq, 8); // nlmsg_seq
  w32(m, 0, 12); // nlmsg_pid: 0 (the kernel's replies carry ours)
  m[16] = socket.AF_UNSPEC; // ifi_family; the rest of ifinfomsg stays zero
  return m;
}

/** [ifindex, ifname][] from the replies, reading until NLMSG_DONE (bounded). */
function readLinks(s: socket.Socket, seq: number, ourPid: number): [number, string][] {
  const links: [number, string][] = [];
  for (let datagrams = 0; datagrams < 1000; datagrams++) {
    const [buf, from] = s.recvfrom(65536);
    expect(from).toEqual([0, 0]); // from the kernel: pid 0, no groups
    for (let off = 0; off + NLMSG_HDRLEN <= buf.length;) {
      const len = u32(buf, off);
      const type = u16(buf, off + 4);
      expect(len).toBeGreaterThanOrEqual(NLMSG_HDRLEN);
      expect(u32(buf, off + 8)).toBe(seq);
      expect(u32(buf, off + 12)).toBe(ourPid);
      if (type === NLMSG_DONE) return links;
      if (type === NLMSG_ERROR) throw new Error(`netlink error ${-i32(buf, off + NLMSG_HDRLEN)}`);
      if (type === RTM_NEWLINK) {
        const index = i32(buf, off + NLMSG_HDRLEN + 4);
        // struct rtattr { u16 rta_len; u16 rta_type; } then the value, each padded to 4 bytes.
        for (let a = off + NLMSG_HDRLEN + IFINFOMSG_LEN; a + 4 <= off + len;) {
          const alen = u16(buf, a);
          if (alen < 4) break;
          if (u16(buf, a + 2) === IFLA_IFNAME)
            links.push([index, buf.toString('utf8', a + 4, a + alen).replace(/\0+$/, '')]);
          a += align4(alen);
        }
      }
      off += align4(len);
    }
  }
  throw new Error('no NLMSG_DONE within 1000 datagrams');
}

describe('AF_NETLINK', () => {
  it('bind([0, 0]) lets the kernel assign the port id; getsockname returns [pid, groups]', () => {
    const s = route();
    expect([s.family, s.type, s.proto]).toEqual([socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE]);
    s.bind([0, 0]);
    const [pid, groups] = s.getsockname() as [number, number];
    expect(Number.isInteger(pid)).toBe(true);
    expect(pid).toBeGreaterThan(0);
    expect(groups).toBe(0);
    // A second socket gets another id.
    const t = route();
    t.bind([0, 0]);
    expect((t.getsockname() as [number, number])[0]).not.toBe(pid);
  });

  it('malformed netlink addresses are TypeError / RangeError', () => {
    const s = route();
    expect(() => s.bind([0] as never)).toThrow(TypeError);
    expect(() => s.bind([0, 0, 0] as never)).toThrow(TypeError);
    expect(() => s.bind(['0', 0] as never)).toThrow(TypeError);
    expect(() => s.bind([-1, 0])).toThrow(RangeError);
    expect(() => s.bind([0, 2 ** 32])).toThrow(RangeError);
  });

  it("an RTM_GETLINK dump lists the links; 'lo' is among the IFLA_IFNAME attributes", () => {
    const s = route();
    s.bind([0, 0]);
    const pid = (s.getsockname() as [number, number])[0];
    const seq = 1000 + Math.floor(Math.random() * 1e6);
    const req = getlinkDump(seq);
    expect(s.sendto(req, [0, 0])).toBe(req.length); // to the kernel: pid 0
    const links = readLinks(s, seq, pid);
    const names = links.map(([, name]) => name);
    expect(names).toContain('lo');
    expect(links.find(([, name]) => name === 'lo')![0]).toBe(socket.if_nametoindex('lo'));
    expect(new Set(names)).toEqual(new Set(socket.if_nameindex().map(([, name]) => name)));
  });

  it('an unknown message type gets an NLMSG_ERROR reply carrying -EOPNOTSUPP', () => {
    const s = route();
    s.bind([0, 0]);
    const req = getlinkDump(7);
    w16(req, 0x7ff0, 4); // far beyond RTM_MAX
    s.sendto(req, [0, 0]);
    const reply = s.recv(65536);
    expect(u16(reply, 4)).toBe(NLMSG_ERROR);
    expect(u32(reply, 8)).toBe(7);
    expect(-i32(reply, NLMSG_HDRLEN)).toBe(95); // struct nlmsgerr { int error; ... }: -EOPNOTSUPP
  });

  it('sending on a closed netlink socket is OSError EBADF', () => {
    const s = route();
    s.close();
    expect(catchError(() => s.sendto(getlinkDump(1), [0, 0]))).toMatchObject({ errno: 9 });
  });
});
