import type { BatchStore } from '../store/batch-store.js';
import { storeConformanceChecks, type StoreConformanceOptions } from './store-conformance-checks.js';

export type { StoreConformanceOptions } from './store-conformance-checks.js';

/** Makes a fresh, empty store for one check. */
export type MakeStore = () => BatchStore | Promise<BatchStore>;

/** One check a store did not pass. */
export interface StoreConformanceFailure {
  /** The check's name, as `runStoreConformance` names its test. */
  readonly check: string;
  /** What the store did wrong. */
  readonly message: string;
}

/** What {@link checkStoreConformance} found. */
export interface StoreConformanceReport {
  readonly passed: readonly string[];
  readonly skipped: readonly string[];
  readonly failed: readonly StoreConformanceFailure[];
}

/**
 * One shared vitest suite for `BatchStore` implementations, built-in or your own (Postgres, S3 ...):
 * every property the client relies on. Manifests saved whole and read back as copies, never torn
 * while writers save; `listJobs` (a damaged manifest reported to `onDamaged`, the others still
 * listed); `deleteJob`; requests in order per part; the journal read back in append order, its
 * results whole, none lost by concurrent writers (of one client and of two), a reader during appends
 * seeing a prefix; the lease (exclusive, racing holders, renew and release by the holder only,
 * expiry and takeover, renewal keeping it); the cancel flag. One test per check, each on a fresh
 * store from `makeStore`.
 *
 * Await it at the top level of a test file.
 *
 * @example
 * await runStoreConformance(() => myStore({ url }), { name: 'my store', openSecondClient: () => myStore({ url }) });
 */
export async function runStoreConformance(makeStore: MakeStore, options: StoreConformanceOptions = {}): Promise<void> {
  const { describe, it } = await import('vitest');
  describe(`store conformance: ${options.name ?? 'store'}`, () => {
    for (const check of storeConformanceChecks(options)) {
      it.skipIf(check.skip !== undefined)(check.name, { timeout: options.timeoutMs ?? 20_000 }, async () => {
        const store = await makeStore();
        try {
          await check.run(store);
        } finally {
          await options.dispose?.(store);
        }
      });
    }
  });
}

/**
 * The same checks as {@link runStoreConformance}, without a test runner: every check that failed,
 * with what the store did wrong (for node:test, jest, or a script).
 *
 * @example
 * const report = await checkStoreConformance(() => myStore({ url }));
 * assert.deepEqual(report.failed, []);
 */
export async function checkStoreConformance(makeStore: MakeStore, options: StoreConformanceOptions = {}): Promise<StoreConformanceReport> {
  const passed: string[] = [];
  const skipped: string[] = [];
  const failed: StoreConformanceFailure[] = [];
  for (const check of storeConformanceChecks(options)) {
    if (check.skip !== undefined) {
      skipped.push(check.name);
      continue;
    }
    const store = await makeStore();
    try {
      await check.run(store);
      passed.push(check.name);
    } catch (error) {
      failed.push({ check: check.name, message: error instanceof Error ? error.message : String(error) });
    } finally {
      await options.dispose?.(store);
    }
  }
  return { passed, skipped, failed };
}
