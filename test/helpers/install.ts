/**
 * Helpers for the install tests: a fresh copy of the repository as a clone would have it,
 * a user's environment with nothing of this test run in it (no npm_config_*, an empty
 * HOME), a copy of the local npm cache, and bounded child processes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Whether `cmd` runs here (`cmd args...` exits 0). */
export function available(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

/**
 * What a fresh clone holds: the tracked files plus new files not yet committed (not the
 * ignored ones: node_modules/, build/, dist/, prebuilds/), copied with their current
 * content. Returns null when this is not a git checkout.
 */
export function cloneFiles(): string[] | null {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) return null;
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .filter((f) => fs.existsSync(path.join(repoRoot, f)));
}

export function copyFiles(files: string[], dest: string): void {
  for (const f of files) {
    const to = path.join(dest, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), to);
  }
}

/** The npm cache this run's npm uses (its `cache` config), or null. */
export function npmCacheDir(): string | null {
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', timeout: 30_000 });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && fs.existsSync(path.join(dir, '_cacache')) ? dir : null;
}

/**
 * Copies the npm cache into `<home>/.npm`, where npm looks with that HOME. The content
 * files (immutable, named by hash) are hard-linked when possible; the index files, which
 * npm appends to, are copied.
 */
export function copyNpmCache(from: string, home: string): void {
  const src = path.join(from, '_cacache');
  const dst = path.join(home, '.npm', '_cacache');
  const walk = (rel: string, link: boolean): void => {
    const s = path.join(src, rel);
    const d = path.join(dst, rel);
    const st = fs.statSync(s);
    if (st.isDirectory()) {
      fs.mkdirSync(d, { recursive: true });
      for (const name of fs.readdirSync(s)) walk(path.join(rel, name), link);
      return;
    }
    if (link) {
      try {
        fs.linkSync(s, d);
        return;
      } catch {
        // another file system: copy
      }
    }
    fs.copyFileSync(s, d);
  };
  for (const name of fs.readdirSync(src)) walk(name, name.startsWith('content'));
}

/**
 * A user's environment: PATH without this project's node_modules/.bin, the given HOME,
 * and nothing else from the test run (no npm_config_*, no NODE_OPTIONS, no preload).
 */
export function userEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const pathDirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
    .split(path.delimiter)
    .filter((d) => d && !d.includes(`${path.sep}node_modules${path.sep}`) && !d.endsWith('node-gyp-bin'));
  return {
    PATH: pathDirs.join(path.delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    TMPDIR: os.tmpdir(),
    ...extra,
  };
}

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a command to its end (stdout and stderr together), killed after `timeoutMs`. */
export function runBounded(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Result {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    status: r.status,
    signal: r.signal,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n[spawn error: ${r.error.message}]` : ''}`,
  };
}

/** The last `n` lines of a long output, for assertion messages. */
export function tail(text: string, n = 60): string {
  return text.split('\n').slice(-n).join('\n');
}

/** `npm pack --ignore-scripts` of the repository into `dest`: the tarball and its file list. */
export function packRepo(dest: string): { tarball: string; files: string[] } {
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`npm pack failed\n${r.stderr}`);
  const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
  return { tarball: path.join(dest, info.filename), files: info.files.map((f: { path: string }) => f.path) };
}

/** Builds dist/ (npm run build:ts) when it is missing or older than a file of lib/: tests run from the sources, consumers read dist/. */
export function ensureDist(): void {
  const newest = (dir: string): number =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .reduce(
        (m, e) =>
          Math.max(
            m,
            e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs,
          ),
        0,
      );
  const marker = path.join(repoRoot, 'dist', 'index.d.mts');
  if (!fs.existsSync(marker) || fs.statSync(marker).mtimeMs < newest(path.join(repoRoot, 'lib'))) {
    const r = runBounded('npm', ['run', 'build:ts'], { cwd: repoRoot, env: process.env, timeoutMs: 120_000 });
    if (r.status !== 0) throw new Error(`npm run build:ts failed\n${tail(r.output)}`);
  }
}

/**
 * A TypeScript consumer project in `dir` (made if need be): writes `files` and a strict,
 * no-emit tsconfig.json listing them (Node's types from `<app>/node_modules/@types`, then
 * `options`), and runs this repository's tsc over it with `args`.
 */
export function compileConsumer(
  app: string,
  dir: string,
  files: Record<string, string>,
  options: Record<string, unknown>,
  args: string[] = [],
): Result {
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const compilerOptions = {
    target: 'es2022',
    lib: ['es2022', 'esnext.disposable'],
    strict: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(app, 'node_modules', '@types')],
    ...options,
  };
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, files: Object.keys(files) }),
  );
  const tsc = path.join(repoRoot, 'node_modules', '.bin', 'tsc');
  return runBounded(tsc, ['-p', dir, ...args], { cwd: dir, env: process.env, timeoutMs: 120_000 });
}
