// The benchmark suite runs end to end in quick mode: every scenario produces a number
// for every implementation and the report is written where asked. Speed is NOT checked
// here (bench/results.md and docs/performance.md are about speed).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, type Run } from './helpers/children';
import { repoRoot } from './helpers/paths';

// The matrix bench/run.js must cover (udp-batched: Node and Python have no recvmmsg).
const ALL = ['c', 'blocking', 'async', 'node', 'python'];
const MATRIX: Record<string, string[]> = {
  'tcp-pingpong': ALL,
  'tcp-bulk': ALL,
  'udp-pps': ALL,
  'udp-batched': ['c', 'blocking', 'async'],
  'tcp-accept': ALL,
  'idle-conns': ALL,
  'http-hello': ['c', 'blocking', 'async', 'node', 'node-http', 'python'],
  'echo-many-256': ALL,
  'echo-many-1024': ALL,
};

// Under the ASan pass (npm run test:sanitize) every child would run with the sanitizer
// runtime preloaded and an instrumented addon: timings mean nothing there.
const sanitized = /asan/.test(process.env.LD_PRELOAD ?? '');

interface Entry {
  skipped?: string;
  errors?: string[];
  samples?: { value: number }[];
  stats?: { median: number; min: number; max: number; n: number };
}
interface Report {
  scenarios: Record<string, Record<string, Entry>>;
  notes: string[];
}

/** Runs bench/run.js --quick (killed after 290 s, inside the test's own timeout). */
function runQuick(out: string, json: string): Promise<Run> {
  // The runner gets this process's environment unchanged (as its children do).
  return run(
    process.execPath,
    [path.join(repoRoot, 'bench', 'run.js'), '--quick', '--out', out, '--json', json],
    290_000,
    {
      env: process.env,
    },
  );
}

describe.skipIf(sanitized)('benchmark suite (quick mode)', () => {
  it('produces a number for every scenario and implementation and writes the table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-bench-'));
    const out = path.join(dir, 'results.md');
    const json = path.join(dir, 'results.json');
    try {
      const { code, stderr } = await runQuick(out, json);
      expect(fs.existsSync(json), `no JSON report; runner stderr:\n${stderr}`).toBe(true);
      const report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;

      for (const [scenario, impls] of Object.entries(MATRIX)) {
        const got = report.scenarios[scenario];
        expect(got, `scenario ${scenario} missing`).toBeDefined();
        for (const impl of impls) {
          const e = got[impl];
          expect(e, `${scenario}/${impl} missing`).toBeDefined();
          // Only a missing tool may skip: wrk for http-hello (not root, no apt), python3.
          if (e.skipped) {
            const allowed =
              (scenario === 'http-hello' && /wrk/.test(e.skipped)) ||
              (impl === 'python' && /python3/.test(e.skipped));
            expect(allowed, `${scenario}/${impl} skipped: ${e.skipped}`).toBe(true);
            continue;
          }
          expect(e.errors ?? [], `${scenario}/${impl} failed`).toEqual([]);
          expect(e.stats, `${scenario}/${impl} has no number`).toBeDefined();
          expect(Number.isFinite(e.stats!.median), `${scenario}/${impl}: ${e.stats!.median}`).toBe(true);
          if (scenario !== 'idle-conns') expect(e.stats!.median).toBeGreaterThan(0);
        }
      }
      expect(code, `runner exit code; stderr:\n${stderr}`).toBe(0);

      // The table went to the path given, with every scenario and the targets.
      const md = fs.readFileSync(out, 'utf8');
      expect(md).toContain('# bsdsock benchmark results');
      expect(md).toContain('| scenario | metric | C |');
      expect(md).toContain('## Targets');
      for (const scenario of Object.keys(MATRIX)) expect(md).toContain(`| ${scenario} |`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  // bench/floor (docs/performance.md, "The floor of a promise per call") is run by hand, not
  // by bench/run.js; this keeps it working. It uses the C echo client and wrk that the
  // quick run above built.
  it('the floor program runs its scenarios and reports a rate for each', async () => {
    const floor = path.join(repoRoot, 'bench', 'floor', 'bench.js');
    const cases: [string, string[]][] = [
      ['echo-many-256', ['--conns', '16', '--size', '64', '--settle', '0.2', '--duration', '0.5']],
      ['tcp-pingpong', ['--count', '2000', '--size', '64', '--warmup', '100']],
      ['http-hello', ['--conns', '4', '--duration', '1']],
    ];
    for (const [scenario, args] of cases) {
      const { code, stdout, stderr } = await run(
        process.execPath,
        [floor, scenario, 'main', ...args],
        60_000,
        {
          env: process.env,
        },
      );
      expect(code, `${scenario}: ${stderr}`).toBe(0);
      const last = JSON.parse(stdout.trim().split('\n').pop()!) as {
        impl: string;
        scenario: string;
        value: number;
      };
      expect(last.impl).toBe('floor');
      expect(last.scenario).toBe(scenario);
      expect(last.value).toBeGreaterThan(0);
    }
  }, 200_000);
});
