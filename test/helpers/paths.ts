// Where things are: the repository, and per-process temporary paths and AF_UNIX names.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';

export const repoRoot = path.resolve(__dirname, '..', '..');
/** lib/index without extension (tsx resolves it). */
export const libPath = path.join(repoRoot, 'lib', 'index');

let tmpRoot: string | null = null;
let seq = 0;

/**
 * This test file's private temporary directory (mkdtemp, so two runs of the suite at
 * once never share it), removed by removeTmpDir() (useSockets does it after the file).
 */
export function tmpDir(): string {
  // Named after the test's folder (bsdsock-messages-XXXXXX) so a leftover says where it came from.
  const testPath = expect.getState().testPath;
  const suite = testPath ? path.basename(path.dirname(testPath)) : 'test';
  tmpRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), `bsdsock-${suite}-`));
  return tmpRoot;
}

/** A fresh path inside tmpDir(), short enough for sun_path. */
export function tmpPath(name = 'f'): string {
  seq += 1;
  return path.join(tmpDir(), `${name}${seq}`);
}

/** A fresh AF_UNIX path (see tmpPath). */
export const unixPath = (name = 'sock') => tmpPath(name);

/** A unique abstract-namespace name (leading NUL): pid and a counter keep concurrent runs apart. */
export function abstractName(tag = 't'): string {
  seq += 1;
  return `\0bsdsock-test-${process.pid}-${tag}-${seq}`;
}

/** Removes tmpDir() and everything in it. */
export function removeTmpDir(): void {
  if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
  tmpRoot = null;
}
