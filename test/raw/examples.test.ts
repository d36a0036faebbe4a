// The raw-socket examples (examples/ping.ts, traceroute.ts, sniffer.ts, arping.ts), run the
// way a user runs them (`node <tsx cli> examples/<file>.ts ...`) in child processes:
//
// - on loopback, in the host's own network namespace;
// - across a test network of three namespaces, host A - router R - host B, built for this file
//   by helpers/netns.ts with veth pairs and private addresses (10.200.x.0/24, fd00:200:x::/64),
//   and removed in afterAll even when tests fail (plus an exit hook, plus removal of leftovers
//   of earlier runs whose process is gone).
//
// The children run concurrently where they do not depend on each other, to keep this file fast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import * as socket from '../../lib/index';
import { start, type Run } from '../helpers/children';
import { withMachineLock } from '../helpers/machine-lock';
import { CHILD_KILL_AFTER, CHILD_TEST_TIMEOUT, NETNS, RAW, exampleArgv, runExample } from './helpers/env';
import { createTopology, type Topology } from './helpers/netns';

const BPF_FIXTURE = path.join(__dirname, 'helpers', 'udp-port-47913.bpf'); // tcpdump -dd 'udp port 47913'

// How long an example waits for an answer it expects (ping -W, traceroute -w, arping -i). Each
// stops waiting as soon as the answer is there, so this only matters on a machine so busy that
// the example is not scheduled in time (with one second, answers sitting in the socket were
// reported lost). Waits for answers that must NOT come stay short.
const REPLY_WAIT = '5';
const ARP_WAIT = '2'; // arping waits out its whole interval after a reply, so it costs count * 2 s
// Sniffers stop by themselves after this many seconds at the latest (they normally get SIGINT).
const SNIFF_LIMIT = '100';

/** The summary numbers of a ping run. */
function pingSummary(out: string): { transmitted: number; received: number; loss: number } {
  const m = /(\d+) packets transmitted, (\d+) received, (\d+)% packet loss/.exec(out);
  expect(m, out).not.toBeNull();
  return { transmitted: Number(m![1]), received: Number(m![2]), loss: Number(m![3]) };
}

/** The per-reply lines: [seq, ttl, rtt]. */
function pingReplies(out: string, from: string): [number, number, number][] {
  const re = new RegExp(
    `^64 bytes from ${from.replace(/\./g, '\\.')}: icmp_seq=(\\d+) ttl=(\\d+) time=([\\d.]+) ms$`,
    'gm',
  );
  return [...out.matchAll(re)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
}

/** traceroute lines: hop number -> first address shown on that line. */
function hops(out: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of out.split('\n')) {
    const h = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (h && !line.startsWith('traceroute')) m.set(Number(h[1]), h[2]);
  }
  return m;
}

function show(r: Run): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

// ---- without any privilege -----------------------------------------------------------------

describe('example argument handling', () => {
  it(
    'each example exits with status 2 and a usage line when arguments are missing or wrong',
    async () => {
      const runs = await Promise.all([
        runExample('ping.ts', []),
        runExample('ping.ts', ['-c', 'many', '127.0.0.1']),
        runExample('traceroute.ts', ['--bogus', '127.0.0.1']),
        runExample('sniffer.ts', ['-f', 'no-such-filter']),
        runExample('arping.ts', ['127.0.0.1']), // no -I
      ]);
      for (const r of runs) {
        expect(r.code, show(r)).toBe(2);
        expect(r.stderr, show(r)).toMatch(/usage: \w+\.ts/);
      }
    },
    CHILD_TEST_TIMEOUT,
  );
});

// ---- loopback, host namespace ----------------------------------------------------------------

describe('examples on loopback', () => {
  it.skipIf(RAW.skip)(
    `ping.ts 127.0.0.1 and ping.ts -6 ::1 get every reply${RAW.why}`,
    async () => {
      const [v4, v6] = await Promise.all([
        runExample('ping.ts', ['-c', '3', '-i', '0.2', '-W', REPLY_WAIT, '127.0.0.1']),
        runExample('ping.ts', ['-6', '-c', '2', '-i', '0.2', '-W', REPLY_WAIT, '::1']),
      ]);
      expect(v4.code, show(v4)).toBe(0);
      expect(v4.stdout).toMatch(/^PING 127\.0\.0\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.$/m);
      expect(pingReplies(v4.stdout, '127.0.0.1').map(([seq, ttl]) => [seq, ttl])).toEqual([
        [1, 64],
        [2, 64],
        [3, 64],
      ]);
      expect(pingSummary(v4.stdout)).toEqual({ transmitted: 3, received: 3, loss: 0 });
      expect(v4.stdout).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m);

      expect(v6.code, show(v6)).toBe(0);
      expect(pingReplies(v6.stdout, '::1').map(([seq, ttl]) => [seq, ttl])).toEqual([
        [1, 64],
        [2, 64],
      ]);
      expect(pingSummary(v6.stdout)).toEqual({ transmitted: 2, received: 2, loss: 0 });
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(RAW.skip)(
    `traceroute.ts 127.0.0.1 (UDP and -I ICMP) reaches it at hop 1${RAW.why}`,
    async () => {
      const [udp, icmp] = await Promise.all([
        runExample('traceroute.ts', ['-q', '2', '-w', REPLY_WAIT, '127.0.0.1']),
        runExample('traceroute.ts', ['-I', '-q', '1', '-w', REPLY_WAIT, '127.0.0.1']),
      ]);
      for (const r of [udp, icmp]) {
        expect(r.code, show(r)).toBe(0);
        expect([...hops(r.stdout)]).toEqual([[1, '127.0.0.1']]);
      }
      expect(udp.stdout).toMatch(/^ 1 {2}127\.0\.0\.1 {2}[\d.]+ ms {2}[\d.]+ ms$/m);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(RAW.skip)(
    `sniffer.ts -i lo --bpf <tcpdump -dd output> shows only the matching datagrams${RAW.why}`,
    async () => {
      // The fixture's filter matches port 47913: no other sender to it on lo meanwhile, in this
      // run (test/raw/filter.test.ts) or another run of the suite on the machine.
      await withMachineLock('udp-47913-lo', async () => {
        const sniffer = start(
          process.execPath,
          exampleArgv('sniffer.ts', ['-i', 'lo', '--bpf', BPF_FIXTURE, '-c', '2', '-W', SNIFF_LIMIT]).slice(
            1,
          ),
          CHILD_KILL_AFTER,
        );
        await sniffer.waitFor(/listening on lo/, CHILD_KILL_AFTER);
        const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
        try {
          tx.bind(['127.0.0.1', 0]);
          tx.sendto(Buffer.from('other'), ['127.0.0.1', 47914]);
          tx.sendto(Buffer.from('first'), ['127.0.0.1', 47913]);
          tx.sendto(Buffer.from('second!'), ['127.0.0.1', 47913]);
        } finally {
          tx.close();
        }
        const r = await sniffer.exit;
        expect(r.code, show(r)).toBe(0);
        const lines = r.stdout.trim().split('\n');
        expect(lines, show(r)).toHaveLength(2);
        // Each packet once (the outgoing copy on lo is skipped), with zero MACs on lo.
        expect(lines[0]).toMatch(
          /^\d\d:\d\d:\d\d\.\d{6} lo In {2}00:00:00:00:00:00 > 00:00:00:00:00:00, IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.47913: UDP, length 5$/,
        );
        expect(lines[1]).toMatch(/> 127\.0\.0\.1\.47913: UDP, length 7$/);
        expect(r.stderr).toContain('2 packets captured');
      });
    },
    CHILD_TEST_TIMEOUT,
  );
});

// ---- across namespaces -----------------------------------------------------------------------

describe.concurrent('examples across network namespaces (A - router - B)', () => {
  let topo: Topology;

  beforeAll(() => {
    if (!NETNS.skip) topo = createTopology();
  });

  afterAll(() => {
    topo?.destroy();
  });

  it.skipIf(NETNS.skip)(
    `ping.ts from A to B, IPv4 and IPv6: TTL 63 after the router hop${NETNS.why}`,
    async () => {
      const [v4, v6] = await Promise.all([
        topo.example(topo.a, 'ping.ts', ['-c', '2', '-i', '0.2', '-W', REPLY_WAIT, topo.ip.b4]),
        topo.example(topo.a, 'ping.ts', ['-6', '-c', '2', '-i', '0.2', '-W', REPLY_WAIT, topo.ip.b6]),
      ]);
      expect(v4.code, show(v4)).toBe(0);
      expect(pingReplies(v4.stdout, topo.ip.b4).map(([seq, ttl]) => [seq, ttl])).toEqual([
        [1, 63],
        [2, 63],
      ]);
      expect(v6.code, show(v6)).toBe(0);
      expect(pingReplies(v6.stdout, topo.ip.b6).map(([seq, ttl]) => [seq, ttl])).toEqual([
        [1, 63],
        [2, 63],
      ]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    `ping.ts to an address nobody has: 100% loss, exit status 1${NETNS.why}`,
    async () => {
      const r = await topo.example(topo.a, 'ping.ts', ['-c', '2', '-i', '0.1', '-W', '0.5', '10.200.1.99']);
      expect(r.code, show(r)).toBe(1);
      expect(pingSummary(r.stdout)).toEqual({ transmitted: 2, received: 0, loss: 100 });
      expect(r.stdout).not.toContain('rtt min');
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    `ping.ts --dgram works without CAP_NET_RAW where ping_group_range allows our gid${NETNS.why}`,
    async () => {
      // Allow every group in A (the range is per network namespace); R keeps the default "1 0".
      const set = await topo.exec(topo.a, ['sysctl', '-q', '-w', 'net.ipv4.ping_group_range=0 2147483647']);
      expect(set.code, show(set)).toBe(0);
      const unprivileged = (ns: string, args: string[]) =>
        topo.exec(ns, [
          'setpriv',
          '--inh-caps=-net_raw',
          '--bounding-set=-net_raw',
          '--',
          ...exampleArgv('ping.ts', args),
        ]);
      const [v4, v6, refused] = await Promise.all([
        unprivileged(topo.a, ['--dgram', '-c', '2', '-i', '0.2', '-W', REPLY_WAIT, topo.ip.b4]),
        unprivileged(topo.a, ['--dgram', '-6', '-c', '2', '-i', '0.2', '-W', REPLY_WAIT, topo.ip.b6]),
        unprivileged(topo.r, ['--dgram', '-c', '1', topo.ip.b4]),
      ]);
      expect(v4.code, show(v4)).toBe(0);
      expect(pingReplies(v4.stdout, topo.ip.b4).map(([seq, ttl]) => [seq, ttl])).toEqual([
        [1, 63],
        [2, 63],
      ]);
      expect(v6.code, show(v6)).toBe(0);
      expect(pingReplies(v6.stdout, topo.ip.b6).map(([seq, ttl]) => [seq, ttl])).toEqual([
        [1, 63],
        [2, 63],
      ]);
      // Outside the range the kernel says EACCES, and the example explains why.
      expect(refused.code, show(refused)).toBe(2);
      expect(refused.stderr).toContain('[Errno 13] Permission denied');
      expect(refused.stderr).toContain('ping_group_range');
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    `traceroute.ts from A to B: hop 1 is the router, hop 2 is B (UDP, -I, -6)${NETNS.why}`,
    async () => {
      const runs = await Promise.all([
        topo.example(topo.a, 'traceroute.ts', ['-q', '2', '-w', REPLY_WAIT, topo.ip.b4]),
        topo.example(topo.a, 'traceroute.ts', ['-I', '-q', '1', '-w', REPLY_WAIT, topo.ip.b4]),
        topo.example(topo.a, 'traceroute.ts', ['-6', '-q', '1', '-w', REPLY_WAIT, topo.ip.b6]),
        topo.example(topo.a, 'traceroute.ts', ['-m', '1', '-q', '1', '-w', REPLY_WAIT, topo.ip.b4]),
      ]);
      const [udp, icmp, v6, short] = runs;
      for (const r of [udp, icmp]) {
        expect(r.code, show(r)).toBe(0);
        expect([...hops(r.stdout)], show(r)).toEqual([
          [1, topo.ip.ra4],
          [2, topo.ip.b4],
        ]);
      }
      expect(udp.stdout).toMatch(
        new RegExp(`^ 1 {2}${topo.ip.ra4.replace(/\./g, '\\.')} {2}[\\d.]+ ms {2}[\\d.]+ ms$`, 'm'),
      );
      expect(v6.code, show(v6)).toBe(0);
      expect([...hops(v6.stdout)], show(v6)).toEqual([
        [1, topo.ip.ra6],
        [2, topo.ip.b6],
      ]);
      // Not reached within -m 1: exit status 1, only the router shown.
      expect(short.code, show(short)).toBe(1);
      expect([...hops(short.stdout)]).toEqual([[1, topo.ip.ra4]]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    `arping.ts across the veth gets the router's MAC (SOCK_DGRAM and --raw)${NETNS.why}`,
    async () => {
      const routerMac = topo.mac(topo.r, 'veth-ra').toUpperCase();
      const [dgram, raw, nobody] = await Promise.all([
        topo.example(topo.a, 'arping.ts', ['-I', 'veth-a', '-c', '2', '-i', ARP_WAIT, topo.ip.ra4]),
        topo.example(topo.a, 'arping.ts', [
          '--raw',
          '-I',
          'veth-a',
          '-s',
          topo.ip.a4,
          '-c',
          '1',
          '-i',
          ARP_WAIT,
          topo.ip.ra4,
        ]),
        topo.example(topo.a, 'arping.ts', ['-I', 'veth-a', '-c', '1', '-i', '0.3', '10.200.1.99']),
      ]);
      for (const [r, n] of [
        [dgram, 2],
        [raw, 1],
      ] as const) {
        expect(r.code, show(r)).toBe(0);
        expect(r.stdout).toContain(`ARPING ${topo.ip.ra4} from ${topo.ip.a4} veth-a`);
        const replies = [...r.stdout.matchAll(/^Unicast reply from (\S+) \[([0-9A-F:]+)\] {2}[\d.]+ms$/gm)];
        expect(
          replies.map((m) => [m[1], m[2]]),
          show(r),
        ).toEqual(Array(n).fill([topo.ip.ra4, routerMac]));
        expect(r.stdout).toContain(`Received ${n} response(s)`);
      }
      expect(nobody.code, show(nobody)).toBe(1);
      expect(nobody.stdout).toContain('Received 0 response(s)');
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    `sniffer.ts -f udp in B sees the UDP datagrams and not the pings sent at the same time${NETNS.why}`,
    async () => {
      // Two sniffers on B's link: "udp" is the one under test; "icmp" proves the pings did cross it.
      // Both run until they get SIGINT (Ctrl-C) once our traffic has been seen: the other tests
      // send UDP probes (traceroute) and ICMPv6 neighbour discovery across this link too, so a
      // packet count would be a guess.
      const sniff = (filter: string) =>
        topo.spawn(
          topo.b,
          exampleArgv('sniffer.ts', ['-i', 'veth-b', '-f', filter, '-c', '10000', '-W', SNIFF_LIMIT]),
        );
      const udp = sniff('udp');
      const icmp = sniff('icmp');
      await Promise.all([
        udp.waitFor(/listening on veth-b/, CHILD_KILL_AFTER),
        icmp.waitFor(/listening on veth-b/, CHILD_KILL_AFTER),
      ]);
      const ping = topo.spawn(
        topo.a,
        exampleArgv('ping.ts', ['-c', '4', '-i', '0.2', '-W', REPLY_WAIT, topo.ip.b4]),
      );
      await ping.waitFor(/icmp_seq=1 /, CHILD_KILL_AFTER);
      // Three datagrams from A to B port 5555 while the ping goes on (B answers "port unreachable",
      // which is ICMP too).
      const sender = `const s = require('dgram').createSocket('udp4'); let n = 0;
      const t = setInterval(() => { s.send('sniff-me', 5555, '${topo.ip.b4}'); if (++n === 3) { clearInterval(t); setTimeout(() => s.close(), 50); } }, 100);`;
      const sent = await topo.exec(topo.a, [process.execPath, '-e', sender]);
      expect(sent.code, show(sent)).toBe(0);
      const p = await ping.exit;
      expect(p.code, show(p)).toBe(0);
      // Stop each sniffer once it has printed what we sent (ping: -c 4, so seq 4 is ours).
      await Promise.all([
        udp.waitFor(/(\.5555: UDP, length 8\n[\s\S]*){3}/, CHILD_KILL_AFTER),
        icmp.waitFor(/ICMP echo reply, id \d+, seq 4,/, CHILD_KILL_AFTER),
      ]);
      udp.kill('SIGINT');
      icmp.kill('SIGINT');
      const [u, i] = await Promise.all([udp.exit, icmp.exit]);

      expect(u.code, show(u)).toBe(0);
      const lines = u.stdout.trim().split('\n');
      for (const line of lines)
        expect(line, show(u)).toMatch(
          /^\S+ veth-b (In |Out) [0-9a-f:]{17} > [0-9a-f:]{17}, IP6? \S+ > \S+: UDP, length \d+$/,
        );
      const ours = lines.filter((l) => l.endsWith('.5555: UDP, length 8'));
      expect(ours, show(u)).toHaveLength(3);
      const from = `veth-b In  [0-9a-f:]{17} > [0-9a-f:]{17}, IP ${topo.ip.a4.replace(/\./g, '\\.')}\\.\\d+ > ${topo.ip.b4.replace(/\./g, '\\.')}\\.5555: UDP, length 8$`;
      for (const line of ours) expect(line).toMatch(new RegExp(from));
      expect(u.stdout).not.toContain('ICMP');
      expect(u.stderr).toMatch(/\d+ packets captured/);

      expect(i.code, show(i)).toBe(0);
      // Our ping's 4 requests in and 4 replies out, under one identifier (other tests ping B too).
      const byId = new Map<string, string[]>();
      for (const m of i.stdout.matchAll(/ICMP echo (request|reply), id (\d+), seq (\d+),/g)) {
        byId.set(m[2], [...(byId.get(m[2]) ?? []), `${m[1]} ${m[3]}`]);
      }
      const want = [1, 2, 3, 4].flatMap((n) => [`request ${n}`, `reply ${n}`]).sort();
      expect(
        [...byId.values()].some((seen) => JSON.stringify([...seen].sort()) === JSON.stringify(want)),
        show(i),
      ).toBe(true);
      expect(i.stdout).toContain(`IP ${topo.ip.a4} > ${topo.ip.b4}: ICMP echo request, id `);
      expect(i.stdout).not.toContain('UDP');
      expect(i.stderr).toMatch(/\d+ packets captured/);
    },
    CHILD_TEST_TIMEOUT,
  );
});
