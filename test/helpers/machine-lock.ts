// Machine-wide locks for the few resources that two runs of the suite at once cannot make unique.
/*
 * Almost everything a test uses is per process (ports from the kernel, mkdtemp paths,
 * namespace names with the pid). A fixture that fixes a resource cannot: the tcpdump
 * output in test/raw/helpers/udp-port-47913.bpf matches UDP port 47913, so every test that
 * sends to that port on `lo` while a packet socket watches it must hold the lock of that
 * port, in this run and in any other run on the machine. The lock is a file created with
 * O_EXCL holding the owner's pid; one left by a dead process is taken over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from './timing';

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` while holding the machine-wide lock `name`; waits for it at most `waitMs`. */
export async function withMachineLock<T>(
  name: string,
  fn: () => T | Promise<T>,
  waitMs = 60_000,
): Promise<T> {
  const file = path.join(os.tmpdir(), `bsdsock-lock-${name}`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // released between our open and our read
    }
    // An empty file is one being written right now: only a dead owner's lock is taken over.
    if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`machine lock ${name} still held by pid ${owner} after ${waitMs} ms`);
    await sleep(50);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
