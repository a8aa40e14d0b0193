import { adapterContractChecks } from './adapter-contract-checks.js';
import {
  resolveConformanceSettings,
  type AdapterConformanceOptions,
  type ConformanceCheck,
  type ConformanceSettings,
} from './adapter-conformance-options.js';
import { ConformanceCheckSkipped, within } from './conformance-assertions.js';
import { clientConformanceChecks } from './client-conformance-checks.js';
import { optionalMemberChecks } from './optional-member-checks.js';

/** One check of the conformance suite that an adapter did not pass. */
export interface AdapterConformanceFailure {
  /** The check's name, as `runAdapterConformance` names its test. */
  readonly check: string;
  /** What the adapter did wrong. */
  readonly message: string;
}

/** What {@link checkAdapterConformance} found. */
export interface AdapterConformanceReport {
  readonly passed: readonly string[];
  /** Checks that need a capability the adapter declared absent, or an optional member it does not have. */
  readonly skipped: readonly string[];
  readonly failed: readonly AdapterConformanceFailure[];
}

/**
 * Every check of the suite, in the order it runs: the contract called directly, its optional
 * members (each skipped when the adapter does not have it), then the client end to end.
 */
export function adapterConformanceChecks(settings: ConformanceSettings): ConformanceCheck[] {
  return [...adapterContractChecks(settings), ...optionalMemberChecks(settings), ...clientConformanceChecks(settings)];
}

/** True when the adapter declared the capability a check needs absent. */
export function isSkipped(check: ConformanceCheck, settings: ConformanceSettings): boolean {
  return check.needs !== undefined && !settings.capabilities[check.needs];
}

/**
 * Runs the adapter conformance suite without a test runner and reports every check that failed,
 * with what the adapter did wrong. `runAdapterConformance` runs the same checks as vitest tests;
 * this is the form for other runners (node:test, jest) and for scripts.
 *
 * The suite calls the adapter directly, as the core does, to see exactly what it hands over
 * (declared limits, the reference of `submit`, every `poll` answer, every result: well formed, one
 * per request, none for an unknown id, the same when read again; `cancel` of an ended batch, calls
 * with an aborted signal), checks each optional member it declares (`find`, `preview`, `measure`,
 * `countTokens`, `cleanup`, `pollIntervalMs`, `waitForRun`, `journalsEachResultOnce`; the checks of
 * the others are skipped), then runs it end to end through `createBatchClient`.
 *
 * @example
 * const report = await checkAdapterConformance({ name: 'my adapter', createAdapter: () => myAdapter({ baseURL }) });
 * assert.deepEqual(report.failed, []);
 */
export async function checkAdapterConformance(options: AdapterConformanceOptions): Promise<AdapterConformanceReport> {
  const settings = resolveConformanceSettings(options);
  const passed: string[] = [];
  const skipped: string[] = [];
  const failed: AdapterConformanceFailure[] = [];
  for (const check of adapterConformanceChecks(settings)) {
    if (isSkipped(check, settings)) {
      skipped.push(check.name);
      continue;
    }
    try {
      await options.beforeEach?.();
      await within(check.run(), settings.timeoutMs, `did not finish within ${settings.timeoutMs} ms`);
      passed.push(check.name);
    } catch (error) {
      if (error instanceof ConformanceCheckSkipped) {
        skipped.push(check.name);
        continue;
      }
      failed.push({ check: check.name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { passed, skipped, failed };
}
