// What `npm pack` ships and how TypeScript consumers resolve it:
//  - the tarball holds only what a user needs (dist's JS and types, prebuilds, the native
//    sources to build from, the install script, docs), and no source maps;
//  - every entry point of package.json "exports" has ESM and CJS files, each with types
//    of its own format (.d.mts for import, .d.ts for require);
//  - arethetypeswrong finds no problem in the packed tarball (node10, node16 from CJS
//    and from ESM, bundler);
//  - a consumer project compiles against the installed tarball under each resolution
//    mode, and ESM consumers read the ESM types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileConsumer, ensureDist, packRepo, repoRoot, runBounded } from '../helpers/install';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

/** The subpaths of "exports" that are modules ("." and "./aio", not "./package.json"). */
const entryPoints = Object.entries(pkg.exports as Record<string, unknown>).filter(
  ([, target]) => typeof target === 'object',
) as [string, Record<string, Record<string, string>>][];

let tmp = '';
let tarball = '';
let packed: string[] = [];

beforeAll(() => {
  ensureDist();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-types-'));
  ({ tarball, files: packed } = packRepo(tmp));
}, 180_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds only what a user needs, and no source maps', () => {
    const allowed = [
      /^(package\.json|README\.md|LICENSE|binding\.gyp|scripts\/install\.cjs)$/,
      /^dist\/.+\.(js|mjs|d\.ts|d\.mts)$/,
      /^prebuilds\/linux-(x64|arm64)\/[\w.+-]+\.node$/,
      /^native\/[\w.-]+\.(cc|h)$/,
      /^docs\/[\w.-]+\.md$/,
    ];
    expect(packed.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    expect(packed.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of ['LICENSE', 'README.md', 'scripts/install.cjs', 'binding.gyp'])
      expect(packed).toContain(f);
    // Every native source binding.gyp compiles is there, so an install can build from source.
    const gyp = fs.readFileSync(path.join(repoRoot, 'binding.gyp'), 'utf8');
    for (const src of gyp.match(/native\/[\w.-]+\.cc/g) ?? []) expect(packed).toContain(src);
    // No dist file points at a source map or a source that is not shipped.
    const js = packed.filter((f) => /^dist\/.+\.m?js$/.test(f));
    for (const f of js) {
      expect(fs.readFileSync(path.join(repoRoot, f), 'utf8'), f).not.toContain('sourceMappingURL');
    }
  });

  it('has, for every entry point, ESM and CJS files with types of their own format', () => {
    expect(entryPoints.map(([k]) => k)).toEqual(expect.arrayContaining(['.', './aio']));
    for (const [subpath, target] of entryPoints) {
      expect(Object.keys(target), subpath).toEqual(['import', 'require']);
      const { import: esm, require: cjs } = target;
      expect(Object.keys(esm), subpath).toEqual(['types', 'default']);
      expect(Object.keys(cjs), subpath).toEqual(['types', 'default']);
      expect(esm.types).toMatch(/\.d\.mts$/);
      expect(esm.default).toMatch(/\.mjs$/);
      expect(cjs.types).toMatch(/\.d\.ts$/);
      expect(cjs.default).toMatch(/\.js$/);
      for (const f of [esm.types, esm.default, cjs.types, cjs.default]) {
        expect(packed, `${subpath}: ${f}`).toContain(f.replace(/^\.\//, ''));
      }
    }
  });

  it('passes arethetypeswrong with no problem', () => {
    const r = runBounded(bin('attw'), [tarball, '--format', 'json'], {
      cwd: tmp,
      env: { ...process.env, NO_COLOR: '1' },
      timeoutMs: 120_000,
    });
    const json = JSON.parse(r.output.slice(r.output.indexOf('{'), r.output.lastIndexOf('}') + 1));
    const entrypoints = Object.keys(json.analysis.entrypoints);
    for (const [subpath] of entryPoints) expect(entrypoints).toContain(subpath);
    expect(json.problems).toEqual({});
    expect(r.status).toBe(0);
  }, 150_000);
});

// A consumer project with the tarball unpacked as node_modules/bsdsock; each mode compiles
// one file importing every entry point, with --listFiles to see which declarations it read.
describe('a TypeScript consumer', () => {
  let app = '';

  beforeAll(() => {
    app = path.join(tmp, 'app');
    const dest = path.join(app, 'node_modules', pkg.name);
    fs.mkdirSync(dest, { recursive: true });
    const x = spawnSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1'], { encoding: 'utf8' });
    if (x.status !== 0) throw new Error(`tar: ${x.stderr}`);
    fs.mkdirSync(path.join(app, 'node_modules', '@types'), { recursive: true });
    fs.symlinkSync(
      path.join(repoRoot, 'node_modules', '@types', 'node'),
      path.join(app, 'node_modules', '@types', 'node'),
    );
  });

  const imports = entryPoints.map(([subpath], i) => ({
    name: `m${i}`,
    spec: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
  }));
  const body = [
    ...imports.map(({ name, spec }) => `import * as ${name} from '${spec}';`),
    `const s = m0.socket(m0.AF_INET, m0.SOCK_STREAM);`,
    `const fd: number = s.fileno();`,
    `s.close();`,
    `export const used = [fd, ${imports.map((i) => `typeof ${i.name}`).join(', ')}];`,
    '',
  ].join('\n');

  const modes: { name: string; file: string; options: Record<string, string>; esm: boolean }[] = [
    {
      name: 'node10 (module commonjs)',
      file: 'main.ts',
      options: { module: 'commonjs', moduleResolution: 'node10' },
      esm: false,
    },
    {
      name: 'node16, CJS file',
      file: 'main.cts',
      options: { module: 'node16', moduleResolution: 'node16' },
      esm: false,
    },
    {
      name: 'node16, ESM file',
      file: 'main.mts',
      options: { module: 'node16', moduleResolution: 'node16' },
      esm: true,
    },
    {
      name: 'nodenext, ESM file',
      file: 'main.mts',
      options: { module: 'nodenext', moduleResolution: 'nodenext' },
      esm: true,
    },
    {
      name: 'bundler',
      file: 'main.ts',
      options: { module: 'esnext', moduleResolution: 'bundler' },
      esm: true,
    },
  ];

  for (const mode of modes) {
    it(`compiles under ${mode.name} and reads the ${mode.esm ? 'ESM (.d.mts)' : 'CJS (.d.ts)'} types`, () => {
      const dir = path.join(app, mode.name.replace(/\W+/g, '-'));
      const r = compileConsumer(app, dir, { [mode.file]: body }, mode.options, ['--listFiles']);
      expect(r.status, r.output).toBe(0);
      const read = r.output.split('\n').filter((l) => l.includes(`/node_modules/${pkg.name}/`));
      for (const [subpath, target] of entryPoints) {
        const types = (mode.esm ? target.import.types : target.require.types).replace(/^\.\//, '');
        expect(
          read.some((l) => l.endsWith(`/${pkg.name}/${types}`)),
          `${subpath} -> ${types}\n${read.join('\n')}`,
        ).toBe(true);
      }
    }, 150_000);
  }
});
