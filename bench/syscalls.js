#!/usr/bin/env node
'use strict';
// Profiling aid: runs scenarios under `strace -f -c` (both ends, small counts) and prints
// the system calls each implementation makes per operation. This is how the hot spots in
// docs/performance.md were found; run it again after a change to lib/ or native/.
//
//   node bench/syscalls.js [--only tcp-pingpong,tcp-accept] [--impls c,blocking,async]
//
// Needs strace (apt-get install strace). Counts include both processes (main and peer)
// and exclude start-up calls that happen fewer than `ops / 20` times.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const C_BIN = path.join(__dirname, 'out', 'bench');
/** @type {Record<string, { args: string[], ops: number, op: string, minCalls?: number }>} */
const SC = {
  'tcp-pingpong': { args: ['--count', '20000', '--warmup', '0'], ops: 20000, op: 'round trip' },
  'tcp-bulk': { args: ['--bytes', String(2 ** 28)], ops: 2 ** 28 / 65536, op: '64 KiB write' },
  'udp-pps': { args: ['--count', '100000'], ops: 100000, op: 'datagram' },
  'udp-batched': { args: ['--count', '100000'], ops: 100000, op: 'datagram', minCalls: 1000 },
  'tcp-accept': { args: ['--count', '5000', '--warmup', '0'], ops: 5000, op: 'connection' },
  'http-hello': {
    args: ['--conns', '4', '--duration', '1'],
    ops: 0,
    op: "request (wrk's own calls included)",
  },
};
/** @type {Record<string, (scenario: string) => string[]>} */
const CMD = {
  c: (sc) => [C_BIN, sc, 'main'],
  blocking: (sc) => [process.execPath, path.join(__dirname, 'blocking', 'bench.js'), sc, 'main'],
  async: (sc) => [process.execPath, path.join(__dirname, 'async', 'bench.js'), sc, 'main'],
  node: (sc) => [process.execPath, path.join(__dirname, 'node', 'bench.js'), sc, 'main'],
  python: (sc) => ['python3', path.join(__dirname, 'python', 'bench.py'), sc, 'main'],
};

/**
 * The comma-separated list after `name` on the command line, or `def`.
 * @param {string} name
 * @param {string[]} def
 */
function flag(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1].split(',') : def;
}

const only = flag('--only', Object.keys(SC));
const impls = flag('--impls', ['c', 'blocking', 'async']);
if (spawnSync('sh', ['-c', 'command -v strace']).status !== 0) {
  console.error('strace is not installed (apt-get install strace)');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-strace-'));
for (const sc of only) {
  const s = SC[sc];
  if (!s) continue;
  console.log(`\n${sc}: system calls per ${s.op} (both ends)`);
  for (const impl of impls) {
    const out = path.join(tmp, `${sc}-${impl}.txt`);
    const r = spawnSync(
      'strace',
      ['-f', '-c', '-o', out, 'taskset', '-c', '0', ...CMD[impl](sc), ...s.args],
      {
        encoding: 'utf8',
        env: { ...process.env, BENCH_IDLE_CLIENT: C_BIN },
      },
    );
    const line = (r.stdout || '').split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) {
      console.log(`  ${impl.padEnd(9)} (not run: ${(r.stderr || '').trim().split('\n').pop()})`);
      continue;
    }
    const res = JSON.parse(line);
    const ops = s.ops || res.ops;
    const rows = fs
      .readFileSync(out, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 5 && /^\d/.test(f[0]) && f[f.length - 1] !== 'total')
      .map((f) => {
        const hasErr = f.length === 6;
        return { name: f[f.length - 1], calls: Number(f[3]), errors: hasErr ? Number(f[4]) : 0 };
      })
      .filter((x) => x.calls >= (s.minCalls || ops / 20))
      .sort((a, b) => b.calls - a.calls);
    const total = rows.reduce((a, x) => a + x.calls, 0);
    const parts = rows.map(
      (x) =>
        `${x.name} ${(x.calls / ops).toFixed(2)}${x.errors ? ` (${(x.errors / ops).toFixed(2)} failed)` : ''}`,
    );
    console.log(`  ${impl.padEnd(9)} ${(total / ops).toFixed(2).padStart(6)}  = ${parts.join(', ')}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
