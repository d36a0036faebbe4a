// Constants come from one list (scripts/constants.txt): the generated native table and lib
// export list match it, lib exports native's values, and they equal CPython's socket module.
// Their literal types hold in every build bsdsock makes: the table is also compiled for
// arm64 (run under qemu) and for musl, and every value that differs is typed `number`.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as socket from '../lib/index';
import { native } from '../lib/native';
import * as gen from '../scripts/gen-constants.mjs';
import { available } from './helpers/install';

/**
 * The environment for the programs these tests build and run (gcc, qemu, the compiled
 * tables, python3): without the sanitizer suite's LD_PRELOAD of libasan, which a musl
 * program cannot load and which aborts CPython on huge allocations.
 */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return env;
}

const entries = gen.readConstants();
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
    expect(fs.readFileSync(gen.LIB_FILE, 'utf8')).toBe(gen.libSource(entries, native.constants));
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
      { encoding: 'utf8', timeout: 30_000, env: plainEnv() },
    );
    const py: Record<string, number> = JSON.parse(out);
    expect(Object.keys(py).length).toBeGreaterThan(300);
    expect(py.EAGAIN).toBe(11); // Lib/socket.py re-exports EBADF, EAGAIN and EWOULDBLOCK
    // A CPython built with the Bluetooth headers (Debian's python3 is) also has these;
    // bsdsock has no Bluetooth sockets (no sockaddr for them), so it leaves them out
    // (docs/differences.md). Any other name python3 has must be listed.
    const bluetooth =
      /^(AF_BLUETOOTH|BTPROTO_\w+|SOL_HCI|HCI_\w+|BDADDR_\w+|SOL_L2CAP|SOL_RFCOMM|SOL_SCO|L2CAP_\w+|RFCOMM_\w+|SCO_\w+)$/;
    expect(Object.keys(py).filter((n) => !names.includes(n) && !bluetooth.test(n))).toEqual([]);
    const differ = Object.entries(py).filter(([n, v]) => !bluetooth.test(n) && native.constants[n] !== v);
    expect(differ).toEqual([]);
    for (const n of ['EAGAIN', 'EBADF', 'EWOULDBLOCK']) expect(exported[n]).toBe(py[n]);
  });

  it('typeDeclaration gives literal types for the values a build has, number where builds differ', () => {
    const decl = gen.typeDeclaration(entries, native.constants);
    expect(decl).toContain('  readonly AF_INET: 2;');
    expect(decl).toContain('  readonly SOMAXCONN: number;');
    expect(decl.split('\n')).toHaveLength(names.length);
    expect(gen.typeDeclaration([{ name: 'NOPE' }], {})).toBe('  readonly NOPE?: number;');
    expect(gen.typeDeclaration([{ name: 'A' }], { A: 7 }, new Set(['A']))).toBe('  readonly A: number;');
  });
});

/**
 * The native table as a program that prints `NAME value` lines: the generated source with
 * the two N-API calls it makes replaced by printf (as C, so musl-gcc can build it).
 */
function tableProgram(): string {
  let src = gen.nativeSource(entries);
  const swaps: [string | RegExp, string][] = [
    ['#include <cerrno>', '#include <errno.h>'],
    ['#include "addon.h"', '#include <stdio.h>'],
    [
      /namespace bsdsock \{\n\nvoid InitConstants[^\n]*\n[^\n]*\n#define ADD\(name\)[^\n]*\n#define ADDV[^\n]*\n/,
      '',
    ],
    [/#undef ADD\n[\s\S]*$/, '  return 0;\n}\n'],
  ];
  for (const [from, to] of swaps) {
    expect(src, String(from)).toMatch(from);
    src = src.replace(from, to);
  }
  const start = src.indexOf('#ifdef AF_ALG');
  return (
    src.slice(0, start) +
    '#define ADD(name) printf("%s %.17g\\n", #name, (double)(name))\n' +
    '#define ADDV(name, value) printf("%s %.17g\\n", name, (double)(value))\n' +
    'int main(void) {\n' +
    src.slice(start)
  );
}

function parseValues(out: string): Record<string, number> {
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
  );
}

describe('the literal types hold in every build', () => {
  let dir = '';
  const program = () => {
    if (!dir) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-constants-'));
      fs.writeFileSync(path.join(dir, 'table.c'), tableProgram());
    }
    return path.join(dir, 'table.c');
  };
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  /** Each constant whose value in `other` differs from this build's must be typed number. */
  const checkAgainst = (other: Record<string, number>) => {
    expect(Object.keys(other).length).toBeGreaterThan(600);
    const differ = Object.keys(other).filter(
      (n) => native.constants[n] !== undefined && other[n] !== native.constants[n],
    );
    expect(differ.filter((n) => !gen.VARIES.has(n))).toEqual([]);
    return differ;
  };

  it('the host build of the table prints exactly the values of the binding', () => {
    const exe = path.join(path.dirname(program()), 'host');
    execFileSync('gcc', ['-D_GNU_SOURCE', '-x', 'c', '-o', exe, program()], {
      timeout: 120_000,
      env: plainEnv(),
    });
    const values = parseValues(execFileSync(exe, { encoding: 'utf8', timeout: 30_000, env: plainEnv() }));
    expect(values).toEqual(native.constants);
  });

  const arm64 = available('aarch64-linux-gnu-gcc') && available('qemu-aarch64', ['-version']);
  it.skipIf(!arm64)(
    `linux-arm64 glibc (aarch64-linux-gnu-gcc, run under qemu-aarch64)${arm64 ? '' : ' [skipped: needs apt crossbuild-essential-arm64 and qemu-user]'}`,
    () => {
      const exe = path.join(path.dirname(program()), 'arm64');
      execFileSync('aarch64-linux-gnu-gcc', ['-D_GNU_SOURCE', '-x', 'c', '-o', exe, program()], {
        timeout: 120_000,
      });
      const out = execFileSync('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', exe], {
        encoding: 'utf8',
        timeout: 60_000,
        env: plainEnv(),
      });
      expect(checkAgainst(parseValues(out))).toEqual([]);
    },
  );

  // musl's headers take the kernel's (linux/, asm/) from the system, as musl-gcc users do.
  const musl = available('musl-gcc', ['-v']) && fs.existsSync('/usr/include/linux/netlink.h');
  it.skipIf(!musl)(
    `linux-x64 musl (musl-gcc): SOMAXCONN and NI_MAXHOST differ, and are typed number${musl ? '' : ' [skipped: needs apt musl-tools and linux-libc-dev]'}`,
    () => {
      const d = path.dirname(program());
      const kernel = path.join(d, 'kernel');
      fs.mkdirSync(kernel, { recursive: true });
      const arch = `/usr/include/${os.arch() === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu/asm`;
      for (const [name, target] of [
        ['linux', '/usr/include/linux'],
        ['asm-generic', '/usr/include/asm-generic'],
        ['asm', arch],
      ]) {
        if (!fs.existsSync(path.join(kernel, name))) fs.symlinkSync(target, path.join(kernel, name));
      }
      const exe = path.join(d, 'musl');
      execFileSync('musl-gcc', ['-D_GNU_SOURCE', '-idirafter', kernel, '-o', exe, program()], {
        timeout: 120_000,
      });
      const differ = checkAgainst(
        parseValues(execFileSync(exe, { encoding: 'utf8', timeout: 30_000, env: plainEnv() })),
      );
      expect(differ.sort()).toEqual(['NI_MAXHOST', 'SOMAXCONN']);
    },
  );
});
