// Capturing the error a call throws or a promise rejects with, failing the test when there is none.
import { expect } from 'vitest';
import { within } from './timing';

/** Runs `fn` expecting it to throw synchronously; returns the error (fails the test otherwise). */
export function catchError(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  expect.fail('expected an exception, but the call returned normally');
}

/**
 * The error `fn` throws synchronously or its promise rejects with; fails the test if it
 * succeeds. Async methods may throw argument errors synchronously or reject: both count.
 */
export async function errorOf(fn: () => unknown): Promise<any> {
  let value: unknown;
  try {
    value = await fn();
  } catch (e) {
    return e;
  }
  expect.fail(`expected an error, got ${String(value)}`);
}

/** Resolves with the rejection reason of `p`; fails if it fulfils or does not settle in `ms`. */
export async function rejection(p: Promise<unknown>, ms = 5000, what = 'operation'): Promise<any> {
  const r = await within(
    p.then(
      (v) => ({ ok: true as const, v }),
      (e) => ({ ok: false as const, e }),
    ),
    ms,
    what,
  );
  if (r.ok) throw new Error(`${what} resolved (with ${String(r.v)}) but was expected to reject`);
  return r.e;
}
