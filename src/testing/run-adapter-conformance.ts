import { resolveConformanceSettings, type AdapterConformanceOptions } from './adapter-conformance-options.js';
import { adapterConformanceChecks, isSkipped } from './check-adapter-conformance.js';
import { ConformanceCheckSkipped } from './conformance-assertions.js';

export type { AdapterCapabilities, AdapterConformanceOptions } from './adapter-conformance-options.js';

/**
 * One shared vitest suite that every adapter, built-in or custom, passes. It calls the adapter
 * directly, as the core does, and checks what it hands over: declared limits, the reference of
 * `submit`, every `poll` answer, every result (well formed, one per request, none for an unknown
 * id, the same when read again), `cancel` of an ended batch, calls with an aborted signal, and
 * each optional member the adapter declares (`find`, `preview`, `measure`, `countTokens`,
 * `cleanup`, `pollIntervalMs`, `waitForRun`, `journalsEachResultOnce`; the tests of the members it
 * does not declare are skipped). Then it runs the adapter end to end through `createBatchClient`: submit, poll to a terminal
 * status, results correlated by id, partial failure, cancel, resume from a new client, and
 * validation before any network call. One test per check; `checkAdapterConformance` runs the same
 * checks without vitest.
 *
 * Await it at the top level of a test file (vitest is loaded on demand, so this entry also loads
 * from CommonJS where vitest is not wanted).
 *
 * @example
 * await runAdapterConformance({ name: 'my adapter', createAdapter: () => myAdapter({ baseURL }) });
 */
export async function runAdapterConformance(options: AdapterConformanceOptions): Promise<void> {
  const { beforeEach, describe, it } = await import('vitest');
  const settings = resolveConformanceSettings(options);
  describe(`adapter conformance: ${options.name}`, () => {
    if (options.beforeEach) beforeEach(options.beforeEach);
    for (const check of adapterConformanceChecks(settings)) {
      it.skipIf(isSkipped(check, settings))(check.name, { timeout: settings.timeoutMs }, async (context) => {
        try {
          await check.run();
        } catch (error) {
          // A check of an optional member the adapter does not declare.
          if (error instanceof ConformanceCheckSkipped) context.skip(error.message);
          throw error;
        }
      });
    }
  });
}
