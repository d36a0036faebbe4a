#!/usr/bin/env node
// Generates native/constants.cc and the typed export list of lib/constants.ts from scripts/constants.txt.
//
//   node scripts/gen-constants.mjs           (npm run gen:constants) writes both files
//   node scripts/gen-constants.mjs --check   writes nothing; exits 1 if either file is stale
//
// The list is the single source: add a name there, build, and run the script (the literal
// types of lib/constants.ts are the values of the build: `readonly AF_INET: 2;`). Build again
// if the list gained a name the build lacked. test/constants.test.ts imports readConstants()
// to check the list, the two generated files and the binding agree, and that the values typed
// as literals are the same in an arm64 and a musl build.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * One line of the list: NAME, its fallback value, its expression or its condition.
 * @typedef {{ name: string, fallback?: string, expr?: string, cond?: string }} Entry
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LIST_FILE = path.join(ROOT, 'scripts', 'constants.txt');
export const NATIVE_FILE = path.join(ROOT, 'native', 'constants.cc');
export const LIB_FILE = path.join(ROOT, 'lib', 'constants.ts');

/**
 * The entries of the list, in order: { name, fallback, expr, cond } (see the list's header for
 * the four forms). Throws on a line it cannot read, an unsorted list or a name given twice.
 */
export function readConstants(text = fs.readFileSync(LIST_FILE, 'utf8')) {
  /** @type {Entry[]} */
  const entries = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^([A-Za-z_]\w*)(?:\s+or\s+(\S+)|\s*=\s*(\S+))?(?:\s+if\s+(.+))?$/.exec(line);
    if (!m || (m[3] && !m[4])) throw new Error(`constants.txt:${i + 1}: cannot read "${raw}"`);
    const prev = entries[entries.length - 1];
    if (prev && prev.name >= m[1])
      throw new Error(`constants.txt:${i + 1}: ${m[1]} is out of order or twice`);
    entries.push({ name: m[1], fallback: m[2], expr: m[3], cond: m[4] });
  });
  return entries;
}

// Everything constants.cc needs before the table: headers, feature macros, kernel fallbacks.
const PREAMBLE = `// Every constant bsdsock exports, read from the system headers. GENERATED, do not edit:
// the list is scripts/constants.txt; run \`npm run gen:constants\` after changing it.
//
// Each value is #if-guarded, so a constant the build's headers lack is simply absent (as in
// CPython). The list holds every constant Python's socket module defines on Linux, plus ETH_P_*,
// PACKET_*, SO_/SCM_ timestamping, UDP GSO/GRO and other Linux names raw sockets need.
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>

#include <linux/errqueue.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/netlink.h>
#if __has_include(<linux/tipc.h>)
#include <linux/tipc.h>
#endif
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif
#if __has_include(<linux/if_alg.h>)
#include <linux/if_alg.h>
#endif
#if __has_include(<linux/can.h>)
#include <linux/can.h>
#include <linux/can/raw.h>
#define BSDSOCK_HAVE_CAN 1
#endif
#if __has_include(<linux/can/bcm.h>)
#include <linux/can/bcm.h>
#define BSDSOCK_HAVE_CAN_BCM 1
#endif
#if __has_include(<linux/can/j1939.h>)
#include <linux/can/j1939.h>
#define BSDSOCK_HAVE_J1939 1
#endif
#if __has_include(<linux/can/isotp.h>)
#include <linux/can/isotp.h>
#endif

#include "addon.h"

// The kernel's ICMP filter options, without pulling in <linux/icmp.h> (whose struct
// names clash with glibc's). Values from include/uapi/linux/icmp.h and icmpv6.h.
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef ICMPV6_FILTER
#define ICMPV6_FILTER 1
#endif
#ifndef SOL_ICMPV6
#define SOL_ICMPV6 58
#endif

namespace bsdsock {

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object c = Napi::Object::New(env);
#define ADD(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
#define ADDV(name, value) c.Set(name, Napi::Number::New(env, static_cast<double>(value)))
`;

const POSTAMBLE = `#undef ADD
#undef ADDV
  exports.Set("constants", c);
}

}  // namespace bsdsock
`;

/**
 * The guarded table entry of one constant.
 * @param {Entry} entry
 */
function nativeEntry({ name, fallback, expr, cond }) {
  if (expr) return `#if ${cond}\n  ADDV("${name}", ${expr});\n#endif\n`;
  if (fallback) {
    const otherwise = cond ? `#elif ${cond}` : '#else';
    return `#ifdef ${name}\n  ADD(${name});\n${otherwise}\n  ADDV("${name}", ${fallback});\n#endif\n`;
  }
  if (cond) return `#if defined(${name}) || (${cond})\n  ADD(${name});\n#endif\n`;
  return `#ifdef ${name}\n  ADD(${name});\n#endif\n`;
}

/** @param {Entry[]} entries */
export function nativeSource(entries) {
  return PREAMBLE + entries.map(nativeEntry).join('') + POSTAMBLE;
}

/**
 * Constants whose value is not the same in every build bsdsock makes (Linux x64 and arm64,
 * glibc and musl): typed `number`, not as a literal. test/constants.test.ts compiles the
 * table for arm64 and for musl and checks that every value that differs is listed here.
 * SOMAXCONN: 4096 in glibc >= 2.35, 128 in musl and older glibc; NI_MAXHOST: 1025 in
 * glibc, 255 in musl.
 */
export const VARIES = new Set(['NI_MAXHOST', 'SOMAXCONN']);

/**
 * The members of the typed declaration of the constants: `readonly NAME: value;` for each
 * name the build defines (values: its `native.constants`) with one value everywhere,
 * `readonly NAME: number;` for those in VARIES, `readonly NAME?: number;` for the names the
 * build lacks.
 * @param {Entry[]} entries
 * @param {Record<string, number | undefined>} values
 * @param {Set<string>} [varies]
 */
export function typeDeclaration(entries, values, varies = VARIES) {
  return entries
    .map(({ name }) => {
      const v = values[name];
      if (typeof v !== 'number') return `  readonly ${name}?: number;`;
      return `  readonly ${name}: ${varies.has(name) ? 'number' : v};`;
    })
    .join('\n');
}

// lib/constants.ts keeps its own text; the interface that types the constants and the
// destructuring that exports them are generated.
const LIB_TYPES = /interface Constants \{\n(?:.*\n)*?\}\n/;
const LIB_BLOCK = /export const \{\n(?:.*\n)*?\} = c;\n/;

/**
 * lib/constants.ts with its two generated blocks rewritten from the list and the values.
 * @param {Entry[]} entries
 * @param {Record<string, number | undefined>} values
 * @param {string} [current]
 */
export function libSource(entries, values, current = fs.readFileSync(LIB_FILE, 'utf8')) {
  if (!LIB_TYPES.test(current)) throw new Error('lib/constants.ts: no `interface Constants { ... }` block');
  if (!LIB_BLOCK.test(current)) throw new Error('lib/constants.ts: no `export const { ... } = c;` block');
  const types = `interface Constants {\n${typeDeclaration(entries, values)}\n}\n`;
  const block = `export const {\n${entries.map((e) => `  ${e.name},\n`).join('')}} = c;\n`;
  return current.replace(LIB_TYPES, () => types).replace(LIB_BLOCK, () => block);
}

/**
 * The constants of the build in build/Release (or the prebuild node-gyp-build picks).
 * @returns {Record<string, number>}
 */
function builtValues() {
  const require = createRequire(import.meta.url);
  return require('node-gyp-build')(ROOT).constants;
}

/** @param {string[]} args */
function main(args) {
  const entries = readConstants();
  const outputs = [
    [NATIVE_FILE, nativeSource(entries)],
    [LIB_FILE, libSource(entries, builtValues())],
  ];
  const stale = outputs.filter(([file, text]) => fs.readFileSync(file, 'utf8') !== text);
  if (args.includes('--check')) {
    for (const [file] of stale)
      console.error(`${path.relative(ROOT, file)} is stale: run npm run gen:constants`);
    return stale.length ? 1 : 0;
  }
  for (const [file, text] of stale) fs.writeFileSync(file, text);
  console.log(
    `${entries.length} constants; wrote ${stale.map(([f]) => path.relative(ROOT, f)).join(', ') || 'nothing'}`,
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
