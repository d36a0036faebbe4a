#!/usr/bin/env node
// Sums one or more vitest runs into the single CI line
//   tests: N passed, N failed, N skipped
// Usage: node .ci/summary.cjs <exitCode> [<report.json>] [<exitCode> <report.json> ...]
//   (one argument = exit code of a run whose report is .vitest-report.json)
//
// vitest's JSON report under-reports native crashes (see /work/shared/TOOLCHAIN.md):
// after a forks worker dies, the crashed test is left "pending" (state run/queued),
// its file may still say "passed", numFailedTests stays 0 and even success is true,
// while vitest exits 1. So the counts come from the per-test statuses:
//   passed -> passed; failed -> failed; skipped/todo -> skipped;
//   pending (never finished: the worker died under it) -> failed;
// plus one failure per failed file with no failed test (file did not load, hook
// error), plus one if the run's exit code is non-zero but nothing else was counted
// (runner died, no report, unhandled error).
'use strict';

const fs = require('fs');

function parseArgs(argv) {
  if (argv.length === 0) return [{ rc: 1, file: '.vitest-report.json' }];
  if (argv.length === 1) return [{ rc: Number(argv[0]), file: '.vitest-report.json' }];
  if (argv.length % 2 !== 0) {
    console.error('usage: summary.cjs <exitCode> [<report.json>] [<exitCode> <report.json> ...]');
    process.exit(2);
  }
  const runs = [];
  for (let i = 0; i < argv.length; i += 2) runs.push({ rc: Number(argv[i]), file: argv[i + 1] });
  return runs;
}

function countRun({ rc, file }) {
  const c = { passed: 0, failed: 0, skipped: 0, notes: [] };
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    c.notes.push(`no readable report (${err.code || err.message})`);
  }
  if (report && Array.isArray(report.testResults)) {
    for (const tf of report.testResults) {
      let fileFailed = 0;
      for (const a of tf.assertionResults || []) {
        switch (a.status) {
          case 'passed':
            c.passed++;
            break;
          case 'failed':
            c.failed++;
            fileFailed++;
            break;
          case 'skipped':
          case 'todo':
          case 'disabled':
            c.skipped++;
            break;
          default: // 'pending': still running when the worker went away
            c.failed++;
            fileFailed++;
            c.notes.push(`unfinished (crash?): ${a.fullName} in ${tf.name}`);
        }
      }
      if (tf.status === 'failed' && fileFailed === 0) {
        c.failed++;
        c.notes.push(`file failed: ${tf.name}${tf.message ? `: ${String(tf.message).split('\n')[0]}` : ''}`);
      }
    }
  }
  if (!Number.isInteger(rc) || rc !== 0) {
    if (c.failed === 0) {
      c.failed = 1;
      c.notes.push(`exit code ${rc} with no failed test in the report (runner or worker died)`);
    }
  }
  return c;
}

const runs = parseArgs(process.argv.slice(2));
const total = { passed: 0, failed: 0, skipped: 0 };
for (const run of runs) {
  const c = countRun(run);
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
  console.log(`  ${run.file} (exit ${run.rc}): ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  for (const n of c.notes) console.log(`    ${n}`);
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed > 0 ? 1 : 0;
