#!/usr/bin/env node
'use strict';
// The bsdsock benchmark suite: `npm run bench` (full) or `node bench/run.js --quick` (CI).
//
// Every scenario runs on loopback for every implementation: C (bench/c/bench.c, the
// physical limit of this machine), bsdsock blocking, bsdsock async, Node net/dgram (and
// http for http-hello) and Python's socket module. Each program starts and reaps its own
// peer and prints one JSON line; this runner pins each program (and so its peer, which
// inherits the affinity) to one CPU with taskset, runs the implementations alternately
// (A B C ... A B C ...) for several rounds, and reports medians, min-max, the ratios to C
// and to Node, the microseconds each implementation adds per operation over C, and the
// targets of the performance issue. See docs/performance.md.
//
// Options:
//   --quick            tiny counts, 1 round (CI); writes bench/out/results-quick.md
//   --rounds N         rounds per scenario (default 5; --quick 1)
//   --only a,b         scenarios to run (names as in the table)
//   --impls a,b        implementations: c, blocking, async, node, node-http, python
//   --out FILE         the markdown report (default bench/results.md, quick: bench/out/...)
//   --json FILE        also write every sample as JSON
//   --cpu N            the CPU both ends are pinned to (default: the first this process may use)
//   --split            pin the peer to the next CPU instead of the same one
//   --no-pin           do not pin at all
//   --no-install       never apt-get install wrk
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(__dirname, 'out');
const C_BIN = path.join(OUT_DIR, 'bench');
const C_SRC = path.join(__dirname, 'c', 'bench.c');

// ---- the matrix --------------------------------------------------------------------------

/**
 * @typedef {Record<string, number>} Params  a program's `--key value` options
 * @typedef {{ label: string, cmd: (scenario: string) => string[] }} Impl
 * @typedef {object} Scenario
 * @property {string} name
 * @property {string} what
 * @property {string} unit
 * @property {string[]} impls
 * @property {Params} full
 * @property {Params} quick
 * @property {string} op
 * @property {(value: number) => number} [usPerOp]  microseconds per operation at a median rate
 * @property {boolean} [lowerIsBetter]
 * @property {'wrk'} [needs]
 * @property {boolean} [echo]  echo-many: the report adds the client's latency and fairness figures
 * @typedef {{ scenario: string, impl: string, vs?: string, min?: number, max?: number, p99vs?: string }} Target
 * @typedef {object} Flags
 * @property {boolean} quick
 * @property {number} rounds
 * @property {string[] | null} only
 * @property {string[] | null} impls
 * @property {string} out
 * @property {string | null} json
 * @property {number | null} cpu
 * @property {boolean} split
 * @property {boolean} pin
 * @property {boolean} install
 * @typedef {{ value: number, round: number, loss?: number, heap_used_per_conn?: number, socket_errors?: number, non2xx?: number }} Sample
 * @typedef {{ median: number, min: number, max: number, n: number }} Stats
 * @typedef {{ samples: Sample[], errors: string[], stats?: Stats, skipped?: undefined }
 *   | { skipped: string, samples?: undefined, errors?: undefined, stats?: undefined }} Entry
 * @typedef {Record<string, Record<string, Entry>>} Results  scenario -> implementation -> entry
 * @typedef {ReturnType<typeof machine> & { method: string, command: string, load_before: string, load_after: string, wall_s: number }} Meta
 */

/** @type {Record<string, Impl>} */
const IMPLS = {
  c: { label: 'C', cmd: (sc) => [C_BIN, sc, 'main'] },
  blocking: { label: 'bsdsock blocking', cmd: (sc) => nodeCmd('blocking', sc) },
  async: { label: 'bsdsock async', cmd: (sc) => nodeCmd('async', sc) },
  node: { label: 'Node net/dgram', cmd: (sc) => nodeCmd('node', sc) },
  'node-http': { label: 'Node http', cmd: (sc) => [...nodeCmd('node', sc), '--variant', 'http'] },
  python: {
    label: 'Python socket',
    cmd: (sc) => ['python3', path.join(__dirname, 'python', 'bench.py'), sc, 'main'],
  },
};
const IMPL_ORDER = ['c', 'blocking', 'async', 'node', 'node-http', 'python'];

/**
 * @param {string} dir
 * @param {string} sc
 */
function nodeCmd(dir, sc) {
  return [process.execPath, '--expose-gc', path.join(__dirname, dir, 'bench.js'), sc, 'main'];
}

const ALL = ['c', 'blocking', 'async', 'node', 'python'];
/** @type {Scenario[]} */
const SCENARIOS = [
  {
    name: 'tcp-pingpong',
    what: '64-byte message echoed 100,000 times over one TCP_NODELAY connection',
    unit: 'round trips/s',
    impls: ALL,
    full: { count: 100000, size: 64, warmup: 1000 },
    quick: { count: 2000, size: 64, warmup: 100 },
    op: 'round trip',
    usPerOp: (v) => 1e6 / v,
  },
  {
    name: 'tcp-bulk',
    what: '2 GiB in 64 KiB writes, the reader discards',
    unit: 'GB/s',
    impls: ALL,
    full: { bytes: 2 ** 31, chunk: 65536 },
    quick: { bytes: 2 ** 26, chunk: 65536 },
    op: '64 KiB write',
    usPerOp: (v) => (65536 / (v * 1e9)) * 1e6,
  },
  {
    name: 'udp-pps',
    what: '1,000,000 datagrams of 64 bytes between connected sockets, one syscall each',
    unit: 'datagrams/s',
    impls: ALL,
    full: { count: 1000000, size: 64 },
    quick: { count: 20000, size: 64 },
    op: 'datagram',
    usPerOp: (v) => 1e6 / v,
  },
  {
    name: 'udp-batched',
    what: 'the same with recvmmsg/sendmmsg, 32 per call',
    unit: 'datagrams/s',
    impls: ['c', 'blocking', 'async'],
    full: { count: 1000000, size: 64, batch: 32 },
    quick: { count: 20000, size: 64, batch: 32 },
    op: 'datagram',
    usPerOp: (v) => 1e6 / v,
  },
  {
    name: 'tcp-accept',
    what: '20,000 sequential connect / accept / close cycles',
    unit: 'connections/s',
    impls: ALL,
    full: { count: 20000, warmup: 200 },
    quick: { count: 500, warmup: 50 },
    op: 'connection',
    usPerOp: (v) => 1e6 / v,
  },
  {
    name: 'idle-conns',
    what: '10,000 concurrent connections held by one server process',
    unit: 'B/conn',
    lowerIsBetter: true,
    impls: ALL,
    full: { count: 10000, batch: 1000 },
    quick: { count: 500, batch: 100 },
    op: 'connection',
  },
  ...[256, 1024].map((conns) => ({
    name: `echo-many-${conns}`,
    what: `${conns.toLocaleString('en-US')} connections, one 64-byte request in flight on each, served by one process; the same C epoll client (bench/out/bench echo-many client) for every server`,
    unit: 'round trips/s',
    impls: ['c', 'blocking', 'async', 'node', 'python'],
    full: { conns, size: 64, settle: 1, duration: 3 },
    quick: { conns: Math.min(conns, 64), size: 64, settle: 0.2, duration: 0.5 },
    op: 'round trip',
    usPerOp: (/** @type {number} */ v) => 1e6 / v,
    echo: true,
  })),
  {
    name: 'http-hello',
    what: 'a minimal HTTP/1.1 responder under wrk',
    unit: 'requests/s',
    impls: ['c', 'blocking', 'async', 'node', 'node-http', 'python'],
    full: { conns: 16, duration: 3 },
    quick: { conns: 4, duration: 1 },
    op: 'request',
    usPerOp: (v) => 1e6 / v,
    needs: 'wrk',
  },
];

/** The Node baseline of a scenario (the issue compares http-hello to Node http). */
const nodeBaseline = (/** @type {string} */ sc) => (sc === 'http-hello' ? 'node-http' : 'node');

/** @type {Target[]} */
const TARGETS = [
  { scenario: 'tcp-pingpong', impl: 'blocking', vs: 'c', min: 0.9 },
  { scenario: 'tcp-pingpong', impl: 'async', vs: 'c', min: 0.7 },
  { scenario: 'tcp-bulk', impl: 'blocking', vs: 'c', min: 0.95 },
  { scenario: 'tcp-bulk', impl: 'async', vs: 'c', min: 0.9 },
  { scenario: 'udp-pps', impl: 'blocking', vs: 'c', min: 0.9 },
  { scenario: 'udp-pps', impl: 'async', vs: 'c', min: 0.85 },
  { scenario: 'udp-batched', impl: 'blocking', vs: 'c', min: 1.0 },
  { scenario: 'tcp-accept', impl: 'blocking', vs: 'c', min: 0.85 },
  { scenario: 'tcp-accept', impl: 'async', vs: 'c', min: 0.6 },
  { scenario: 'idle-conns', impl: 'blocking', max: 200 },
  { scenario: 'idle-conns', impl: 'async', max: 1024 },
  { scenario: 'http-hello', impl: 'async', vs: 'node-http', min: 1.5 },
  // issue 12 (the async engine): against Node, in the same run
  { scenario: 'tcp-pingpong', impl: 'async', vs: 'node', min: 1.3 },
  { scenario: 'udp-pps', impl: 'async', vs: 'node', min: 1.6 },
  { scenario: 'tcp-accept', impl: 'async', vs: 'node', min: 2.5 },
  { scenario: 'echo-many-256', impl: 'async', vs: 'node', min: 1.6 },
  { scenario: 'echo-many-1024', impl: 'async', vs: 'node', min: 1.6 },
  { scenario: 'echo-many-256', impl: 'async', vs: 'python', min: 1.0 },
  { scenario: 'echo-many-1024', impl: 'async', vs: 'python', min: 1.0 },
  { scenario: 'echo-many-256', impl: 'async', p99vs: 'node' },
  { scenario: 'echo-many-1024', impl: 'async', p99vs: 'node' },
  { scenario: 'http-hello', impl: 'async', vs: 'node-http', min: 2.5 },
  { scenario: 'http-hello', impl: 'async', vs: 'node', min: 1.3 },
  { scenario: 'tcp-accept', impl: 'blocking', vs: 'c', min: 0.8 },
  { scenario: 'idle-conns', impl: 'async', max: 1100 },
  { scenario: 'idle-conns', impl: 'blocking', max: 300 },
];

// ---- options -------------------------------------------------------------------------------

/**
 * @param {string[]} argv
 * @returns {Flags}
 */
function parseFlags(argv) {
  /** @type {Omit<Flags, 'out'> & { out: string | null }} */
  const f = {
    quick: false,
    rounds: 0,
    only: null,
    impls: null,
    out: null,
    json: null,
    cpu: null,
    split: false,
    pin: true,
    install: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') f.quick = true;
    else if (a === '--rounds') f.rounds = Number(next());
    else if (a === '--only') f.only = next().split(',');
    else if (a === '--impls') f.impls = next().split(',');
    else if (a === '--out') f.out = path.resolve(next());
    else if (a === '--json') f.json = path.resolve(next());
    else if (a === '--cpu') f.cpu = Number(next());
    else if (a === '--split') f.split = true;
    else if (a === '--no-pin') f.pin = false;
    else if (a === '--no-install') f.install = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        fs
          .readFileSync(__filename, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('//'))
          .join('\n') + '\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!f.rounds) f.rounds = f.quick ? 1 : 5;
  if (!f.out) f.out = f.quick ? path.join(OUT_DIR, 'results-quick.md') : path.join(__dirname, 'results.md');
  if (f.only) {
    for (const s of f.only)
      if (!SCENARIOS.some((x) => x.name === s)) throw new Error(`unknown scenario ${s}`);
  }
  if (f.impls) {
    for (const s of f.impls) if (!IMPLS[s]) throw new Error(`unknown implementation ${s}`);
  }
  return { ...f, out: f.out };
}

const log = (/** @type {string} */ s) => process.stderr.write(s + '\n');

/** The CPUs this process may run on (Cpus_allowed_list), e.g. [0, 1]. */
function allowedCpus() {
  try {
    // No match throws below, which is caught: [0].
    const m = /** @type {RegExpExecArray} */ (
      /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    );
    const out = [];
    for (const part of m[1].split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let c = a; c <= (Number.isFinite(b) ? b : a); c++) out.push(c);
    }
    return out.length ? out : [0];
  } catch {
    return [0];
  }
}

// ---- preparation -----------------------------------------------------------------------

/** @param {string} cmd */
function sh(cmd) {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** @param {string} p */
function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds dist/ when a lib/*.ts is newer than its compiled .js (or the .js is missing). */
function ensureDist() {
  const lib = path.join(ROOT, 'lib');
  const stale = fs
    .readdirSync(lib)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .some((f) => mtime(path.join(ROOT, 'dist', f.replace(/\.ts$/, '.js'))) < mtime(path.join(lib, f)));
  if (!stale) return;
  log('dist/ is missing or older than lib/: npm run build:ts');
  const r = spawnSync('npm', ['run', 'build:ts'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('npm run build:ts failed');
}

/** The addon must exist; it is built only when missing. */
function ensureAddon() {
  const built = path.join(ROOT, 'build', 'Release', 'bsdsock.node');
  const prebuilds = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
  if (fs.existsSync(built)) return;
  if (fs.existsSync(prebuilds) && fs.readdirSync(prebuilds).some((f) => f.endsWith('.node'))) return;
  log('build/Release/bsdsock.node is missing: npm run build:native');
  const env = { ...process.env, npm_config_nodedir: path.resolve(process.execPath, '..', '..') };
  const r = spawnSync('npm', ['run', 'build:native'], { cwd: ROOT, stdio: ['ignore', 2, 2], env });
  if (r.status !== 0) throw new Error('npm run build:native failed');
}

/**
 * Compiles the C reference with the system compiler into bench/out/. It is written under a
 * name of this process and renamed into place, so that a run started at the same time in
 * this checkout (the test suite twice at once) never executes a half-written binary.
 */
function ensureC() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  if (mtime(C_BIN) > mtime(C_SRC)) return;
  const cc = process.env.CC || 'cc';
  log(`compiling ${path.relative(ROOT, C_SRC)} with ${cc}`);
  const tmp = `${C_BIN}.${process.pid}`;
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', tmp, C_SRC], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`${cc} failed to compile ${C_SRC}`);
  }
  fs.renameSync(tmp, C_BIN);
}

/**
 * Finds wrk; installs it with apt-get when missing and root. Returns its path or null.
 * @param {Flags} flags
 * @returns {{ path: string | null, why?: string }}
 */
function ensureWrk(flags) {
  let wrk = sh('command -v wrk');
  if (wrk) return { path: wrk };
  if (!flags.install) return { path: null, why: 'wrk is not installed (--no-install)' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return {
      path: null,
      why: 'wrk is not installed and this is not root: `apt-get install wrk` to run http-hello',
    };
  }
  log('wrk is missing: apt-get install -y wrk');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], {
      stdio: ['ignore', 2, 2],
      env,
      timeout: 300000,
    });
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2], env, timeout: 300000 });
    r = install();
  }
  wrk = sh('command -v wrk');
  return wrk ? { path: wrk } : { path: null, why: 'apt-get install wrk failed' };
}

function machine() {
  const cpus = os.cpus();
  const ver = (/** @type {string} */ cmd) => sh(cmd).split('\n')[0] || 'n/a';
  return {
    date: new Date().toISOString(),
    cpu: cpus.length ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    kernel: `${os.type()} ${os.release()}`,
    memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    python: ver('python3 --version 2>&1'),
    cc: ver(`${process.env.CC || 'cc'} --version`),
    wrk: (ver('wrk --version 2>&1 || true').match(/^wrk \S+/) || ['wrk n/a'])[0],
    nofile: Number(sh('ulimit -n')) || null,
    git: sh(`git -C "${ROOT}" rev-parse --short HEAD 2>/dev/null`) || 'unknown',
    dirty: [
      ...new Set(
        sh(`git -C "${ROOT}" status --porcelain -- lib native 2>/dev/null`)
          .split('\n')
          .filter(Boolean)
          .map((l) => l.slice(3).split('/')[0] + '/'),
      ),
    ].join(', '),
  };
}

// ---- one run -------------------------------------------------------------------------------

/**
 * Runs one program (its own process group, killed whole on timeout); resolves to its JSON line.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @param {number} timeoutS
 * @returns {Promise<{ ok: true, result: Sample, wall: number, stderr: string } | { ok: false, error: string, wall: number }>}
 */
function runOne(argv, env, timeoutS) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(argv[0], argv.slice(1), {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutS * 1000);
    child.on('error', (e) => (err += `\n${e.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL'); // a peer left behind
      } catch {
        // the group is gone: good
      }
      const wall = (Date.now() - t0) / 1000;
      const line = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      let result = null;
      try {
        result = line ? JSON.parse(line) : null;
      } catch {
        result = null;
      }
      if (result && code === 0 && Number.isFinite(result.value))
        resolve({ ok: true, result, wall, stderr: err });
      else {
        const why = timedOut ? `timed out after ${timeoutS} s` : `exit ${code ?? signal}`;
        resolve({ ok: false, error: `${why}: ${err.trim().split('\n').slice(-5).join(' | ')}`, wall });
      }
    });
  });
}

/**
 * @param {Scenario} sc
 * @param {Flags} flags
 */
function scenarioArgs(sc, flags) {
  const p = { ...(flags.quick ? sc.quick : sc.full), seconds: flags.quick ? 10 : 30 };
  return Object.entries(p).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

// ---- statistics and formatting ---------------------------------------------------------

/**
 * @param {number[]} values
 * @returns {Stats}
 */
function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return { median, min: v[0], max: v[n - 1], n };
}

/**
 * @param {number | null | undefined} v
 * @param {string} [unit]
 */
function fmt(v, unit) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (unit === 'GB/s') return v.toFixed(2);
  if (unit === 'B/conn') return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

const ratio = (/** @type {number} */ a, /** @type {number} */ b) =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
const fmtRatio = (/** @type {number} */ r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '—');

/**
 * @param {Entry | undefined} entry
 * @param {string} unit
 */
function cell(entry, unit) {
  if (!entry) return '—';
  if (entry.skipped) return 'skipped';
  if (!entry.stats) return 'error';
  const s = entry.stats;
  if (s.n === 1) return fmt(s.median, unit);
  return `${fmt(s.median, unit)} (${fmt(s.min, unit)}–${fmt(s.max, unit)})`;
}

/**
 * @param {Results} results
 * @param {string} sc
 * @param {string} impl
 */
function median(results, sc, impl) {
  const e = results[sc] && results[sc][impl];
  return e && e.stats ? e.stats.median : NaN;
}

/**
 * The ratio impl / base as the median of the per-round ratios (the two ran back to back in
 * each round, so slow drift of the machine cancels out); the ratio of the medians when no
 * round has both.
 * @param {Results} results
 * @param {string} sc
 * @param {string} impl
 * @param {string} base
 */
function pairedRatio(results, sc, impl, base) {
  const a = results[sc] && results[sc][impl];
  const b = results[sc] && results[sc][base];
  if (!a || !b || !a.samples || !b.samples) return NaN;
  const byRound = new Map(b.samples.map((s) => [s.round, s.value]));
  const rs = a.samples
    .filter((s) => byRound.has(s.round) && /** @type {number} */ (byRound.get(s.round)) > 0)
    .map((s) => s.value / /** @type {number} */ (byRound.get(s.round)));
  return rs.length ? stats(rs).median : ratio(median(results, sc, impl), median(results, sc, base));
}

/**
 * The median of one field of the samples (echo-many's latency and CPU figures).
 * @param {Results} results
 * @param {string} sc
 * @param {string} impl
 * @param {string} key
 */
function sampleMedian(results, sc, impl, key) {
  const e = results[sc] && results[sc][impl];
  const all = ((e && e.samples) || []).map((x) => /** @type {Record<string, unknown>} */ (x)[key]);
  const v = /** @type {number[]} */ (all.filter(Number.isFinite));
  return v.length ? stats(v).median : NaN;
}

/**
 * The Markdown report.
 * @param {Meta} meta
 * @param {Flags} flags
 * @param {Results} results
 * @param {string[]} notes
 */
function render(meta, flags, results, notes) {
  const impls = IMPL_ORDER.filter((i) => SCENARIOS.some((s) => results[s.name] && results[s.name][i]));
  const L = [];
  L.push('# bsdsock benchmark results', '');
  L.push(`Generated by \`${meta.command}\` on ${meta.date}.`, '');
  L.push('| | |', '| --- | --- |');
  L.push(`| machine | ${meta.cpu}, ${meta.cores} cores, ${meta.memory_gib} GiB, ${meta.kernel} |`);
  L.push(`| software | Node ${meta.node}, ${meta.python}, ${meta.cc}, ${meta.wrk} |`);
  L.push(`| bsdsock | commit ${meta.git}${meta.dirty ? ' with uncommitted changes in ' + meta.dirty : ''} |`);
  L.push(`| method | ${meta.method} |`);
  L.push(
    `| load average | ${meta.load_before} before, ${meta.load_after} after (other work on the machine shows here) |`,
  );
  L.push(`| wall time | ${meta.wall_s.toFixed(0)} s |`, '');

  L.push(
    `## Results (median of ${flags.rounds} round${flags.rounds > 1 ? 's' : ''}${flags.rounds > 1 ? ', min–max in brackets' : ''})`,
    '',
  );
  L.push(`| scenario | metric | ${impls.map((i) => IMPLS[i].label).join(' | ')} |`);
  L.push(`| --- | --- | ${impls.map(() => '---:').join(' | ')} |`);
  for (const sc of SCENARIOS) {
    if (!results[sc.name]) continue;
    const metric = sc.lowerIsBetter ? `${sc.unit} (lower is better)` : sc.unit;
    L.push(
      `| ${sc.name} | ${metric} | ${impls.map((i) => cell(results[sc.name][i], sc.unit)).join(' | ')} |`,
    );
  }
  L.push('');
  L.push('What each scenario does:', '');
  for (const sc of SCENARIOS)
    if (results[sc.name])
      L.push(`- **${sc.name}**: ${sc.what}${flags.quick ? ' (quick mode: reduced counts)' : ''}.`);
  L.push('');

  L.push('## Ratios to C and to Node', '');
  L.push(
    "Each ratio is the median over the rounds of that round's ratio (the implementations of a round ran back to back). ",
  );
  L.push('Higher is better, except for idle-conns (bytes per connection), where lower is better. ');
  L.push('The Node baseline is net/dgram, and Node http for http-hello.', '');
  L.push(
    `| scenario | ${impls
      .filter((i) => i !== 'c')
      .map((i) => IMPLS[i].label)
      .join(' | ')} |`,
  );
  L.push(
    `| --- | ${impls
      .filter((i) => i !== 'c')
      .map(() => '---:')
      .join(' | ')} |`,
  );
  for (const sc of SCENARIOS) {
    if (!results[sc.name]) continue;
    const nb = nodeBaseline(sc.name);
    const cells = impls
      .filter((i) => i !== 'c')
      .map((i) => {
        const v = median(results, sc.name, i);
        if (!Number.isFinite(v)) return '—';
        const parts = [`${fmtRatio(pairedRatio(results, sc.name, i, 'c'))} C`];
        if (i !== nb && Number.isFinite(median(results, sc.name, nb)))
          parts.push(`${fmtRatio(pairedRatio(results, sc.name, i, nb))} Node`);
        return parts.join(', ');
      });
    L.push(`| ${sc.name} | ${cells.join(' | ')} |`);
  }
  L.push('');

  L.push('## Cost added per operation over C', '');
  L.push(
    "Microseconds per operation (1 / median rate) minus C's; for idle-conns, bytes per connection minus C's.",
    '',
  );
  L.push(
    `| scenario | operation | C | ${impls
      .filter((i) => i !== 'c')
      .map((i) => IMPLS[i].label)
      .join(' | ')} |`,
  );
  L.push(
    `| --- | --- | ---: | ${impls
      .filter((i) => i !== 'c')
      .map(() => '---:')
      .join(' | ')} |`,
  );
  for (const sc of SCENARIOS) {
    if (!results[sc.name]) continue;
    const c = median(results, sc.name, 'c');
    const per = sc.usPerOp || ((v) => v);
    const unit = sc.usPerOp ? 'µs' : 'B';
    const cBase = Number.isFinite(c) ? per(c) : NaN;
    const cells = impls
      .filter((i) => i !== 'c')
      .map((i) => {
        const v = median(results, sc.name, i);
        if (!Number.isFinite(v) || !Number.isFinite(cBase)) return '—';
        const d = per(v) - cBase;
        return `${d >= 0 ? '+' : '−'}${sc.usPerOp ? Math.abs(d).toFixed(2) : Math.round(Math.abs(d))} ${unit}`;
      });
    const cCell = Number.isFinite(cBase)
      ? `${sc.usPerOp ? cBase.toFixed(2) : Math.round(cBase)} ${unit}`
      : '—';
    L.push(`| ${sc.name} | ${sc.op} | ${cCell} | ${cells.join(' | ')} |`);
  }
  L.push('');

  L.push('## Targets', '');
  L.push('| scenario | implementation | target | measured | met |', '| --- | --- | --- | ---: | :---: |');
  for (const t of TARGETS) {
    if (!results[t.scenario]) continue;
    const v = median(results, t.scenario, t.impl);
    let target;
    let measured;
    let met;
    if (t.p99vs !== undefined) {
      const mine = sampleMedian(results, t.scenario, t.impl, 'p99_us');
      const theirs = sampleMedian(results, t.scenario, t.p99vs, 'p99_us');
      target = `p99 ≤ ${IMPLS[t.p99vs].label}'s`;
      measured =
        Number.isFinite(mine) && Number.isFinite(theirs) ? `${fmt(mine)} µs vs ${fmt(theirs)} µs` : 'n/a';
      met = Number.isFinite(mine) && Number.isFinite(theirs) ? mine <= theirs : null;
    } else if (t.max !== undefined) {
      target = `≤ ${t.max} B/conn`;
      measured = Number.isFinite(v) ? `${Math.round(v)} B/conn` : 'n/a';
      met = Number.isFinite(v) ? v <= t.max : null;
    } else {
      const r = pairedRatio(results, t.scenario, t.impl, /** @type {string} */ (t.vs));
      // A target without `max` is a ratio: it has `min` and `vs`.
      target = `≥ ${/** @type {number} */ (t.min).toFixed(2)}× ${IMPLS[/** @type {string} */ (t.vs)].label}`;
      measured = fmtRatio(r);
      met = Number.isFinite(r) ? r >= /** @type {number} */ (t.min) : null;
    }
    L.push(
      `| ${t.scenario} | ${IMPLS[t.impl].label} | ${target} | ${measured} | ${met === null ? 'n/a' : met ? 'yes' : '**no**'} |`,
    );
  }
  L.push('');

  const echo = SCENARIOS.filter((s) => s.echo && results[s.name]);
  if (echo.length) {
    L.push('## echo-many: latency, server CPU and fairness (medians over the rounds)', '');
    L.push(
      "Latency is the client's, from sending a request to receiving its whole echo. Server CPU is the server process's utime + stime over the measured window (from /proc, 10 ms ticks) divided by the round trips in it. Starved: connections served less than a quarter of the mean; Jain's index is 1.0 when every connection got the same number of round trips.",
      '',
    );
    L.push(
      '| scenario | implementation | round trips/s | p50 µs | p99 µs | max µs | server CPU µs/round trip | min–max round trips per connection | starved | Jain |',
    );
    L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const sc of echo) {
      for (const i of impls) {
        const e = results[sc.name][i];
        if (!e || !e.stats) continue;
        const m = (/** @type {string} */ k) => sampleMedian(results, sc.name, i, k);
        L.push(
          `| ${sc.name} | ${IMPLS[i].label} | ${fmt(e.stats.median)} | ${fmt(m('p50_us'))} | ${fmt(m('p99_us'))} | ${fmt(m('max_us'))} | ${m('server_cpu_us_per_rt').toFixed(2)} | ${fmt(m('conn_rts_min'))}–${fmt(m('conn_rts_max'))} | ${fmt(m('starved'))} | ${m('jain').toFixed(3)} |`,
        );
      }
    }
    L.push('');
  }

  const udp = SCENARIOS.filter((s) => s.name.startsWith('udp') && results[s.name]);
  if (udp.length) {
    L.push('## UDP loss (median share of datagrams sent that were not received)', '');
    L.push(`| scenario | ${impls.map((i) => IMPLS[i].label).join(' | ')} |`);
    L.push(`| --- | ${impls.map(() => '---:').join(' | ')} |`);
    for (const sc of udp) {
      const cells = impls.map((i) => {
        const e = results[sc.name][i];
        if (!e || !e.samples || !e.samples.length) return '—';
        const losses = e.samples
          .map((s) => s.loss)
          .filter((x) => typeof x === 'number')
          .filter((x) => Number.isFinite(x) && x >= 0);
        return losses.length ? `${(stats(losses).median * 100).toFixed(1)} %` : 'n/a';
      });
      L.push(`| ${sc.name} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }

  L.push('## Notes', '');
  for (const n of notes) L.push(`- ${n}`);
  L.push('');
  return L.join('\n');
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const started = Date.now();
  /** @type {string[]} */
  const notes = [];
  ensureDist();
  ensureAddon();
  ensureC();
  const wrk = SCENARIOS.some((s) => s.needs === 'wrk' && (!flags.only || flags.only.includes(s.name)))
    ? ensureWrk(flags)
    : { path: null };
  const hasPython = !!sh('command -v python3');
  const hasTaskset = !!sh('command -v taskset');
  /** @type {Meta} */
  const meta = { ...machine(), method: '', command: '', load_before: '', load_after: '', wall_s: 0 };
  let pin = flags.pin && hasTaskset;
  if (flags.pin && !hasTaskset) notes.push('taskset was not found: nothing was pinned.');
  const allowed = allowedCpus();
  const cpu = flags.cpu === null ? allowed[0] : flags.cpu;
  const peerCpu = flags.split ? allowed[(allowed.indexOf(cpu) + 1) % allowed.length] : null;
  meta.method = pin
    ? `${flags.split ? `main on CPU ${cpu}, its peer on CPU ${peerCpu}` : `both ends pinned to CPU ${cpu}`} (taskset); ` +
      `implementations run alternately, ${flags.rounds} round${flags.rounds > 1 ? 's' : ''}${flags.quick ? ', quick mode (tiny counts)' : ''}`
    : `not pinned; ${flags.rounds} round(s)${flags.quick ? ', quick mode' : ''}`;
  meta.command = flags.quick ? 'node bench/run.js --quick' : 'npm run bench';
  meta.load_before = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, BENCH_IDLE_CLIENT: C_BIN, BENCH_WRK: wrk.path || 'wrk' };
  delete env.BENCH_PEER_CPU;
  if (pin && peerCpu !== null) env.BENCH_PEER_CPU = String(peerCpu);

  // idle-conns needs `count` descriptors on each side.
  const scenarios = SCENARIOS.filter((s) => !flags.only || flags.only.includes(s.name)).map((s) => ({
    ...s,
    full: { ...s.full },
    quick: { ...s.quick },
  }));
  const idle = scenarios.find((s) => s.name === 'idle-conns');
  if (idle && meta.nofile) {
    const p = flags.quick ? idle.quick : idle.full;
    const room = meta.nofile - 64;
    if (p.count > room) {
      const scaled = Math.max(p.batch, Math.floor(room / p.batch) * p.batch);
      notes.push(
        `idle-conns: RLIMIT_NOFILE is ${meta.nofile}, so ${scaled.toLocaleString('en-US')} connections were held instead of ${p.count.toLocaleString('en-US')}.`,
      );
      p.count = scaled;
    }
  }

  /** @type {Results} */
  const results = {};
  let failures = 0;
  for (const sc of scenarios) {
    results[sc.name] = {};
    const impls = sc.impls.filter((i) => !flags.impls || flags.impls.includes(i));
    for (const i of impls) results[sc.name][i] = { samples: [], errors: [] };
    if (sc.needs === 'wrk' && !wrk.path) {
      log(`${sc.name}: skipped: ${wrk.why}`);
      notes.push(`${sc.name} was skipped: ${wrk.why}.`);
      for (const i of impls) results[sc.name][i] = { skipped: /** @type {string} */ (wrk.why) }; // set when path is null
      continue;
    }
    const args = scenarioArgs(sc, flags);
    const timeout = flags.quick ? 60 : 150;
    for (let r = 1; r <= flags.rounds; r++) {
      for (const i of impls) {
        const e = results[sc.name][i];
        if (e.skipped !== undefined) continue;
        if (i === 'python' && !hasPython) {
          results[sc.name][i] = { skipped: 'python3 not found' };
          continue;
        }
        const argv = [...IMPLS[i].cmd(sc.name), ...args];
        const full = pin ? ['taskset', '-c', String(cpu), ...argv] : argv;
        const res = await runOne(full, env, timeout);
        const tag = `[${sc.name} ${r}/${flags.rounds}] ${IMPLS[i].label.padEnd(16)}`;
        if (res.ok) {
          e.samples.push({ ...res.result, value: res.result.value, round: r });
          const extra = res.result.loss !== undefined ? `, loss ${(res.result.loss * 100).toFixed(1)} %` : '';
          log(`${tag} ${fmt(res.result.value, sc.unit)} ${sc.unit}${extra} (${res.wall.toFixed(1)} s)`);
        } else {
          failures++;
          e.errors.push(res.error);
          log(`${tag} FAILED: ${res.error}`);
        }
      }
    }
    for (const i of impls) {
      const e = results[sc.name][i];
      if (e.samples && e.samples.length) e.stats = stats(e.samples.map((s) => s.value));
    }
  }

  if (!hasPython) notes.push('python3 was not found: the Python column is empty.');
  notes.push(
    "udp-batched has no Node or Python figure: neither Node dgram nor Python's socket module has recvmmsg/sendmmsg (compare their udp-pps row).",
    'idle-conns: every server is measured against the same C client (bench/out/bench idle-conns client), which opens the connections 1,000 at a time and waits for one byte from the server after each batch; the server reports VmRSS before and after accepting them (Node servers after a full GC, --expose-gc). Node net reads every connection; the bsdsock async server keeps one pending recv_into() per connection; C, Python and bsdsock blocking only hold the sockets.',
    'echo-many: the server and the C client share one CPU (as in every scenario); the client keeps one 64-byte request in flight per connection, loads the server for 1 s, then measures for 3 s.',
    'http-hello: wrk -t1 on the same CPU as the server; bsdsock blocking serves with one worker thread per wrk connection (blocking accept() on a shared listening socket), the others with one event loop.',
    'udp: the receiver has SO_RCVBUF = 4 MiB (the kernel caps it at net.core.rmem_max) in every implementation; its rate is counted from the first to the last datagram received.',
  );
  const idleRes = results['idle-conns'];
  if (idleRes) {
    const heap = Object.entries(idleRes)
      .map(([i, e]) => {
        const v = (e.samples || []).map((s) => s.heap_used_per_conn).filter((x) => typeof x === 'number');
        return /** @type {[string, number[]]} */ ([i, v.filter(Number.isFinite)]);
      })
      .filter(([, v]) => v.length)
      .map(([i, v]) => `${IMPLS[i].label} ${Math.round(stats(v).median)} B`);
    if (heap.length) {
      notes.push(
        `idle-conns, V8 heapUsed per connection after a full GC (median): ${heap.join(', ')}. The rest of the RSS figure is memory the V8 heap committed (pages, young-generation growth from the accept loop's garbage) and malloc (libuv handles, Node's stream state).`,
      );
    }
  }
  for (const sc of scenarios) {
    for (const [i, e] of Object.entries(results[sc.name])) {
      if (e.errors && e.errors.length)
        notes.push(`${sc.name} / ${IMPLS[i].label}: ${e.errors.length} failed run(s): ${e.errors[0]}`);
      const errs = (e.samples || []).filter((s) => (s.socket_errors ?? 0) > 0 || (s.non2xx ?? 0) > 0);
      if (errs.length)
        notes.push(
          `${sc.name} / ${IMPLS[i].label}: wrk reported socket errors or non-2xx responses in ${errs.length} run(s).`,
        );
    }
  }

  meta.load_after = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  meta.wall_s = (Date.now() - started) / 1000;
  const md = render(meta, flags, results, notes);
  process.stdout.write(md + '\n');
  fs.mkdirSync(path.dirname(flags.out), { recursive: true });
  fs.writeFileSync(flags.out, md + '\n');
  log(`wrote ${flags.out}`);
  if (flags.json) {
    const json = { meta, flags: { ...flags }, scenarios: results, notes };
    fs.mkdirSync(path.dirname(flags.json), { recursive: true });
    fs.writeFileSync(flags.json, JSON.stringify(json, null, 2) + '\n');
    log(`wrote ${flags.json}`);
  }
  log(`done in ${meta.wall_s.toFixed(0)} s${failures ? `, ${failures} failed run(s)` : ''}`);
  process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
  log(`bench: ${(e && e.stack) || e}`);
  process.exit(2);
});
