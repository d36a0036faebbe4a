// Waiting in tests: sleep, a bound on a promise, and whether a promise is still pending.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Rejects if `p` has not settled within `ms` (so a hang is a failure, not a stuck run). */
export function within<T>(p: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    }),
  ]);
}

/** Whether `p` is still pending after the event loop has had `ms` to settle it. */
export async function isPending(p: Promise<unknown>, ms = 50): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return !settled;
}

/** Seconds elapsed while running `fn`, and its outcome. */
export function timed<T>(fn: () => T): { elapsed: number; value?: T; error?: unknown } {
  const t0 = process.hrtime.bigint();
  try {
    const value = fn();
    return { elapsed: Number(process.hrtime.bigint() - t0) / 1e9, value };
  } catch (error) {
    return { elapsed: Number(process.hrtime.bigint() - t0) / 1e9, error };
  }
}
