// Without CAP_NET_RAW, creating a raw or packet socket raises PermissionError, and its message
// names the missing capability. A child process runs with CAP_NET_RAW removed from its
// inheritable and bounding sets (setpriv, or capsh), so even root loses it across exec.
// If this test process has no CAP_NET_RAW to begin with, the child simply inherits that.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { run, tsxCli, type Run } from '../helpers/children';
import { CHILD_KILL_AFTER, CHILD_TEST_TIMEOUT, NETNS, RAW, exampleArgv, need, random16 } from './helpers/env';

const haveRaw = !RAW.skip;
const script = path.join(__dirname, 'helpers', 'try-sockets.ts');
// Dropping a capability from the bounding set needs CAP_SETPCAP (root has it).
const SETPRIV = haveRaw ? need('CAP_SETPCAP', 'setpriv') : { skip: false, why: '' };
const CAPSH = haveRaw ? need('CAP_SETPCAP', 'capsh') : { skip: false, why: '' };
const how = (tool: string) => (haveRaw ? tool : 'this process has no CAP_NET_RAW to begin with');

/** Runs argv with CAP_NET_RAW gone (via setpriv), or as it is when we never had it. */
function withoutNetRaw(argv: string[]): Promise<Run> {
  if (!haveRaw) return run(argv[0], argv.slice(1), CHILD_KILL_AFTER);
  return run('setpriv', ['--inh-caps=-net_raw', '--bounding-set=-net_raw', '--', ...argv], CHILD_KILL_AFTER);
}

interface Report {
  capEff: string;
  results: Record<
    string,
    {
      outcome: string;
      name?: string;
      errno?: number;
      code?: string;
      syscall?: string;
      message?: string;
      isPermissionError?: boolean;
    }
  >;
}

function parse(r: Run): Report {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Report;
}

const CAP_NET_RAW_BIT = 13n;

describe('PermissionError without CAP_NET_RAW', () => {
  it.skipIf(SETPRIV.skip)(
    `every raw and packet socket kind, sync and aio, raises PermissionError naming CAP_NET_RAW (${how('setpriv')})${SETPRIV.why}`,
    async () => {
      const report = parse(await withoutNetRaw([process.execPath, tsxCli, script]));
      expect((BigInt(`0x${report.capEff}`) >> CAP_NET_RAW_BIT) & 1n).toBe(0n); // really gone
      const raw = Object.entries(report.results).filter(([label]) => label !== 'AF_INET SOCK_DGRAM');
      expect(raw).toHaveLength(7);
      for (const [label, r] of raw) {
        expect(r.outcome, label).toBe('error');
        expect(r.name, label).toBe('PermissionError');
        expect(r.isPermissionError, label).toBe(true);
        expect(r.errno, label).toBe(1); // EPERM
        expect(r.code, label).toBe('EPERM');
        expect(r.syscall, label).toBe('socket');
        expect(r.message, label).toMatch(/^\[Errno 1\] Operation not permitted: .*CAP_NET_RAW/);
      }
      expect(report.results['AF_INET SOCK_DGRAM'].outcome).toBe('ok'); // ordinary sockets still work
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(CAPSH.skip)(
    `the same under ${how('capsh --drop=cap_net_raw')}${CAPSH.why}`,
    async () => {
      const argv = [process.execPath, tsxCli, script];
      const r = haveRaw
        ? await run(
            'capsh',
            ['--drop=cap_net_raw', '--', '-c', 'exec "$@"', 'capsh-child', ...argv],
            CHILD_KILL_AFTER,
          )
        : await run(argv[0], argv.slice(1), CHILD_KILL_AFTER);
      const report = parse(r);
      for (const label of ['AF_INET SOCK_RAW IPPROTO_ICMP', 'AF_PACKET SOCK_RAW']) {
        expect(report.results[label].name, label).toBe('PermissionError');
        expect(report.results[label].message, label).toContain('CAP_NET_RAW');
      }
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(SETPRIV.skip)(
    `the examples exit with status 2 and say that CAP_NET_RAW is missing${SETPRIV.why}`,
    async () => {
      const [ping, traceroute, sniffer, arping] = await Promise.all([
        withoutNetRaw(exampleArgv('ping.ts', ['-c', '1', '127.0.0.1'])),
        withoutNetRaw(exampleArgv('traceroute.ts', ['-q', '1', '127.0.0.1'])),
        withoutNetRaw(exampleArgv('sniffer.ts', ['-i', 'lo', '-c', '1'])),
        withoutNetRaw(exampleArgv('arping.ts', ['-I', 'lo', '127.0.0.1'])),
      ]);
      for (const [name, r] of Object.entries({ ping, traceroute, sniffer, arping })) {
        expect(r.code, `${name}: ${r.stdout}${r.stderr}`).toBe(2);
        expect(r.stderr, name).toContain('CAP_NET_RAW');
      }
      expect(ping.stderr).toContain('--dgram'); // ping points at the unprivileged alternative
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe('unprivileged ICMP outside ping_group_range', () => {
  it.skipIf(NETNS.skip)(
    `SOCK_DGRAM + IPPROTO_ICMP refused with EACCES names net.ipv4.ping_group_range${NETNS.why}`,
    async () => {
      // Run in a fresh network namespace whose ping_group_range excludes every group.
      const { execFileSync } = await import('node:child_process');
      // pid and a random part: unique between concurrent runs, and never a leftover's name.
      const ns = `bsdsock-pgr-${process.pid}-${random16().toString(16)}`;
      const opts = { timeout: CHILD_KILL_AFTER };
      let created = false;
      try {
        execFileSync('ip', ['netns', 'add', ns], opts);
        created = true;
        execFileSync(
          'ip',
          ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.ping_group_range=1 0'],
          opts,
        );
        const lib = path.resolve(__dirname, '../../lib/index.ts');
        const script = `
        const socket = require(${JSON.stringify(lib)});
        try { socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP); console.log('created'); }
        catch (e) { console.log(e.name + '|' + e.errno + '|' + e.message); }`;
        const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, tsxCli, '-e', script], opts)
          .toString()
          .trim();
        const [name, errno, message] = out.split('|');
        expect(name).toBe('PermissionError');
        expect(Number(errno)).toBe(13);
        expect(message).toContain('net.ipv4.ping_group_range');
      } finally {
        if (created) execFileSync('ip', ['netns', 'del', ns], opts);
      }
    },
    CHILD_TEST_TIMEOUT,
  );
});
