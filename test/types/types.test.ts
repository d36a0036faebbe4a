// The package's types as a user meets them: `tsc --noEmit` over a project that imports
// 'bsdsock' and 'bsdsock/aio' by name (resolved through package.json to dist/*.d.ts and
// *.d.mts, built from lib/ when stale), compiling
//  - test/types/cases.ts, as ESM and as CommonJS: the lines that must compile and the ones
//    that must not (`@ts-expect-error`: literal constants, family-typed addresses,
//    getsockopt, setblocking, the enum maps, no internal members);
//  - every TypeScript and JavaScript block of README.md exactly as printed (a block may use
//    `port`, which the prose gives it; a context file declares that name only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileConsumer, ensureDist, repoRoot } from '../helpers/install';

const pkgName: string = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).name;

/** The fenced code blocks of a Markdown text whose language is one of `langs`, in order. */
function codeBlocks(markdown: string, langs: string[]): { lang: string; code: string; line: number }[] {
  const out: { lang: string; code: string; line: number }[] = [];
  const re = /^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    if (langs.includes(m[1])) {
      out.push({ lang: m[1], code: m[2], line: markdown.slice(0, m.index).split('\n').length });
    }
  }
  return out;
}

let app = '';

beforeAll(() => {
  ensureDist();
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-types-'));
  fs.mkdirSync(path.join(app, 'node_modules', '@types'), { recursive: true });
  // The package as installed: node_modules/bsdsock is the repository (package.json, dist/).
  fs.symlinkSync(repoRoot, path.join(app, 'node_modules', pkgName));
  fs.symlinkSync(
    path.join(repoRoot, 'node_modules', '@types', 'node'),
    path.join(app, 'node_modules', '@types', 'node'),
  );
}, 180_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

/** tsc --noEmit (nodenext) over `files`, written into a fresh folder of the app: its output, '' when clean. */
function compile(name: string, files: Record<string, string>, options: Record<string, unknown> = {}): string {
  const nodenext = { module: 'nodenext', moduleResolution: 'nodenext', ...options };
  const r = compileConsumer(app, path.join(app, name), files, nodenext, ['--pretty', 'false']);
  expect(r.signal, r.output).toBeNull();
  return r.output.trim();
}

describe('the declarations a user compiles against', () => {
  it('hold no internal member (_wrap, _state, _twin, _setTwin)', () => {
    const dts: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.d\.m?ts$/.test(e.name)) dts.push(p);
      }
    };
    walk(path.join(repoRoot, 'dist'));
    expect(dts.length).toBeGreaterThan(10);
    const found = dts.flatMap((f) =>
      [...fs.readFileSync(f, 'utf8').matchAll(/\b(_wrap|_state|_twin|_setTwin)\s*[(<:]/g)].map(
        (m) => `${path.relative(repoRoot, f)}: ${m[1]}`,
      ),
    );
    expect(found).toEqual([]);
  });

  it('compile the type cases (must-compile lines, and @ts-expect-error lines that must fail), as ESM and CommonJS', () => {
    const cases = fs.readFileSync(path.join(__dirname, 'cases.ts'), 'utf8');
    expect(cases.match(/@ts-expect-error/g)?.length).toBeGreaterThan(20);
    expect(compile('cases', { 'cases.mts': cases, 'cases.cts': cases })).toBe('');
  }, 150_000);

  it("compile the README's TypeScript and JavaScript blocks exactly as printed", () => {
    const blocks = codeBlocks(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'), [
      'ts',
      'typescript',
      'js',
      'javascript',
    ]);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const files: Record<string, string> = {
      // The first block uses the port of a server the prose mentions.
      'context.d.ts': 'declare const port: number;\n',
    };
    for (const b of blocks) {
      const ext = b.lang.startsWith('t') ? 'mts' : 'mjs';
      // .mts and .mjs files are modules: each block has its own imports and names.
      files[`readme-line-${b.line}.${ext}`] = b.code;
    }
    const out = compile('readme', files, { allowJs: true, checkJs: true });
    expect(out).toBe('');
  }, 150_000);
});
