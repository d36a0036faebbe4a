#!/usr/bin/env node
'use strict';
// The capture benchmark (issue 14): how fast each receiver takes minimum-size frames off a link.
//
//   flock /work/bench.lock nice node bench/capture/run.js [--rounds N] [--seconds S] [--impls a,b]
//                                                        [--out FILE] [--quick] [--no-install] [--prof]
//
// It builds two network namespaces joined by a veth pair (gen: cg0 <-> rx: cr0; IPv6 off, no
// addresses) and removes them at the end (also on Ctrl-C). In each run a receiver starts in rx,
// pinned to one CPU, and says "ready"; then bench/capture/gen.c, pinned to the other CPU, sends
// 60-byte Ethernet/IPv4/UDP frames with sendmmsg(2) for S seconds as fast as it can. The frames
// cross the veth pair in the generator's own softirq (the kernel's receive path, the BPF filter
// and the copy into the ring or socket queue run on the generator's CPU); the receiver's CPU does
// what user space does with them. Receivers (all with the same filter, udp dst port 9999, and a
// 32 MiB ring or receive buffer): C on a TPACKET_V3 ring (bench/capture/ring.c, the limit),
// bsdsock RxRing blocking and async, bsdsock recvfrom per frame, bsdsock recvmmsg_into (64 per
// call), and the npm package `cap` (libpcap). Implementations alternate within each round; the
// report gives medians of frames/s (received / generator seconds), the kernel's drop count,
// frames lost (sent - received), and receiver CPU seconds per million frames.
//
// Needs root (namespaces, AF_PACKET), iproute2, taskset and a C compiler. `cap` is installed
// from the registry into bench/out/cap and built there with node-gyp; it needs libpcap's headers
// (apt-get install libpcap-dev, done here when root, unless --no-install).
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'bench', 'out');
const PORT = 9999;
const BLOCK_SIZE = 1 << 20;
const BLOCK_NR = 32;
const IDLE_MS = 400;

/**
 * @typedef {{ label: string, cmd: () => string[] }} Impl  a receiver and the command that starts it
 * @typedef {{ rounds: number, seconds: number, impls: string[], out: string, install: boolean, prof?: boolean }} Flags
 * @typedef {{ impl: string, vs: string, what: string, min?: number, max?: number }} Target
 * @typedef {{ ok: boolean, json: any, err: string, code: number | null }} Ended  a child's exit and its last JSON line
 * @typedef {{ ok: true, sent: number, seconds: number, frames: number, drops: number | null, cpu: number,
 *   blocks?: number, fps: number, lost: number, cpuPerM: number }} Sample
 * @typedef {Sample | { ok: false, why: string }} Outcome
 */

/** @type {Record<string, Impl>} */
const IMPLS = {
  c: { label: 'C, TPACKET_V3 ring', cmd: () => [path.join(OUT, 'capture-ring'), 'cr0', ...geometry()] },
  'ring-cursor': { label: 'bsdsock RxRing, cursor (blocking)', cmd: () => node('ring-cursor') },
  ring: { label: 'bsdsock RxRing, Frame objects (blocking)', cmd: () => node('ring') },
  'ring-async': { label: 'bsdsock AsyncRxRing, cursor (await)', cmd: () => node('ring-async') },
  recvfrom: { label: 'bsdsock recvfrom per frame', cmd: () => node('recvfrom') },
  recvmmsg: { label: 'bsdsock recvmmsg_into (64)', cmd: () => node('recvmmsg') },
  cap: { label: 'cap (libpcap)', cmd: () => node('cap') },
};
const geometry = () => [String(PORT), String(BLOCK_SIZE), String(BLOCK_NR), String(IDLE_MS)];
// --prof: V8 CPU profiles of the Node receivers in bench/out/prof (for docs/performance.md).
const PROF = process.argv.includes('--prof')
  ? ['--cpu-prof', '--cpu-prof-dir', path.join(ROOT, 'bench', 'out', 'prof')]
  : [];
const node = (/** @type {string} */ mode) => [
  process.execPath,
  ...PROF,
  path.join(__dirname, 'recv.js'),
  mode,
  'cr0',
  ...geometry(),
];

// Judged on the ring read with the cursor (the allocation-free form); the Frame-object and
// async rows show what the convenience and the event loop cost on top.
/** @type {Target[]} */
const TARGETS = [
  { impl: 'ring-cursor', vs: 'c', what: 'frames/s', min: 0.8 },
  { impl: 'ring-cursor', vs: 'cap', what: 'frames/s', min: 1.5 },
  { impl: 'ring-cursor', vs: 'recvfrom', what: 'frames/s', min: 3 },
  { impl: 'ring-cursor', vs: 'c', what: 'CPU per frame', max: 1.5 },
  { impl: 'ring', vs: 'c', what: 'CPU per frame', max: 1.5 },
  { impl: 'ring-async', vs: 'c', what: 'CPU per frame', max: 1.5 },
];

const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);

/**
 * @param {string[]} argv
 * @returns {Flags}
 */
function flags(argv) {
  /** @type {Flags} */
  const f = {
    rounds: 3,
    seconds: 3,
    impls: Object.keys(IMPLS),
    out: path.join(ROOT, 'bench', 'results.md'),
    install: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') f.rounds = Number(argv[++i]);
    else if (a === '--seconds') f.seconds = Number(argv[++i]);
    else if (a === '--impls') f.impls = argv[++i].split(',');
    else if (a === '--out') f.out = path.resolve(argv[++i]);
    else if (a === '--quick')
      Object.assign(f, { rounds: 1, seconds: 1, out: path.join(OUT, 'capture-quick.md') });
    else if (a === '--no-install') f.install = false;
    else if (a === '--prof') f.prof = true;
    else throw new Error(`unknown option ${a}`);
  }
  for (const i of f.impls) if (!IMPLS[i]) throw new Error(`unknown implementation ${i}`);
  if (!(f.rounds >= 1 && f.rounds <= 20 && f.seconds > 0 && f.seconds <= 30))
    throw new Error('--rounds 1..20, --seconds up to 30');
  return f;
}

// ---- preparation -----------------------------------------------------------------------------

/**
 * @param {string} src
 * @param {string} bin  its name in bench/out
 */
function compile(src, bin) {
  fs.mkdirSync(OUT, { recursive: true });
  const out = path.join(OUT, bin);
  try {
    if (fs.statSync(out).mtimeMs > fs.statSync(src).mtimeMs) return;
  } catch {
    // not built yet
  }
  // Written under this process's name, then renamed into place: a run started at the same time
  // in this checkout (the test suite twice at once) never executes a half-written binary.
  const tmp = `${out}.${process.pid}`;
  const r = spawnSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', tmp, src], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`cc failed on ${src}`);
  }
  fs.renameSync(tmp, out);
}

function ensureDist() {
  if (fs.existsSync(path.join(ROOT, 'dist', 'ring.js'))) return;
  const r = spawnSync('npm', ['run', 'build:ts'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('npm run build:ts failed');
}

/**
 * Makes `cap` loadable: installs cap@CAP_VERSION from the registry into bench/out/cap (not a
 * devDependency: that would make `npm install` in a clone compile it, which needs libpcap's
 * headers and breaks the offline install the README promises), libpcap-dev with apt-get when
 * root, then node-gyp against this Node's own headers. Returns the package directory, or why not.
 */
const CAP_VERSION = '0.2.1';
/**
 * @param {Flags} f
 * @returns {{ dir: string, why?: undefined } | { why: string, dir?: undefined }}
 */
function ensureCap(f) {
  const prefix = path.join(OUT, 'cap');
  const dir = path.join(prefix, 'node_modules', 'cap');
  if (fs.existsSync(path.join(dir, 'build', 'Release', 'cap.node'))) return { dir };
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    if (!f.install) return { why: 'cap is not installed in bench/out/cap (--no-install)' };
    log(`installing cap@${CAP_VERSION} into ${path.relative(ROOT, prefix)} (npm, scripts off)`);
    fs.mkdirSync(prefix, { recursive: true });
    const r = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        `cap@${CAP_VERSION}`,
      ],
      { stdio: ['ignore', 2, 2], timeout: 300000 },
    );
    if (r.status !== 0) return { why: `npm install cap@${CAP_VERSION} failed` };
  }
  if (!fs.existsSync('/usr/include/pcap/pcap.h')) {
    if (!f.install) return { why: 'libpcap-dev is missing (--no-install)' };
    log('libpcap headers missing: apt-get install -y libpcap-dev');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (/** @type {string[]} */ args) =>
      spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env, timeout: 300000 });
    if (apt(['install', '-y', '-qq', '--no-install-recommends', 'libpcap-dev']).status !== 0) {
      apt(['update', '-qq']);
      if (apt(['install', '-y', '-qq', '--no-install-recommends', 'libpcap-dev']).status !== 0)
        return { why: 'apt-get install libpcap-dev failed' };
    }
  }
  log("building cap (node-gyp rebuild against this Node's headers)");
  const env = { ...process.env, npm_config_nodedir: path.resolve(process.execPath, '..', '..') };
  const gyp = path.join(ROOT, 'node_modules', '.bin', 'node-gyp');
  const r = spawnSync(gyp, ['rebuild', '-j', '2'], { cwd: dir, stdio: ['ignore', 2, 2], env });
  return r.status === 0 ? { dir } : { why: 'node-gyp rebuild of cap failed (see the log above)' };
}

// ---- the network -------------------------------------------------------------------------------

const NS = { gen: `bsdsock-bench-${process.pid}-gen`, rx: `bsdsock-bench-${process.pid}-rx` };
const ip = (/** @type {string[]} */ ...args) =>
  execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function removeNetwork() {
  for (const ns of Object.values(NS)) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // not there
    }
  }
}

function buildNetwork() {
  // Leftovers of killed runs (their pid is gone).
  for (const line of ip('netns', 'list').split('\n')) {
    const m = /^(bsdsock-bench-(\d+)-\w+)/.exec(line);
    if (!m) continue;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      ip('netns', 'del', m[1]);
    }
  }
  process.on('exit', removeNetwork);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
  for (const ns of Object.values(NS)) {
    ip('netns', 'add', ns);
    ip('netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1');
    ip('netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1');
  }
  ip('link', 'add', 'cg0', 'netns', NS.gen, 'type', 'veth', 'peer', 'name', 'cr0', 'netns', NS.rx);
  ip('-n', NS.gen, 'link', 'set', 'cg0', 'up');
  ip('-n', NS.rx, 'link', 'set', 'cr0', 'up');
  return JSON.parse(ip('-n', NS.rx, '-j', 'link', 'show', 'dev', 'cr0'))[0].address;
}

// ---- runs --------------------------------------------------------------------------------------

function cpus() {
  const m = /** @type {RegExpExecArray} */ (
    /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  );
  const out = [];
  for (const part of m[1].split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (Number.isFinite(b) ? b : a); c++) out.push(c);
  }
  return out;
}

/**
 * Starts argv in namespace ns pinned to cpu; `done` resolves when it ends.
 * @param {string} ns
 * @param {number} cpu
 * @param {string[]} argv
 * @param {number} timeoutS  SIGKILL after this many seconds
 * @param {(stderr: string) => void} [onStderr]  called with all of stderr so far, on each chunk
 * @returns {{ child: import('node:child_process').ChildProcess, done: Promise<Ended> }}
 */
function inNs(ns, cpu, argv, timeoutS, onStderr) {
  const child = spawn('ip', ['netns', 'exec', ns, 'taskset', '-c', String(cpu), ...argv], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => {
    err += d;
    onStderr?.(err);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
  const done = new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      resolve({ ok: code === 0 && !!line, json: line ? JSON.parse(line) : null, err: err.trim(), code });
    }),
  );
  return { child, done };
}

/**
 * @param {string} impl
 * @param {string} mac  the receiver's link address, for the generator
 * @param {Flags} f
 * @param {[number, number]} cpus  receiver's and generator's
 * @returns {Promise<Outcome>}
 */
async function runOnce(impl, mac, f, [cpuRx, cpuGen]) {
  /** @type {(v?: unknown) => void} */
  let ready = () => {};
  const isReady = new Promise((r) => (ready = r));
  const rx = inNs(NS.rx, cpuRx, IMPLS[impl].cmd(), 90, (e) => /ready/.test(e) && ready());
  const early = await Promise.race([isReady.then(() => null), rx.done]);
  if (early) return { ok: false, why: `receiver ended before ready: ${early.err.slice(-300)}` };
  const gen = await inNs(
    NS.gen,
    cpuGen,
    [path.join(OUT, 'capture-gen'), 'cg0', mac, String(f.seconds), String(PORT)],
    60,
  ).done;
  const r = await rx.done;
  if (!gen.ok) return { ok: false, why: `generator failed: ${gen.err}` };
  if (!r.ok) return { ok: false, why: `receiver failed (${r.code}): ${r.err.slice(-300)}` };
  const { sent, seconds } = gen.json;
  const { frames, drops, cpu, blocks } = r.json;
  return {
    ok: true,
    sent,
    seconds,
    frames,
    drops,
    cpu,
    blocks,
    fps: frames / seconds,
    lost: sent - frames,
    cpuPerM: (cpu / frames) * 1e6,
  };
}

const median = (/** @type {number[]} */ xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
};
const num = (/** @type {number} */ v, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

async function main() {
  const f = flags(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    log('capture benchmark: needs root (network namespaces, AF_PACKET); skipped');
    return;
  }
  compile(path.join(__dirname, 'gen.c'), 'capture-gen');
  compile(path.join(__dirname, 'ring.c'), 'capture-ring');
  ensureDist();
  /** @type {Record<string, string>} */
  const missing = {};
  if (f.impls.includes('cap')) {
    const cap = ensureCap(f);
    if (cap.why) {
      missing.cap = cap.why;
      f.impls = f.impls.filter((i) => i !== 'cap');
    } else process.env.BSDSOCK_CAP_DIR = cap.dir;
  }
  const allowed = cpus();
  /** @type {[number, number]} */
  const pin = allowed.length >= 2 ? [allowed[0], allowed[1]] : [allowed[0], allowed[0]];
  const mac = buildNetwork();
  log(`namespaces ${NS.gen} / ${NS.rx}; receiver on CPU ${pin[0]}, generator on CPU ${pin[1]}`);

  /** @type {Record<string, Sample[]>} */
  const samples = Object.fromEntries(f.impls.map((i) => [i, []]));
  /** @type {Record<string, string>} */
  const failures = {};
  for (let round = 1; round <= f.rounds; round++) {
    for (const impl of f.impls) {
      const r = await runOnce(impl, mac, f, pin);
      if (r.ok) {
        samples[impl].push(r);
        log(
          `round ${round} ${impl}: ${num(r.fps)} frames/s, ${r.drops ?? 'n/a'} drops, ${num(r.cpuPerM, 3)} CPU s/Mframe (sent ${num(r.sent)}${r.blocks ? `, ${num(r.frames / r.blocks)} frames/block` : ''})`,
        );
      } else {
        failures[impl] = r.why;
        log(`round ${round} ${impl}: FAILED ${r.why}`);
      }
    }
  }

  /** @type {Record<string, { fps: number, sent: number, drops: number | null, lost: number, cpuPerM: number, minFps: number, maxFps: number, n: number }>} */
  const med = {};
  for (const impl of f.impls) {
    const s = samples[impl];
    med[impl] = {
      fps: median(s.map((x) => x.fps)),
      sent: median(s.map((x) => x.sent / x.seconds)),
      drops: s.some((x) => x.drops === null) ? null : median(s.map((x) => /** @type {number} */ (x.drops))),
      lost: median(s.map((x) => x.lost)),
      cpuPerM: median(s.map((x) => x.cpuPerM)),
      minFps: Math.min(...s.map((x) => x.fps)),
      maxFps: Math.max(...s.map((x) => x.fps)),
      n: s.length,
    };
  }
  const lines = [];
  lines.push('<!-- capture:begin -->');
  lines.push('## capture: frames off a veth link (issue 14)');
  lines.push('');
  lines.push(
    `\`flock /work/bench.lock nice node bench/capture/run.js --rounds ${f.rounds} --seconds ${f.seconds}\`, ${new Date().toISOString()}, ` +
      `${os.cpus()[0]?.model.trim()}, ${os.cpus().length} CPUs (shared with other jobs), Linux ${os.release()}, Node ${process.version}. ` +
      `Generator: 60-byte UDP frames with sendmmsg on CPU ${pin[1]}; receiver on CPU ${pin[0]}; ${f.seconds} s per run; ` +
      `rings ${BLOCK_NR} x ${BLOCK_SIZE / 1024} KiB (cap: the same bytes as libpcap's buffer; recvfrom/recvmmsg: SO_RCVBUFFORCE of that size). ` +
      `Medians of ${f.rounds} alternating rounds.`,
  );
  lines.push('');
  lines.push(
    '| receiver | frames/s (min-max) | generator frames/s | kernel drops | lost (sent - received) | receiver CPU s per 1M frames |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const impl of f.impls) {
    const m = med[impl];
    lines.push(
      `| ${IMPLS[impl].label} | ${num(m.fps)} (${num(m.minFps)}-${num(m.maxFps)}) | ${num(m.sent)} | ${m.drops === null ? 'n/a (no pcap_stats in cap)' : num(m.drops)} | ${num(m.lost)} | ${num(m.cpuPerM, 3)} |`,
    );
  }
  for (const [impl, why] of Object.entries(missing))
    lines.push(`| ${IMPLS[impl].label} | not run: ${why} | | | | |`);
  for (const [impl, why] of Object.entries(failures))
    lines.push(`| ${IMPLS[impl].label} | failed at least once: ${why.replace(/\|/g, '/')} | | | | |`);
  lines.push('');
  lines.push('| target | measured | met |');
  lines.push('| --- | --- | --- |');
  for (const t of TARGETS) {
    const a = med[t.impl];
    const b = med[t.vs];
    if (!a || !b) {
      lines.push(
        `| ${t.impl} ${t.what} vs ${t.vs} ${t.min ? '≥' : '≤'} ${t.min ?? t.max}× | not measured | — |`,
      );
      continue;
    }
    const r = t.what === 'frames/s' ? a.fps / b.fps : a.cpuPerM / b.cpuPerM;
    const met = t.min ? r >= t.min : r <= /** @type {number} */ (t.max);
    lines.push(
      `| ${IMPLS[t.impl].label} ${t.what} vs ${IMPLS[t.vs].label}: ${t.min ? '≥' : '≤'} ${t.min ?? t.max}× | ${r.toFixed(2)}× | ${met ? 'yes' : 'no'} |`,
    );
  }
  lines.push('<!-- capture:end -->');
  const section = lines.join('\n') + '\n';
  fs.mkdirSync(path.dirname(f.out), { recursive: true });
  let text = fs.existsSync(f.out) ? fs.readFileSync(f.out, 'utf8') : '';
  const re = /<!-- capture:begin -->[\s\S]*<!-- capture:end -->\n?/;
  text = re.test(text)
    ? text.replace(re, section)
    : `${text}${text.endsWith('\n') || !text ? '' : '\n'}\n${section}`;
  fs.writeFileSync(f.out, text);
  process.stdout.write(section);
  fs.writeFileSync(
    path.join(OUT, 'capture-samples.json'),
    JSON.stringify({ samples, failures, missing }, null, 1),
  );
}

main().catch((e) => {
  log(e.stack || String(e));
  process.exit(1);
});
