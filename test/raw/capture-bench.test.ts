// bench/capture/run.js in its quick mode (1 round of 1 s per receiver): the namespaces are built
// and removed, the C programs compile, and every receiver reports a number. Speed is not checked.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../helpers/children';
import { NETNS, need } from './helpers/env';

const CC = need('root', 'ip');
const repo = path.resolve(__dirname, '..', '..');

describe(`bench/capture${NETNS.why}`, () => {
  const noTaskset = !fs.existsSync('/usr/bin/taskset');
  it.skipIf(NETNS.skip || CC.skip || noTaskset)(
    `the quick run measures the C ring and the bsdsock receivers and writes its table${CC.why}${noTaskset ? ' [skipped: needs taskset (util-linux)]' : ''}`,
    async () => {
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'capture-')), 'results.md');
      const r = await run(
        process.execPath,
        [
          path.join(repo, 'bench', 'capture', 'run.js'),
          '--quick',
          '--impls',
          'c,ring-cursor,ring-async,recvmmsg',
          '--out',
          out,
        ],
        120_000,
      );
      expect(r.code, r.stderr).toBe(0);
      const table = fs.readFileSync(out, 'utf8');
      for (const label of ['C, TPACKET_V3 ring', 'RxRing, cursor', 'AsyncRxRing, cursor', 'recvmmsg_into'])
        expect(table).toMatch(new RegExp(`\\| [^|]*${label}[^|]* \\| [\\d,]+ \\(`));
      expect(r.stderr).not.toMatch(/FAILED/);
      // Its namespaces (named after its pid, as it logs them) are gone; those of a run of the
      // suite beside this one may still be there.
      const ns = /namespaces (bsdsock-bench-\d+-gen) \/ (bsdsock-bench-\d+-rx)/.exec(r.stderr);
      expect(ns, r.stderr).not.toBeNull();
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      for (const name of ns!.slice(1)) expect(left).not.toContain(name);
    },
    150_000,
  );
});
