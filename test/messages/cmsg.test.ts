// CMSG_LEN / CMSG_SPACE (a port of CPython's CmsgMacroTests, with the x86_64 values), and
// bad ancillary input: every bad argument to sendmsg/recvmsg/recvmsg_into is an exception,
// nothing crashes, and no fd is left open (checked with /proc/self/fd), in both forms.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { errorOf } from '../helpers/errors';
import { fdSnapshot, newFds } from '../helpers/fds';
import { tmpPath } from '../helpers/paths';
import { adoptFd, closeFd, useSockets } from '../helpers/tracker';
import { type AnySock, FORMS, ints, MSG, pair, scmFds, T, toForm, udp } from './fixtures/forms';

useSockets({ watchdog: false });

// socklen_t limit, as in socketmodule.c: min(0x7fffffff, INT_MAX).
const LIMIT = 0x7fffffff;

describe('CmsgMacroTests', () => {
  it('CMSG_LEN has the x86_64 values (CMSG_LEN(0)=16, CMSG_LEN(4)=20)', () => {
    expect(socket.CMSG_LEN(0)).toBe(16);
    expect(socket.CMSG_LEN(1)).toBe(17);
    expect(socket.CMSG_LEN(4)).toBe(20);
    expect(socket.CMSG_LEN(8)).toBe(24);
    expect(socket.CMSG_LEN(12)).toBe(28);
  });

  it('CMSG_SPACE has the x86_64 values (CMSG_SPACE(0)=16, CMSG_SPACE(1..8)=24)', () => {
    expect(socket.CMSG_SPACE(0)).toBe(16);
    for (let n = 1; n <= 8; n++) expect(socket.CMSG_SPACE(n)).toBe(24);
    expect(socket.CMSG_SPACE(9)).toBe(32);
    expect(socket.CMSG_SPACE(12)).toBe(32);
    expect(socket.CMSG_SPACE(16)).toBe(32);
    expect(socket.CMSG_SPACE(17)).toBe(40);
  });

  it('CMSG_LEN(n) - CMSG_LEN(0) == n up to the socklen_t limit, and RangeError beyond (testCMSG_LEN)', () => {
    const toobig = LIMIT - socket.CMSG_LEN(0) + 1;
    const values: number[] = [];
    for (let n = 0; n < 257; n++) values.push(n);
    for (let n = toobig - 257; n < toobig; n++) values.push(n);
    // struct cmsghdr has at least three members, two of which are ints.
    expect(socket.CMSG_LEN(0)).toBeGreaterThan(2 * 4);
    for (const n of values) {
      const ret = socket.CMSG_LEN(n);
      expect(ret - socket.CMSG_LEN(0)).toBe(n);
      expect(ret).toBeLessThanOrEqual(LIMIT);
    }
    for (const bad of [-1, toobig, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      let err: any;
      try {
        socket.CMSG_LEN(bad);
      } catch (e) {
        err = e;
      }
      expect(err, `CMSG_LEN(${bad})`).toBeInstanceOf(RangeError);
      expect(err.message).toBe('CMSG_LEN() argument out of range');
    }
    for (const bad of [1.5, '4', null, undefined, {}]) {
      expect(() => socket.CMSG_LEN(bad as any), `CMSG_LEN(${String(bad)})`).toThrow(TypeError);
    }
  });

  it('CMSG_SPACE grows monotonically, covers CMSG_LEN(n), and rejects what would pass the limit (testCMSG_SPACE)', () => {
    const toobig = LIMIT - socket.CMSG_SPACE(1) + 1;
    const values: number[] = [];
    for (let n = 0; n < 257; n++) values.push(n);
    for (let n = toobig - 257; n < toobig; n++) values.push(n);
    let last = socket.CMSG_SPACE(0);
    expect(last).toBeGreaterThan(2 * 4);
    for (const n of values) {
      const ret = socket.CMSG_SPACE(n);
      expect(ret).toBeGreaterThanOrEqual(last);
      expect(ret).toBeGreaterThanOrEqual(socket.CMSG_LEN(n));
      expect(ret).toBeGreaterThanOrEqual(n + socket.CMSG_LEN(0));
      expect(ret).toBeLessThanOrEqual(LIMIT);
      last = ret;
    }
    // CPython rejects from LIMIT - CMSG_SPACE(1) + 1 on.
    for (const bad of [-1, toobig, Number.MAX_SAFE_INTEGER]) {
      let err: any;
      try {
        socket.CMSG_SPACE(bad);
      } catch (e) {
        err = e;
      }
      expect(err, `CMSG_SPACE(${bad}) should be a RangeError`).toBeInstanceOf(RangeError);
      expect(err.message).toBe('CMSG_SPACE() argument out of range');
    }
  });

  it('CMSG_SPACE never returns more than the socklen_t limit 0x7fffffff', () => {
    const toobig = LIMIT - socket.CMSG_SPACE(1) + 1;
    const bad: string[] = [];
    for (let n = toobig; n <= LIMIT; n++) {
      let r: number;
      try {
        r = socket.CMSG_SPACE(n);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        continue;
      }
      if (r > LIMIT) bad.push(`CMSG_SPACE(0x${n.toString(16)}) = 0x${r.toString(16)}`);
    }
    expect(bad).toEqual([]);
  });
});

// ---- bad ancillary input -----------------------------------------------------------------------

type Case = [what: string, call: (a: AnySock, b: AnySock, file: number) => unknown, check: (e: any) => void];

const isType = (e: any) => expect(e).toBeInstanceOf(TypeError);
const isRange = (msg?: string) => (e: any) => {
  expect(e).toBeInstanceOf(RangeError);
  if (msg) expect(e.message).toBe(msg);
};
const isOS = (errno?: number) => (e: any) => {
  expect(e).toBeInstanceOf(socket.OSError);
  if (errno !== undefined) expect(e.errno).toBe(errno);
};

const SR = socket.SOL_SOCKET;
const RIGHTS = socket.SCM_RIGHTS;

// Run on an AF_UNIX datagram socketpair [a, b]; `file` is an open regular file's fd.
const CASES: Case[] = [
  // item shapes
  ['item [1, 2]', (a) => a.sendmsg([MSG], [[1, 2] as any]), isType],
  ['item [level, type] without data', (a) => a.sendmsg([MSG], [[SR, RIGHTS] as any]), isType],
  ['item with 4 members', (a, _b, f) => a.sendmsg([MSG], [[SR, RIGHTS, ints(f), 0] as any]), isType],
  ['item an object', (a) => a.sendmsg([MSG], [{} as any]), isType],
  ['item a number', (a) => a.sendmsg([MSG], [5 as any]), isType],
  ['item null', (a) => a.sendmsg([MSG], [null as any]), isType],
  ['flat [level, type, data]', (a, _b, f) => a.sendmsg([MSG], [SR, RIGHTS, ints(f)] as any), isType],
  ['ancdata a number', (a) => a.sendmsg([MSG], 3 as any), isType],
  ['ancdata a string', (a) => a.sendmsg([MSG], 'SCM_RIGHTS' as any), isType],
  // item members
  ['level a string', (a, _b, f) => a.sendmsg([MSG], [['1', RIGHTS, ints(f)] as any]), isType],
  ['type a float', (a, _b, f) => a.sendmsg([MSG], [[SR, 1.5, ints(f)] as any]), isType],
  [
    'level beyond a C int',
    (a, _b, f) => a.sendmsg([MSG], [[2 ** 40, RIGHTS, ints(f)] as any]),
    (e) => expect(e).toBeInstanceOf(Error),
  ],
  // non-buffer data
  ['data a string', (a) => a.sendmsg([MSG], [[SR, RIGHTS, 'fds' as any]]), isType],
  ['data a number', (a, _b, f) => a.sendmsg([MSG], [[SR, RIGHTS, f as any]]), isType],
  ['data an array of numbers', (a, _b, f) => a.sendmsg([MSG], [[SR, RIGHTS, [f] as any]]), isType],
  ['data null', (a) => a.sendmsg([MSG], [[SR, RIGHTS, null as any]]), isType],
  ['data an object', (a) => a.sendmsg([MSG], [[SR, RIGHTS, {} as any]]), isType],
  // buffers argument
  [
    'buffers a number',
    (a) => a.sendmsg(7 as any),
    (e) => {
      isType(e);
      expect(e.message).toBe('sendmsg() argument 1 must be an iterable');
    },
  ],
  ['buffers null', (a) => a.sendmsg(null as any), isType],
  ['buffers a string', (a) => a.sendmsg('text' as any), isType],
  ['buffers [string]', (a) => a.sendmsg(['text' as any]), isType],
  ['buffers [number]', (a) => a.sendmsg([1 as any]), isType],
  ['1025 buffers', (a) => a.sendmsg(Array.from({ length: 1025 }, () => Buffer.alloc(1))), isOS()],
  // kernel rejections
  ['SCM_RIGHTS with fd -1', (a) => a.sendmsg([MSG], [[SR, RIGHTS, ints(-1)]]), isOS(9)],
  [
    'SCM_RIGHTS with a closed fd',
    (a, _b, f) => a.sendmsg([MSG], [[SR, RIGHTS, ints(f, 0x7ffffff0)]]),
    isOS(9),
  ],
  [
    'SCM_RIGHTS with 254 fds (over SCM_MAX_FD)',
    (a, _b, f) => a.sendmsg([MSG], [[SR, RIGHTS, ints(...new Array(254).fill(f))]]),
    isOS(22),
  ],
  ['unknown SOL_SOCKET cmsg type', (a) => a.sendmsg([MSG], [[SR, 999, ints(1)]]), isOS(22)],
  [
    'SCM_CREDENTIALS of the wrong size',
    (a) => a.sendmsg([MSG], [[SR, socket.SCM_CREDENTIALS, ints(1)]]),
    isOS(22),
  ],
  ['huge ancillary item (1 MiB)', (a) => a.sendmsg([MSG], [[SR, RIGHTS, Buffer.alloc(1 << 20)]]), isOS()],
  [
    'ancillary items adding up to more than optmem',
    (a, _b, f) =>
      a.sendmsg(
        [MSG],
        Array.from({ length: 2000 }, () => [SR, RIGHTS, ints(f)] as [number, number, Buffer]),
      ),
    isOS(),
  ],
  // receive side
  ['recvmsg(-1)', (_a, b) => b.recvmsg(-1), isRange('negative buffer size in recvmsg()')],
  ['recvmsg(10, -1)', (_a, b) => b.recvmsg(10, -1), isRange('invalid ancillary data buffer length')],
  ['recvmsg(10, 2**31)', (_a, b) => b.recvmsg(10, 2 ** 31), isRange('invalid ancillary data buffer length')],
  [
    'recvmsg(10, 2**53)',
    (_a, b) => b.recvmsg(10, Number.MAX_SAFE_INTEGER),
    isRange('invalid ancillary data buffer length'),
  ],
  ['recvmsg(10, NaN)', (_a, b) => b.recvmsg(10, NaN), isType],
  ['recvmsg(10, Infinity)', (_a, b) => b.recvmsg(10, Infinity), (e) => expect(e).toBeInstanceOf(Error)],
  ['recvmsg(2**53)', (_a, b) => b.recvmsg(Number.MAX_SAFE_INTEGER), (e) => expect(e).toBeInstanceOf(Error)],
  ['recvmsg("10")', (_a, b) => b.recvmsg('10' as any), isType],
  [
    'recvmsg_into(5)',
    (_a, b) => b.recvmsg_into(5 as any),
    (e) => {
      isType(e);
      expect(e.message).toBe('recvmsg_into() argument 1 must be an iterable');
    },
  ],
  [
    'recvmsg_into([buf], -1)',
    (_a, b) => b.recvmsg_into([Buffer.alloc(4)], -1),
    isRange('invalid ancillary data buffer length'),
  ],
  ['recvmsg_into(["str"])', (_a, b) => b.recvmsg_into(['str' as any]), isType],
  [
    'recvmsg_into 1025 buffers',
    (_a, b) => b.recvmsg_into(Array.from({ length: 1025 }, () => Buffer.alloc(1))),
    isOS(),
  ],
];

describe('bad ancillary input: exceptions, no crash, no leaked fd', () => {
  for (const form of FORMS) {
    it(`every bad input is an exception and /proc/self/fd is unchanged (${form})`, async () => {
      const path = tmpPath('plain');
      fs.writeFileSync(path, 'content');
      // Warm-up: let lazily opened fds (if any) appear before the snapshot.
      {
        const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
        await a.sendmsg([MSG]);
        await b.recvmsg(100, 100);
        a.close();
        b.close();
      }
      const file = fs.openSync(path, 'r');
      const before = fdSnapshot();
      const [a, b] = pair(form, socket.AF_UNIX, socket.SOCK_DGRAM);
      for (const [what, call, check] of CASES) {
        const e = await errorOf(() => call(a, b, file));
        try {
          check(e);
        } catch (assertion) {
          throw new Error(`${what}: unexpected ${e?.name}: ${e?.message}\n${String(assertion)}`);
        }
      }
      // Nothing was queued by the failed calls, and the pair still works.
      await a.sendmsg([Buffer.from('ok')], [[SR, RIGHTS, ints(file)]]);
      const [data, anc, flags] = await b.recvmsg(100, socket.CMSG_SPACE(4));
      expect(data).toEqual(Buffer.from('ok'));
      expect(flags & socket.MSG_CTRUNC).toBe(0);
      const fds = scmFds(anc);
      expect(fds).toHaveLength(1);
      expect(fs.readFileSync(fds[0]).toString()).toBe('content');
      closeFd(fds[0]);
      a.close();
      b.close();
      fs.closeSync(file);
      expect(newFds(before)).toEqual([]);
    });
  }

  it('fds received when the ancillary buffer overflows in recvmsg_into are usable, and MSG_CTRUNC is set', async () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM);
    const path = tmpPath('plain');
    fs.writeFileSync(path, 'abc');
    const f = adoptFd(fs.openSync(path, 'r'));
    const before = fdSnapshot();
    await a.sendmsg([MSG], [[SR, RIGHTS, ints(f, f, f)]]);
    const buf = Buffer.alloc(MSG.length);
    const [n, anc, flags] = (b as socket.Socket).recvmsg_into([buf], socket.CMSG_LEN(4));
    expect(n).toBe(MSG.length);
    expect(flags & socket.MSG_CTRUNC).toBe(socket.MSG_CTRUNC);
    const fds = scmFds(anc);
    expect(fds).toHaveLength(1);
    expect(fs.readFileSync(fds[0], 'utf8')).toBe('abc');
    closeFd(fds[0]);
    expect(newFds(before)).toEqual([]);
  });

  it('SCM_RIGHTS on a UDP socket carries no fd (Linux ignores it there), nothing leaks', async () => {
    const path = tmpPath('plain');
    fs.writeFileSync(path, 'x');
    const f = adoptFd(fs.openSync(path, 'r'));
    const before = fdSnapshot();
    const { s: r, addr } = udp();
    const { s: w } = udp();
    for (const form of FORMS) {
      const ws = toForm(form, w);
      const rs = toForm(form, r);
      expect(await ws.sendmsg([MSG], [[SR, RIGHTS, ints(f)]], 0, addr)).toBe(MSG.length);
      const [data, anc] = await rs.recvmsg(100, 1024);
      expect(data).toEqual(MSG);
      expect(anc).toEqual([]);
    }
    w.close();
    r.close();
    expect(newFds(before)).toEqual([]);
  });
});

describe('recvmsg with the largest ancbufsize (2**31 - 1)', () => {
  it('times out with TimeoutError on an idle socket, then receives a message and only the ancillary data sent', async () => {
    const [a, b] = pair('sync', socket.AF_UNIX, socket.SOCK_DGRAM) as [socket.Socket, socket.Socket];
    b.settimeout(0.02);
    // The control buffer is not zero-filled before the wait (native/message.cc): its 2 GiB
    // are never touched, so the peak resident size does not grow by them.
    const peakKiB = process.resourceUsage().maxRSS;
    expect(await errorOf(() => b.recvmsg(1, LIMIT))).toBeInstanceOf(socket.TimeoutError);
    expect(await errorOf(() => b.recvmsg(0, LIMIT))).toBeInstanceOf(socket.TimeoutError);
    expect(process.resourceUsage().maxRSS - peakKiB).toBeLessThan(1 << 20);
    b.settimeout(T);
    const fd = fs.openSync('/dev/null', 'r');
    try {
      a.sendmsg([MSG], [[socket.SOL_SOCKET, socket.SCM_RIGHTS, ints(fd)]]);
    } finally {
      fs.closeSync(fd);
    }
    const [msg, anc, flags] = b.recvmsg(MSG.length, LIMIT);
    expect(msg).toEqual(MSG);
    expect(flags).toBe(0);
    // One item of exactly one int: nothing past what the kernel wrote is read.
    expect(anc.map(([level, type, data]) => [level, type, data.length])).toEqual([
      [socket.SOL_SOCKET, socket.SCM_RIGHTS, 4],
    ]);
    for (const got of scmFds(anc)) closeFd(got);
  });
});
