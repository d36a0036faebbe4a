// Constants come from one list (scripts/constants.txt): the generated native table and lib
// export list match it, lib exports native's values, and they equal CPython's socket module.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as socket from '../lib/index';
import { native } from '../lib/native';
import * as gen from '../scripts/gen-constants.mjs';

interface Entry {
  name: string;
  fallback?: string;
  expr?: string;
  cond?: string;
}
const entries: Entry[] = gen.readConstants();
const names = entries.map((e) => e.name);
const exported = socket as unknown as Record<string, unknown>;

describe('the constants list (scripts/constants.txt)', () => {
  it('is sorted, without duplicates, and holds every kind of entry', () => {
    expect(names.length).toBeGreaterThan(600);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    expect(entries.some((e) => e.fallback)).toBe(true);
    expect(entries.some((e) => e.expr)).toBe(true);
    expect(entries.some((e) => e.cond && !e.fallback && !e.expr)).toBe(true);
  });

  it('rejects a line it cannot read, an unsorted list and a name given twice', () => {
    expect(() => gen.readConstants('AF_INET\nAF_INET\n')).toThrow(/twice/);
    expect(() => gen.readConstants('B\nA\n')).toThrow(/out of order/);
    expect(() => gen.readConstants('A or\n')).toThrow(/cannot read/);
    expect(() => gen.readConstants('A = B\n')).toThrow(/cannot read/);
    expect(gen.readConstants('# comment\n\nA or 2 if defined(B)  # why\n')).toEqual([
      { name: 'A', fallback: '2', expr: undefined, cond: 'defined(B)' },
    ]);
  });

  it('native/constants.cc and lib/constants.ts are what the generator writes from it (npm run gen:constants)', () => {
    expect(fs.readFileSync(gen.NATIVE_FILE, 'utf8')).toBe(gen.nativeSource(entries));
    expect(fs.readFileSync(gen.LIB_FILE, 'utf8')).toBe(gen.libSource(entries));
  });

  it('the native table and the lib export list name exactly the listed constants', () => {
    const cc = fs.readFileSync(gen.NATIVE_FILE, 'utf8');
    const inNative = new Set([...cc.matchAll(/ADD\((\w+)\);|ADDV\("(\w+)"/g)].map((m) => m[1] ?? m[2]));
    expect([...inNative].sort()).toEqual(names);
    const ts = fs.readFileSync(gen.LIB_FILE, 'utf8');
    const block = /export const \{\n([\s\S]*?)\n\} = c;/.exec(ts);
    expect(block).not.toBeNull();
    const inLib = block![1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(inLib).toEqual(names);
  });

  it('guards every native entry, so a name the headers lack is absent rather than a build error', () => {
    const cc = fs.readFileSync(gen.NATIVE_FILE, 'utf8');
    const lines = cc.split('\n');
    lines.forEach((line, i) => {
      if (/^\s+ADD\(/.test(line)) expect(lines[i - 1], line).toMatch(/^#(if|ifdef|elif) /);
      if (/^\s+ADDV\(/.test(line)) expect(lines[i - 1], line).toMatch(/^#(if |ifdef |elif |else$)/);
    });
    // IPPORT_USERRESERVED is an enum member in glibc and absent from musl: CPython's 5000.
    expect(gen.nativeSource(entries)).toContain(
      '#ifdef IPPORT_USERRESERVED\n  ADD(IPPORT_USERRESERVED);\n#else\n  ADDV("IPPORT_USERRESERVED", 5000);\n#endif',
    );
  });
});

describe('the constants at run time', () => {
  it('lib exports every listed constant with the native value (undefined where the build lacks it)', () => {
    for (const name of names) expect(exported[name], name).toBe(native.constants[name]);
  });

  it('native defines nothing outside the list', () => {
    const extra = Object.keys(native.constants).filter((n) => !names.includes(n));
    expect(extra).toEqual([]);
  });

  it("python3's socket module: every integer constant is listed, with the same value", () => {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import json, socket\n' +
          'print(json.dumps({k: int(v) for k, v in vars(socket).items()\n' +
          '  if k.isupper() and isinstance(v, int) and not isinstance(v, bool)}))',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    const py: Record<string, number> = JSON.parse(out);
    expect(Object.keys(py).length).toBeGreaterThan(300);
    expect(py.EAGAIN).toBe(11); // Lib/socket.py re-exports EBADF, EAGAIN and EWOULDBLOCK
    expect(Object.keys(py).filter((n) => !names.includes(n))).toEqual([]);
    const differ = Object.entries(py).filter(([n, v]) => native.constants[n] !== v);
    expect(differ).toEqual([]);
    for (const n of ['EAGAIN', 'EBADF', 'EWOULDBLOCK']) expect(exported[n]).toBe(py[n]);
  });

  it('typeDeclaration gives literal types for the values a build has', () => {
    const decl: string = gen.typeDeclaration(entries, native.constants);
    expect(decl).toContain('  readonly AF_INET: 2;');
    expect(decl.split('\n')).toHaveLength(names.length);
    expect(gen.typeDeclaration([{ name: 'NOPE' }], {})).toBe('  readonly NOPE?: number;');
  });
});
