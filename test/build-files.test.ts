// binding.gyp (node-gyp) and CMakeLists.txt (cmake-js) must build the same addon:
// the same native/*.cc sources and the same N-API / exception-mode defines.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

interface GypTarget {
  target_name: string;
  sources?: string[];
  defines?: string[];
  dependencies?: string[];
}

function parseGyp(text: string): { targets: GypTarget[] } {
  try {
    return JSON.parse(text);
  } catch {
    // gyp files are Python literals: allow '#' comments and trailing commas.
    const stripped = text
      .split('\n')
      .map((l) => l.replace(/^(\s*)#.*$/, '$1'))
      .join('\n')
      .replace(/,(\s*[\]}])/g, '$1');
    return JSON.parse(stripped);
  }
}

function stripCmakeComments(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .join('\n');
}

function cmakeList(text: string, re: RegExp): string[] {
  const m = re.exec(stripCmakeComments(text));
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}

const gyp = parseGyp(read('binding.gyp'));
const target = gyp.targets.find((t) => t.target_name === 'bsdsock') ?? gyp.targets[0];
const cmake = read('CMakeLists.txt');
const cmakeCode = stripCmakeComments(cmake);

const gypSources = (target.sources ?? []).map((s) => path.posix.normalize(s));
const cmakeSources = cmakeList(cmake, /set\(\s*BSDSOCK_SOURCES\b([\s\S]*?)\)/).map((s) =>
  path.posix.normalize(s),
);
const cmakeDefines = [
  ...cmakeList(cmake, /target_compile_definitions\(\s*\S+\s+(?:PRIVATE|PUBLIC|INTERFACE)\b([\s\S]*?)\)/),
  ...cmakeList(cmake, /add_compile_definitions\(([\s\S]*?)\)/),
];
const nativeFiles = fs
  .readdirSync(path.join(root, 'native'))
  .filter((f) => f.endsWith('.cc'))
  .map((f) => `native/${f}`)
  .sort();

describe('binding.gyp and CMakeLists.txt agree', () => {
  it('both have a source list', () => {
    expect(target.target_name).toBe('bsdsock');
    expect(gypSources.length).toBeGreaterThan(0);
    expect(cmakeSources.length).toBeGreaterThan(0);
  });

  it('list the same native sources', () => {
    expect([...cmakeSources].sort()).toEqual([...gypSources].sort());
    expect(new Set(gypSources).size).toBe(gypSources.length);
    expect(new Set(cmakeSources).size).toBe(cmakeSources.length);
  });

  it('list every native/*.cc file, and only existing ones', () => {
    expect([...gypSources].sort()).toEqual(nativeFiles);
    expect([...cmakeSources].sort()).toEqual(nativeFiles);
  });

  it('CMake builds the BSDSOCK_SOURCES list', () => {
    expect(cmakeCode).toMatch(/add_library\(\s*\S+\s+SHARED\b[^)]*\$\{BSDSOCK_SOURCES\}/);
  });

  it('both define NAPI_VERSION=8', () => {
    expect(target.defines ?? []).toContain('NAPI_VERSION=8');
    expect(cmakeDefines).toContain('NAPI_VERSION=8');
  });

  it('both build node-addon-api without C++ exceptions', () => {
    // node-gyp: the node_addon_api target (not _except/_maybe) defines
    // NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS; CMake must say so itself.
    expect((target.dependencies ?? []).some((d) => /:node_addon_api$/.test(d))).toBe(true);
    expect(cmakeDefines).toContain('NAPI_DISABLE_CPP_EXCEPTIONS');
  });

  it('CMake has every define binding.gyp has', () => {
    for (const d of target.defines ?? []) expect(cmakeDefines).toContain(d);
  });

  it('package.json asks cmake-js for N-API 8 headers', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.binary?.napi_versions).toContain(8);
  });
});
