// The README's first commands, run as a new user on a machine without internet would run
// them: in a fresh copy of the repository (tracked files only: no node_modules, build or
// dist), with HOME an empty folder apart from a copy of the local npm cache, no
// npm_config_* in the environment, and no network at all (a network namespace of its own
// with only loopback; a pid namespace, so every process of the run ends with it).
//
// What it proves: `npm install` installs from the cache, scripts/install.cjs finds this
// Node's own headers and hands them to node-gyp (nothing is downloaded), `prepare`
// compiles the TypeScript, and `npm run demo` runs every step to its end.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  available,
  cloneFiles,
  copyFiles,
  copyNpmCache,
  npmCacheDir,
  repoRoot,
  runBounded,
  tail,
  userEnv,
} from '../helpers/install';

const RUN_LIMIT_S = 150;

/** The first ```sh block of the README: the commands a new user runs first. */
function readmeCommands(): string {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const m = /```sh\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no ```sh block');
  return m[1].trim();
}

const isolate = ['--net', '--pid', '--fork', '--kill-child'];
const files = cloneFiles();
const cache = npmCacheDir();
const why = !files
  ? 'not a git checkout'
  : !cache
    ? 'no local npm cache to install from'
    : !available('unshare', [...isolate, 'true'])
      ? 'cannot make a network namespace (unshare --net needs root or user namespaces)'
      : !available('ip', ['-V'])
        ? 'iproute2 (ip) is not installed'
        : '';

let tmp = '';
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(why !== '')(`README commands offline${why ? ` (skipped: ${why})` : ''}`, () => {
  it('are the two commands, and they work in a fresh clone without network or npm config', () => {
    const commands = readmeCommands();
    expect(commands).toBe('npm install && npm run demo');

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-readme-'));
    const clone = path.join(tmp, 'bsdsock');
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    copyFiles(files!, clone);
    copyNpmCache(cache!, home);

    const env = userEnv(home);
    expect(Object.keys(env).filter((k) => /^npm_/i.test(k))).toEqual([]);
    const r = runBounded(
      'timeout',
      [
        '--kill-after=5',
        String(RUN_LIMIT_S),
        'unshare',
        ...isolate,
        'sh',
        '-c',
        `ip link set lo up && ${commands}`,
      ],
      { cwd: clone, env, timeoutMs: (RUN_LIMIT_S + 15) * 1000 },
    );
    const out = r.output;
    // A package the local cache lacks cannot come from anywhere offline: say so.
    const missing = /request to (\S+) failed, reason: getaddrinfo/.exec(out);
    const hint = missing
      ? `\nthe npm cache lacks ${missing[1]}: run \`npm ci\` once with network to fill it`
      : '';
    expect(r.status, `exit ${r.status} ${r.signal ?? ''}\n${tail(out)}${hint}`).toBe(0);

    // The addon was compiled here (no prebuilds in a clone), against the local headers.
    expect(out).toContain("compiling with node-gyp against this Node's headers");
    expect(out).not.toMatch(/gyp http GET|Downloading|ENOTFOUND|EAI_AGAIN.*headers/);
    expect(fs.existsSync(path.join(clone, 'build', 'Release', 'bsdsock.node'))).toBe(true);
    // prepare built dist/ with its ESM wrappers.
    for (const f of ['index.js', 'index.mjs', 'aio.js', 'aio.mjs']) {
      expect(fs.existsSync(path.join(clone, 'dist', f)), f).toBe(true);
    }
    // Every step of the demo ran, and it ended by itself.
    for (let i = 1; i <= 5; i++) expect(out).toContain(`[${i}/5]`);
    expect(out).toContain('client: recv(1024) -> 12 bytes: "Hello, world"');
    expect(out).toContain('\ndemo: done\n');
  }, 200_000);
});

describe('README', () => {
  it('lists every program in examples/ in its Examples table', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(
      readme.indexOf('## Examples'),
      readme.indexOf('\n## ', readme.indexOf('## Examples') + 1),
    );
    const listed = [...table.matchAll(/^\| \[examples\/([\w.-]+\.ts)\]/gm)].map((m) => m[1]).sort();
    const present = fs
      .readdirSync(path.join(repoRoot, 'examples'))
      .filter((f) => f.endsWith('.ts'))
      .sort();
    expect(listed).toEqual(present);
  });

  it('lists every page of docs/ in its Documentation section', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Documentation'),
      readme.indexOf('\n## ', readme.indexOf('## Documentation') + 1),
    );
    for (const page of fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md'))) {
      expect(section, page).toContain(`(docs/${page})`);
    }
  });
});
