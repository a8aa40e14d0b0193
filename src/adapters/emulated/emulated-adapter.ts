import { AbortError } from '../../errors/abort-error.js';
import type { ProviderReference } from '../../models/batch-job.js';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type { BatchProvider, PollResult, ProviderLimits } from '../../provider/batch-provider.js';
import { exponentialBackoff } from '../../retry/exponential-backoff.js';
import { type EmulatedOptions, resolveEmulatedOptions } from './emulated-options.js';
import { completeOneRequest } from './complete-one-request.js';
import { EmulatedRun } from './emulated-run.js';

/** The emulated adapter: a `BatchProvider` whose runs live in this process. */
export interface EmulatedProvider extends BatchProvider {
  readonly mode: 'emulated';
  /** How often the client should poll (set from the `pollIntervalMs` option). */
  readonly pollIntervalMs?: number;
  /** Resolves once the run behind `reference` has ended (every result journaled). */
  waitForRun(reference: ProviderReference): Promise<void>;
}

const limits: ProviderLimits = { maxRequests: Infinity, maxBytes: Infinity, oneModelPerPart: false };

/**
 * Runs a batch through a provider's synchronous API, in this process: `concurrency` workers fed
 * lazily from the request stream, one retry loop per item (429/529 on their own budget), adaptive
 * rate limits with one coordinated cooldown per 429 burst, per-call timeouts, local tool execution,
 * middleware and observers. Every terminal result is journaled the moment it exists, so `resume()`
 * after a crash runs only what has no result yet.
 *
 * @example
 * import { createBatchClient, emulated } from 'llm-batch';
 * import { openaiChat } from 'llm-batch/openai';
 *
 * const client = createBatchClient({
 *   provider: emulated({ call: openaiChat({ baseURL: 'http://localhost:8000/v1' }), concurrency: 32 }),
 * });
 * const summary = await client.run(requests, { model: 'llama-3.1-8b' });
 */
export function emulated(options: EmulatedOptions): EmulatedProvider {
  const resolved = resolveEmulatedOptions(options);
  const retry = resolved.retry ?? exponentialBackoff({ maxRetries: 5 });
  const runs = new Map<string, EmulatedRun>();

  const runOf = (reference: ProviderReference): EmulatedRun | undefined =>
    typeof reference.id === 'string' ? runs.get(reference.id) : undefined;

  const provider: EmulatedProvider = {
    name: resolved.call.name,
    mode: 'emulated',
    journalsEachResultOnce: true,
    limits,
    ...(resolved.call.model === undefined ? {} : { defaultModel: resolved.call.model }),
    ...(resolved.call.cachedInputTokens === undefined ? {} : { cachedInputTokens: (request: BatchRequest) => resolved.call.cachedInputTokens!(request) }),
    ...(resolved.pollIntervalMs === undefined ? {} : { pollIntervalMs: resolved.pollIntervalMs }),

    async submit(part, context) {
      if (context.signal?.aborted) throw new AbortError(undefined, { cause: context.signal.reason });
      const run = new EmulatedRun(resolved, part, context, retry);
      runs.set(run.id, run);
      return { id: run.id, startedAt: new Date().toISOString() };
    },

    async poll(reference): Promise<PollResult> {
      const run = runOf(reference);
      if (run === undefined) {
        return {
          status: 'failed',
          rawStatus: 'detached',
          error: `The emulated run ${String(reference.id)} is not running in this process; resume the job to continue it`,
        };
      }
      return run.poll();
    },

    // Results were journaled one by one through `recordResult` while the run went on.
    async *results(): AsyncIterable<BatchResult> {},

    async cancel(reference) {
      runOf(reference)?.cancel();
    },

    async cleanup(reference) {
      const run = runOf(reference);
      if (run !== undefined && run.status !== 'in_progress' && run.status !== 'cancelling') runs.delete(run.id);
    },

    async waitForRun(reference) {
      await runOf(reference)?.done;
    },

    complete(request, context) {
      return completeOneRequest(resolved, retry, request, context);
    },
  };
  if (resolved.call.preview !== undefined) {
    const preview = resolved.call.preview.bind(resolved.call);
    const withPreview: EmulatedProvider = { ...provider, preview: (request) => preview(request) };
    return withPreview;
  }
  return provider;
}
