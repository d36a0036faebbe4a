#!/usr/bin/env node
// `npm run prebuild:all`: the four Linux prebuilds, made on this (x64) machine with zig
// as the C/C++ compiler, into prebuilds/<platform>-<arch>/bsdsock.<libc>.node (the
// names of prebuildify's --tag-libc, which node-gyp-build matches):
//
//   linux-x64/bsdsock.glibc.node    x86_64-linux-gnu.2.28   loads on glibc 2.28 or newer
//   linux-x64/bsdsock.musl.node     x86_64-linux-musl       Alpine and other musl systems
//   linux-arm64/bsdsock.glibc.node  aarch64-linux-gnu.2.28
//   linux-arm64/bsdsock.musl.node   aarch64-linux-musl
//
// zig links its libc++ statically and links glibc through stubs of the requested version,
// so a glibc build needs nothing newer than GLIBC_2.28 and no libstdc++ at all (a build by
// this machine's g++ would need GLIBC_2.33 and GLIBCXX_3.4.29).
//
// Each target builds in a staging copy under .cache/prebuild/<target>/ (binding.gyp,
// native/, package.json), never in this tree's build/: node-gyp-build would pick a
// foreign build/Release/bsdsock.node before any prebuild. zig comes from the npm registry
// (scripts/toolchain.cjs), its cache (libc++ per target, about a minute each the first
// time) stays in .cache/zig between runs.
//
//   node scripts/prebuild-all.cjs [target...]    e.g. x64-musl arm64-glibc (default: all)
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const toolchain = require('./toolchain.cjs');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

const TARGETS = {
  'x64-glibc': { arch: 'x64', libc: 'glibc', zig: 'x86_64-linux-gnu.2.28' },
  'x64-musl': { arch: 'x64', libc: 'musl', zig: 'x86_64-linux-musl' },
  'arm64-glibc': { arch: 'arm64', libc: 'glibc', zig: 'aarch64-linux-gnu.2.28' },
  'arm64-musl': { arch: 'arm64', libc: 'musl', zig: 'aarch64-linux-musl' },
};

// What a staging copy needs to build the addon.
const SOURCES = ['binding.gyp', 'native', 'package.json'];

function stage(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of SOURCES) fs.cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(process.execPath, '..', '..');
  if (!fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
    throw new Error(`Node's headers are not in ${prefix}/include/node: set npm_config_nodedir`);
  }
  return prefix;
}

function build(name, target, zig, cacheDir) {
  const dir = path.join(root, '.cache', 'prebuild', name);
  stage(dir);
  const env = {
    ...process.env,
    ...zig.env(target.zig, cacheDir),
    npm_config_nodedir: nodeDir(),
    // zig links with -s (strip): no binutils for the target needed.
    LDFLAGS: '-s',
    JOBS: process.env.JOBS || 'max',
  };
  const prebuildify = require.resolve('prebuildify/bin.js', { paths: [root] });
  const args = [
    prebuildify,
    '--napi',
    `--arch=${target.arch}`,
    `--tag-libc=${target.libc}`,
    `--out=${root}`,
    `--cwd=${dir}`,
  ];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const log = `${r.stdout}${r.stderr}`;
  fs.writeFileSync(path.join(dir, 'build.log'), log);
  const out = path.join(root, 'prebuilds', `linux-${target.arch}`, `${pkg.name}.${target.libc}.node`);
  if (r.status !== 0 || !fs.existsSync(out)) {
    const lines = log.split('\n').filter((l) => !l.startsWith('gyp info'));
    throw new Error(`${name}: prebuildify failed (exit ${r.status})\n${lines.slice(-40).join('\n')}`);
  }
  fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true });
  console.log(
    `prebuild:all: ${path.relative(root, out)} (${target.zig}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

function main() {
  const names = process.argv.slice(2);
  for (const n of names)
    if (!TARGETS[n]) throw new Error(`unknown target ${n}; one of ${Object.keys(TARGETS).join(', ')}`);
  const zig = toolchain.zig();
  const cacheDir = process.env.ZIG_GLOBAL_CACHE_DIR || path.join(root, '.cache', 'zig');
  for (const name of names.length ? names : Object.keys(TARGETS)) {
    const t = TARGETS[name];
    fs.rmSync(path.join(root, 'prebuilds', `linux-${t.arch}`, `${pkg.name}.${t.libc}.node`), { force: true });
    build(name, t, zig, cacheDir);
  }
}

try {
  main();
} catch (err) {
  console.error(`prebuild:all: ${err.message}`);
  process.exitCode = 1;
}
