import { ValidationError } from '../errors/validation-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { redactSecrets } from '../errors/redact-secrets.js';
import type { BatchRequest, BatchRequestInput } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { StructuredOutputSchema } from '../structured-output/structured-output-schema.js';
import { createOutputValidator, parseStructuredOutput } from '../structured-output/parse-structured-output.js';
import { checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';
import { withDefaultOptions } from './apply-defaults.js';
import type { BatchClientOptions } from './batch-client-options.js';
import { planJob } from './plan-job.js';
import { adapterPlanning, planningStore } from './planning-store.js';
import { requestTransform } from './plan-new-job.js';
import { resolveProvider } from './resolve-provider.js';

/** Options of `client.complete()`. */
export interface CompleteOptions {
  /** The model, when the request names none (else the client's `defaults.model`, then the call strategy's). */
  readonly model?: string;
  /** Aborts the call (it rejects with an `AbortError`; nothing is stored either way). */
  readonly signal?: AbortSignal;
}

const completeOptionNames = optionNames<CompleteOptions>({ model: true, signal: true });

/** The synchronous adapters built for `complete()` of clients on a native shorthand, one per client. */
const syncAdapters = new WeakMap<BatchClientOptions, Promise<BatchProvider>>();

/**
 * One request, now, through an adapter's synchronous path (`BatchProvider.complete`): validated and
 * given the client's defaults exactly as a job's request is, run through the same call strategy,
 * classifier and retries as a job's item, and returned as its `BatchResult` (a failure as a value,
 * the request's metadata on it). A client on a native shorthand (`provider: 'openai'`) makes the
 * call through the same provider's emulated adapter; a native adapter value has no synchronous path.
 */
export async function completeOne<T>(
  input: BatchRequestInput,
  options: CompleteOptions,
  client: { readonly options: BatchClientOptions; readonly provider: () => Promise<BatchProvider> },
): Promise<BatchResult<T>> {
  const where = 'complete()';
  checkOptionKeys(where, options, completeOptionNames);
  if (options.model !== undefined && (typeof options.model !== 'string' || options.model === '')) failOption(where, 'model', 'a non-empty string', options.model);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) failOption(where, 'signal', 'an AbortSignal', options.signal);
  const provider = await syncAdapter(client);
  const given: { model?: string; schema?: StructuredOutputSchema } = options.model === undefined ? {} : { model: options.model };
  const defaulted = withDefaultOptions(given, client.options.defaults, provider);
  const request = await normalizeOne(input, defaulted, client.options, provider);
  const result = await provider.complete!(request, { ...(options.signal ? { signal: options.signal } : {}), warn: () => {} });
  let prepared: BatchResult = result.metadata === undefined && request.metadata !== undefined ? { ...result, metadata: request.metadata } : result;
  if (defaulted.schema !== undefined) prepared = parseStructuredOutput(prepared, createOutputValidator(defaulted.schema));
  if (prepared.status !== 'succeeded' && prepared.error !== undefined) {
    prepared = { ...prepared, error: { ...prepared.error, message: redactSecrets(prepared.error.message) } };
  }
  return prepared as BatchResult<T>;
}

async function syncAdapter(client: { readonly options: BatchClientOptions; readonly provider: () => Promise<BatchProvider> }): Promise<BatchProvider> {
  const provider = await client.provider();
  if (provider.complete) return provider;
  const { provider: named, apiKey, baseURL, concurrency, emulated } = client.options;
  if (typeof named !== 'string') {
    throw new LlmBatchError(
      `complete(): the ${provider.name} adapter (${provider.mode}) has no synchronous call; use a client on an emulated adapter (emulated({ call })) or a shorthand provider ('openai', 'anthropic')`,
      { code: 'complete_unsupported' },
    );
  }
  let adapter = syncAdapters.get(client.options);
  if (adapter === undefined) {
    const shorthand = { apiKey, baseURL, concurrency, emulated };
    const defined = Object.fromEntries(Object.entries(shorthand).filter(([, value]) => value !== undefined));
    adapter = resolveProvider(named, 'emulated', defined);
    syncAdapters.set(client.options, adapter);
  }
  return adapter;
}

/** The request as the planner would store it: validated (one `ValidationError`), defaults and transforms applied. */
async function normalizeOne(
  input: BatchRequestInput,
  options: { readonly model?: string; readonly schema?: StructuredOutputSchema; readonly priority?: undefined },
  clientOptions: BatchClientOptions,
  provider: BatchProvider,
): Promise<BatchRequest> {
  let stored: BatchRequest | undefined;
  const transform = requestTransform(withDefaultOptions(options, clientOptions.defaults, provider));
  await planJob({
    jobId: 'complete',
    input: [input],
    store: planningStore('complete()', {
      async createRequestWriter() {
        return { write: (record) => void (stored = record.request), async close() {} };
      },
      async deleteJob() {},
    }),
    ...adapterPlanning(provider, options.model, clientOptions.defaults),
    ...(transform ? { transform } : {}),
  });
  if (stored === undefined) throw new ValidationError([{ index: 0, field: '', reason: 'no request' }]);
  return stored;
}
