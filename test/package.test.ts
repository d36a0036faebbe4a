// End-to-end packaging check: build a prebuild, `npm pack` the package, install the
// tarball into a scratch project with no compiler step and no build/ directory, and
// load it there through require() and through ESM import.
//
// The prebuild and the pack run in a staging copy of the working tree (the package.json
// "files" entries, with node_modules linked), not in the repo itself: prebuildify runs
// `node-gyp rebuild`, which deletes and rewrites build/ (and moves the .node file out of
// build/Release). In the repo that would pull the addon from under test files running
// in parallel, and during `npm run test:sanitize` it would swap the ASan build for a
// plain one halfway through the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const platformDir = `${process.platform}-${process.arch}`;
const prebuildName = `${pkg.name}.glibc.node`; // this machine is glibc

// Environment for every child: no sanitizer preload (the prebuild is a plain build,
// and npm should not run under ASan), none of the parent npm's per-project variables
// (npm_config_local_prefix would point a child npm at the repo), Node's own headers.
function childEnv(keepSanitizer = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const keepNpm = new Set([
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_globalconfig',
    'npm_config_cafile',
  ]);
  for (const k of Object.keys(env)) {
    if ((k.startsWith('npm_') && !keepNpm.has(k)) || k === 'INIT_CWD' || k === 'NODE_OPTIONS') delete env[k];
    if (!keepSanitizer && (k === 'LD_PRELOAD' || k === 'ASAN_OPTIONS' || k === 'UBSAN_OPTIONS'))
      delete env[k];
  }
  env.npm_config_nodedir = process.env.npm_config_nodedir || path.resolve(process.execPath, '..', '..');
  env.NO_COLOR = '1';
  env.npm_config_update_notifier = 'false';
  return env;
}

function npmVersion(): string | null {
  const r = spawnSync('npm', ['--version'], { env: childEnv(), encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd: string, args: string[], cwd: string, env = childEnv(), timeout = 120_000): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const tail = (s: string) => s.split('\n').slice(-40).join('\n');
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (status ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ''})\n` +
        `--- stdout ---\n${tail(r.stdout ?? '')}\n--- stderr ---\n${tail(r.stderr ?? '')}`,
    );
  }
  return r.stdout;
}

// dist/ is what gets packed: (re)build it when it is missing or older than lib/.
function ensureDist(): void {
  const outputs = ['index.js', 'index.mjs', 'index.d.ts', 'aio.js', 'aio.mjs'].map((f) =>
    path.join(repoRoot, 'dist', f),
  );
  const libDir = path.join(repoRoot, 'lib');
  const newestLib = fs
    .readdirSync(libDir)
    .filter((f) => f.endsWith('.ts'))
    .reduce((m, f) => Math.max(m, fs.statSync(path.join(libDir, f)).mtimeMs), 0);
  const stale = outputs.some((f) => !fs.existsSync(f) || fs.statSync(f).mtimeMs < newestLib);
  // build:ts requires the built module (scripts/esm-wrappers.cjs), which loads the repo's
  // own addon: keep the sanitizer preload if this run has one.
  if (stale) run('npm', ['run', 'build:ts'], repoRoot, childEnv(true));
}

const npm = npmVersion();
const suite = npm ? describe : describe.skip;
const title = npm ? `npm package (npm ${npm})` : 'npm package (skipped: npm is not available on PATH)';

suite(title, () => {
  let tmp = '';
  let tarball = '';
  let packedFiles: string[] = [];
  let app = '';
  let installedDir = '';

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-pkg-'));
    ensureDist();

    // Staging copy of what npm would pack.
    const stage = path.join(tmp, 'stage');
    fs.mkdirSync(stage);
    const entries = new Set<string>(['package.json', 'README.md', 'LICENSE', ...(pkg.files as string[])]);
    for (const entry of entries) {
      // A glob entry ("dist/**/*.js") stages its top folder; npm pack applies the glob.
      const rel = entry.includes('*') ? entry.slice(0, entry.indexOf('/')) : entry.replace(/\/+$/, '');
      if (rel === 'prebuilds' || rel === 'build') continue; // made fresh below
      const src = path.join(repoRoot, rel);
      if (fs.existsSync(src)) fs.cpSync(src, path.join(stage, rel), { recursive: true });
    }
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(stage, 'node_modules'), 'dir');

    // prebuildify --napi --strip --tag-libc -> prebuilds/<platform>-<arch>/bsdsock.glibc.node
    run('npm', ['run', 'prebuild'], stage, childEnv(), 240_000);
    const prebuild = path.join(stage, 'prebuilds', platformDir, prebuildName);
    expect(fs.existsSync(prebuild), `${prebuild} after npm run prebuild`).toBe(true);
    fs.rmSync(path.join(stage, 'build'), { recursive: true, force: true });

    const packDir = path.join(tmp, 'pack');
    fs.mkdirSync(packDir);
    const packJson = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], stage);
    const info = JSON.parse(packJson.slice(packJson.indexOf('[')))[0];
    tarball = path.join(packDir, info.filename);
    packedFiles = info.files.map((f: { path: string }) => f.path);

    // Scratch consumer project: install the tarball from the local npm cache.
    app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'bsdsock-consumer', version: '0.0.0', private: true }, null, 2),
    );
    const common = ['install', tarball, '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'];
    try {
      run('npm', [...common, '--offline'], app);
    } catch (offlineErr) {
      // The cache may hold the tarballs but not the packuments --offline needs.
      try {
        run('npm', [...common, '--prefer-offline'], app);
      } catch (err) {
        throw new Error(
          `${(offlineErr as Error).message}\n\nand with --prefer-offline:\n${(err as Error).message}`,
        );
      }
    }
    installedDir = path.join(app, 'node_modules', pkg.name);
  }, 300_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('packs dist/ and the prebuild, not the build tree or sources for tests', () => {
    expect(packedFiles).toContain('package.json');
    for (const f of [
      'index.js',
      'index.mjs',
      'index.d.ts',
      'index.d.mts',
      'aio.js',
      'aio.mjs',
      'aio.d.ts',
      'aio.d.mts',
    ]) {
      expect(packedFiles).toContain(`dist/${f}`);
    }
    expect(packedFiles).toContain(`prebuilds/${platformDir}/${prebuildName}`);
    expect(
      packedFiles.filter(
        (f) => f.startsWith('build/') || f.startsWith('test/') || f.startsWith('node_modules/'),
      ),
    ).toEqual([]);
  });

  it('installs without a build directory, and node-gyp-build picks the prebuild', () => {
    expect(fs.existsSync(path.join(installedDir, 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(installedDir, 'build'))).toBe(false);
    const out = run(
      'node',
      [
        '-p',
        `require('node-gyp-build').resolve(require('path').dirname(require.resolve('${pkg.name}/package.json')))`,
      ],
      app,
    );
    expect(out.trim()).toBe(fs.realpathSync(path.join(installedDir, 'prebuilds', platformDir, prebuildName)));
  });

  // Creates a socket whether `socket` is Python-style factory function or a class.
  const makeSocket =
    'const mk = (m) => /^class\\b/.test(Function.prototype.toString.call(m.socket)) ? new m.socket(m.AF_INET, m.SOCK_STREAM) : m.socket(m.AF_INET, m.SOCK_STREAM);';

  it('works through require()', () => {
    const script = `${makeSocket}
      const m = require('${pkg.name}');
      const s = mk(m);
      const fd = s.fileno();
      s.close();
      const aio = require('${pkg.name}/aio');
      console.log(JSON.stringify({ fd, AF_INET: m.AF_INET, aio: typeof aio, aioKeys: Object.keys(aio).length,
        aioPath: require.resolve('${pkg.name}/aio') }));`;
    const res = JSON.parse(run('node', ['-e', script], app).trim().split('\n').pop()!);
    expect(res.AF_INET).toBe(2);
    expect(res.fd).toBeGreaterThanOrEqual(0);
    expect(res.aio).toBe('object');
    expect(res.aioKeys).toBeGreaterThan(0);
    expect(res.aioPath).toBe(fs.realpathSync(path.join(installedDir, 'dist', 'aio.js')));
  });

  it('works through ESM import, sharing the CommonJS instance', () => {
    const script = `${makeSocket}
      import * as m from '${pkg.name}';
      import def from '${pkg.name}';
      import * as aio from '${pkg.name}/aio';
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/');
      const s = mk(m);
      const fd = s.fileno();
      s.close();
      const cjs = require('${pkg.name}');
      console.log(JSON.stringify({ fd, AF_INET: m.AF_INET, socket: typeof m.socket,
        defaultType: typeof def, sameSocket: m.socket === cjs.socket,
        missing: Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule' && !(k in m)),
        aioNames: Object.keys(aio).length }));`;
    const res = JSON.parse(run('node', ['--input-type=module', '-e', script], app).trim().split('\n').pop()!);
    expect(res.AF_INET).toBe(2);
    expect(res.fd).toBeGreaterThanOrEqual(0);
    expect(res.socket).toBe('function');
    expect(['object', 'function']).toContain(res.defaultType);
    expect(res.sameSocket).toBe(true);
    expect(res.missing).toEqual([]);
    expect(res.aioNames).toBeGreaterThan(1); // named exports + default
  });
});
