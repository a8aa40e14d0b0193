import { isDeepStrictEqual } from 'node:util';
import type { BatchProvider } from '../provider/batch-provider.js';

/**
 * The suite's own assertions, so that it runs under any test runner (or none): a failed one throws
 * an Error whose message says what the adapter did wrong.
 */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function ensureEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) throw new Error(`${what}: expected ${shown(expected)}, got ${shown(actual)}`);
}

/**
 * Thrown by a check of an optional member that the adapter does not have: the check is reported
 * skipped (a vitest skip under `runAdapterConformance`), not passed and not failed.
 */
export class ConformanceCheckSkipped extends Error {
  override readonly name = 'ConformanceCheckSkipped';
}

/** Skips the running check unless the adapter declares `member`. */
export function skipUnlessDeclared(adapter: BatchProvider, member: keyof BatchProvider): void {
  if ((adapter as unknown as Record<string, unknown>)[member] === undefined) {
    throw new ConformanceCheckSkipped(`the adapter does not declare ${member}`);
  }
}

/** Resolves with the promise's outcome, or rejects with `message` once `ms` have passed; the timer never outlives it. */
export async function within<T>(promise: PromiseLike<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
