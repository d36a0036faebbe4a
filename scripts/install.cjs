#!/usr/bin/env node
// npm's `install` step for bsdsock: use a prebuilt binary when one loads here, else compile
// the addon with node-gyp against the running Node's own headers.
//
// 1. node-gyp-build's lookup (build/Release, then prebuilds/<platform>-<arch>/ with the
//    libc tag) names a file, and that file loads in this Node: done, nothing to compile.
// 2. Otherwise `node-gyp rebuild`. An official Node install ships its headers under
//    <prefix>/include/node (prefix = two levels above the node binary); when they are
//    there, node-gyp gets `--nodedir=<prefix>` and never touches the network. Only when
//    they are absent (and no nodedir is configured) does node-gyp download them.
//
// `npm install --build-from-source` (or npm_config_build_from_source=true) skips step 1.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function log(msg) {
  console.log(`bsdsock: ${msg}`);
}

/** The prebuilt or already built addon that loads in this process, or null. */
function loadableBuild() {
  let file;
  try {
    file = require('node-gyp-build').resolve(root);
  } catch {
    return null; // nothing for this platform, arch and libc
  }
  // Loaded in a child: a build that cannot load here (another libc, a sanitizer build)
  // may end the process that tries instead of throwing.
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  if (r.status === 0) return file;
  const why = `${r.stderr || ''}`.split('\n').find((l) => /error/i.test(l)) || `exit ${r.status ?? r.signal}`;
  log(`${path.relative(root, file)} does not load here (${why.trim()})`);
  return null;
}

/** <prefix> when the running Node's own headers are at <prefix>/include/node, else null. */
function localNodeDir() {
  const prefix = path.resolve(process.execPath, '..', '..');
  const inc = path.join(prefix, 'include', 'node');
  const needed = ['node_api.h', 'node_version.h', 'common.gypi'];
  return needed.every((f) => fs.existsSync(path.join(inc, f))) ? prefix : null;
}

/** The node-gyp to run, as [executable, ...leading args]. */
function nodeGyp() {
  try {
    // A clone of the repository has node-gyp as a devDependency.
    const pkgJson = require.resolve('node-gyp/package.json', { paths: [root] });
    const pkg = require(pkgJson);
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['node-gyp'];
    return [process.execPath, path.join(path.dirname(pkgJson), bin)];
  } catch {
    // Installed as a dependency: the node-gyp bundled with npm, else one on PATH.
    const bundled = process.env.npm_config_node_gyp;
    if (bundled && fs.existsSync(bundled)) return [process.execPath, bundled];
    return ['node-gyp'];
  }
}

function build() {
  const args = ['rebuild'];
  if (!process.env.npm_config_nodedir) {
    const nodedir = localNodeDir();
    if (nodedir) {
      args.push(`--nodedir=${nodedir}`);
      log(`compiling with node-gyp against this Node's headers in ${nodedir}/include/node`);
    } else {
      log('compiling with node-gyp; this Node ships no headers, so node-gyp downloads them');
    }
  } else {
    log(`compiling with node-gyp (nodedir ${process.env.npm_config_nodedir})`);
  }
  if (!process.env.JOBS) args.push('--jobs=max');

  const [cmd, ...pre] = nodeGyp();
  const r = spawnSync(cmd, [...pre, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return 0;
  const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
  console.error(
    `bsdsock: building the native addon failed (${why}).\n` +
      `  No prebuilt binary matches ${process.platform}-${process.arch}, so it must be compiled.\n` +
      '  Needed: a C++17 compiler (g++ or clang++), make and python3 (Debian/Ubuntu:\n' +
      '  `apt-get install build-essential python3`; Alpine: `apk add build-base python3`),\n' +
      "  and Node's headers (shipped with official Node builds under <prefix>/include/node).",
  );
  return 1;
}

function main() {
  const fromSource = process.env.npm_config_build_from_source === 'true';
  if (!fromSource) {
    const file = loadableBuild();
    if (file) {
      log(`using ${path.relative(root, file)}`);
      return 0;
    }
  }
  return build();
}

process.exitCode = main();
