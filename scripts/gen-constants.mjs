#!/usr/bin/env node
// eslint-disable-next-line @typescript-eslint/ban-ts-comment -- plain JavaScript run by node; its JSDoc types are still to be written
// @ts-nocheck -- plain JavaScript run by node; typed JSDoc is still to be written (tsconfig.check.json reaches it through test/constants.test.ts)
// Generates native/constants.cc and the export list of lib/constants.ts from scripts/constants.txt.
//
//   node scripts/gen-constants.mjs           (npm run gen:constants) writes both files
//   node scripts/gen-constants.mjs --check   writes nothing; exits 1 if either file is stale
//
// The list is the single source: add a name there and run the script. test/constants.test.ts
// imports readConstants() to check the list, the two generated files and the binding agree.
// The TypeScript side is a list of names only (values come from native at load); typeDeclaration()
// turns the list plus the values of a build into literal types (`readonly AF_INET: 2;`) for a
// typed declaration of the constants.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LIST_FILE = path.join(ROOT, 'scripts', 'constants.txt');
export const NATIVE_FILE = path.join(ROOT, 'native', 'constants.cc');
export const LIB_FILE = path.join(ROOT, 'lib', 'constants.ts');

/**
 * The entries of the list, in order: { name, fallback, expr, cond } (see the list's header for
 * the four forms). Throws on a line it cannot read, an unsorted list or a name given twice.
 */
export function readConstants(text = fs.readFileSync(LIST_FILE, 'utf8')) {
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

/** The guarded table entry of one constant. */
function nativeEntry({ name, fallback, expr, cond }) {
  if (expr) return `#if ${cond}\n  ADDV("${name}", ${expr});\n#endif\n`;
  if (fallback) {
    const otherwise = cond ? `#elif ${cond}` : '#else';
    return `#ifdef ${name}\n  ADD(${name});\n${otherwise}\n  ADDV("${name}", ${fallback});\n#endif\n`;
  }
  if (cond) return `#if defined(${name}) || (${cond})\n  ADD(${name});\n#endif\n`;
  return `#ifdef ${name}\n  ADD(${name});\n#endif\n`;
}

export function nativeSource(entries) {
  return PREAMBLE + entries.map(nativeEntry).join('') + POSTAMBLE;
}

// lib/constants.ts keeps its own text; only the destructuring that exports the names is generated.
const LIB_BLOCK = /export const \{\n[\s\S]*?\n\} = c;\n/;

export function libSource(entries, current = fs.readFileSync(LIB_FILE, 'utf8')) {
  if (!LIB_BLOCK.test(current)) throw new Error('lib/constants.ts: no `export const { ... } = c;` block');
  const block = `export const {\n${entries.map((e) => `  ${e.name},\n`).join('')}} = c;\n`;
  return current.replace(LIB_BLOCK, block);
}

/**
 * The members of a typed declaration of the constants: `readonly NAME: value;` for each name a
 * build defines (values: its `native.constants`), `readonly NAME?: number;` for the others.
 */
export function typeDeclaration(entries, values) {
  return entries
    .map(({ name }) =>
      typeof values[name] === 'number'
        ? `  readonly ${name}: ${values[name]};`
        : `  readonly ${name}?: number;`,
    )
    .join('\n');
}

function main(args) {
  const entries = readConstants();
  const outputs = [
    [NATIVE_FILE, nativeSource(entries)],
    [LIB_FILE, libSource(entries)],
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
