import { LlmBatchError } from '../errors/llm-batch-error.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { checkOptionKeys, failOption } from '../validation/check-options.js';
import type { ClientCore } from './client-core.js';
import { newJobId } from './live-jobs.js';
import type { PartProviders } from './part-providers.js';

/** Options of `client.attach`: which provider batch to follow as a job. */
export interface AttachOptions {
  /** The provider batch's id (`batch_...`, `msgbatch_...`, `batches/...`). */
  readonly batchId: string;
  /**
   * Where the batch lives: a registry name (`'openai'`, `'anthropic'`, `'gemini'`, one you registered).
   * @default the client's provider
   */
  readonly provider?: string;
  /** String pairs stored with the job, over the batch's own metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

const attachKeys = ['batchId', 'provider', 'metadata', 'signal'] as const;

/**
 * Imports a batch this library did not create into the store as a job of one part, already
 * submitted, so that `status`, `wait`, `results`, `errors` and `retry` work on it. Its requests are
 * read back where the provider keeps them (OpenAI's input file); where it does not (Anthropic), the
 * part is marked `requestsUnknown`: its results are kept under the ids they carry, in the order
 * they come, and `retry` is refused (there is nothing to send again). A batch already in the store
 * is not imported twice: its job is returned.
 */
export async function attachBatch(core: ClientCore, parts: PartProviders, main: BatchProvider, options: AttachOptions): Promise<JobManifest> {
  const where = 'attach()';
  if (typeof options !== 'object' || options === null) failOption(where, 'options', 'an object { provider?, batchId }', options);
  checkOptionKeys(where, options, attachKeys);
  if (typeof options.batchId !== 'string' || options.batchId.trim() === '') failOption(where, 'batchId', 'a provider batch id', options.batchId);
  if (options.provider !== undefined && (typeof options.provider !== 'string' || options.provider === '')) failOption(where, 'provider', 'a provider name', options.provider);
  for (const [key, value] of Object.entries(options.metadata ?? {})) if (typeof value !== 'string') failOption(where, `metadata.${key}`, 'a string', value);
  const name = options.provider ?? main.name;
  const provider = name === main.name && main.mode === 'native' ? main : await parts.named(name, 'native');
  if (provider.mode !== 'native' || provider.attach === undefined) {
    throw new LlmBatchError(`attach(): the ${name} adapter cannot attach batches (the native OpenAI, Anthropic and Gemini adapters can)`, { code: 'attach_unsupported' });
  }
  const batchId = options.batchId.trim();
  const attached = await findAttachedJob(core, name, batchId);
  if (attached !== undefined) return attached;
  const jobId = newJobId();
  const now = new Date().toISOString();
  const job: JobManifest = {
    id: jobId,
    provider: name,
    mode: 'native',
    status: 'in_progress',
    counts: { total: 0, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: 0 },
    createdAt: now,
    updatedAt: now,
    parts: [],
    metadata: {},
    warnings: [],
  };
  const found = await core.withRetry(provider, (signal) => provider.attach!(batchId, core.callContext(job, signal)), options.signal);
  // The provider may name the batch otherwise than it was asked (Gemini's `batches/` prefix).
  if (found.reference.id !== batchId) {
    const known = await findAttachedJob(core, name, found.reference.id);
    if (known !== undefined) return known;
  }
  let requestCount = found.requestCount;
  let known = false;
  if (found.requests) {
    const writer = await core.store.createRequestWriter(jobId, 0);
    let count = 0;
    try {
      for await (const request of found.requests()) await writer.write({ index: count++, request });
      requestCount = count;
      known = true;
    } catch (error) {
      job.warnings.push(`The requests of batch ${batchId} could not be read back (${(error as Error).message}); its results are kept under the ids they carry, and retry is refused`);
    } finally {
      await writer.close();
    }
    if (!known) await (await core.store.createRequestWriter(jobId, 0)).close();
  } else {
    await (await core.store.createRequestWriter(jobId, 0)).close();
  }
  job.metadata = { ...found.metadata, ...options.metadata };
  job.parts.push({
    id: `${jobId}_p0`,
    index: 0,
    status: 'in_progress',
    requestCount,
    ...(found.model === undefined ? {} : { model: found.model }),
    ...(name === main.name ? {} : { provider: name }),
    submitState: 'submitted',
    reference: { ...found.reference },
    providerBatchId: found.reference.id,
    resultsStored: false,
    ...(known ? {} : { requestsUnknown: true }),
  });
  const lease = await core.leases.hold(jobId);
  try {
    core.jobs.adopt(job);
    await core.jobs.save(job);
  } finally {
    await core.jobs.release(lease);
  }
  return job;
}

/** The stored job that already follows this provider batch, if any. */
async function findAttachedJob(core: ClientCore, name: string, batchId: string): Promise<JobManifest | undefined> {
  for (const job of await core.store.listJobs()) {
    if ((job.provider === name || job.parts.some((part) => part.provider === name)) && job.parts.some((part) => part.providerBatchId === batchId)) return job;
  }
  return undefined;
}

/**
 * `retry` of an attached batch whose requests are unknown: refused, naming what to do instead (its
 * failed ids are in `errors`; their requests are the caller's to send again).
 */
export function refuseRetryOfUnknownRequests(job: JobManifest): void {
  const part = job.parts.find((candidate) => candidate.requestsUnknown === true);
  if (part === undefined) return;
  throw new LlmBatchError(
    `Job ${job.id} was attached from ${part.providerBatchId ?? 'a provider batch'}, whose requests ${job.provider} does not give back; ` +
      `retry cannot send them again. List the items that did not succeed (llm-batch errors ${job.id}) and submit their requests as a new job`,
    { code: 'requests_unknown' },
  );
}
