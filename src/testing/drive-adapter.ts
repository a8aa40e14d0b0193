// Calls an adapter the way the core does, without the core in between, so that the contract checks
// see exactly what the adapter hands over (the core would repair or hide some of it).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminalStatus, jobStatuses, type JobStatus, type ProviderReference } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import { usageSchema } from '../models/usage.js';
import type { BatchProvider, PollResult, ProviderCallContext, SubmitContext, SubmitPart } from '../provider/batch-provider.js';
import type { ConformanceSettings } from './adapter-conformance-options.js';
import { ensure, ensureEqual, shown } from './conformance-assertions.js';

/** A batch submitted straight to the adapter. */
export interface DrivenBatch {
  readonly part: SubmitPart;
  readonly requests: readonly BatchRequest[];
  readonly reference: ProviderReference & { id: string };
  /** Every checkpoint of the submit merged, as the core stores it and hands it to `find` as `previous`. */
  readonly checkpoint: ProviderReference;
  /** What the adapter handed to `recordResult` (emulated adapters), unchecked. */
  readonly recorded: unknown[];
  readonly warnings: string[];
}

const endedCountKeys = ['succeeded', 'failed', 'cancelled', 'expired'] as const;
const countKeys: ReadonlySet<string> = new Set([...endedCountKeys, 'pending']);

/** Requests with ids no other check (or earlier run against the same backend) uses. */
export function conformanceRequests(settings: ConformanceSettings, count: number, options: { failing?: number } = {}): BatchRequest[] {
  const token = randomUUID().replaceAll('-', '').slice(0, 10);
  return Array.from({ length: count }, (_, index) => ({
    id: `check_${token}_${index + 1}`,
    model: settings.model,
    maxTokens: 64,
    messages: [{ role: 'user', content: index === options.failing ? `please ${settings.failMarker}` : `question ${index + 1}` }],
  }));
}

export function conformancePart(adapter: BatchProvider, settings: ConformanceSettings, requests: readonly BatchRequest[]): SubmitPart {
  const jobId = `conformance_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  return {
    jobId,
    partId: `${jobId}_p1`,
    index: 0,
    ...(adapter.limits?.oneModelPerPart === true ? { model: settings.model } : {}),
    requestCount: requests.length,
    metadata: {},
    async *requests() {
      yield* requests;
    },
  };
}

export function callContext(warnings: string[], signal?: AbortSignal): ProviderCallContext {
  return { ...(signal ? { signal } : {}), warn: (message) => void warnings.push(message) };
}

/** Submits a part straight to the adapter; fails the check unless the reference has a non-empty string id. */
export async function submitDirectly(adapter: BatchProvider, settings: ConformanceSettings, requests: readonly BatchRequest[]): Promise<DrivenBatch> {
  const part = conformancePart(adapter, settings, requests);
  const recorded: unknown[] = [];
  const warnings: string[] = [];
  let checkpoint: ProviderReference = {};
  const context: SubmitContext = {
    ...callContext(warnings),
    checkpoint: async (reference) => {
      checkpoint = { ...checkpoint, ...reference };
    },
    recordResult: async (result) => {
      recorded.push(result);
    },
  };
  const reference: unknown = await adapter.submit(part, context);
  ensure(
    typeof reference === 'object' && reference !== null && !Array.isArray(reference),
    `submit resolved to ${shown(reference)}, not a reference object`,
  );
  const id = (reference as Record<string, unknown>)['id'];
  ensure(typeof id === 'string' && id !== '', `submit returned a reference without a usable id (id ${shown(id)}): ${shown(reference)}`);
  return {
    part,
    requests,
    reference: reference as ProviderReference & { id: string },
    get checkpoint() {
      return checkpoint;
    },
    recorded,
    warnings,
  };
}

/** What is wrong with one poll answer, in words; undefined when nothing is. */
export function findPollDefect(polled: unknown, requestCount: number): string | undefined {
  if (typeof polled !== 'object' || polled === null) return `poll resolved to ${shown(polled)}, not an object`;
  const { status, rawStatus, counts, usage, error, reference } = polled as Record<string, unknown>;
  if (!(jobStatuses as readonly unknown[]).includes(status)) {
    return `poll returned status ${shown(status)}, not one of ${jobStatuses.join(', ')} (keep the provider's own value in rawStatus)`;
  }
  if (rawStatus !== undefined && typeof rawStatus !== 'string') return `poll returned rawStatus ${shown(rawStatus)}, not a string`;
  if (counts !== undefined) {
    if (typeof counts !== 'object' || counts === null) return `poll returned counts ${shown(counts)}, not an object`;
    let ended = 0;
    for (const [key, value] of Object.entries(counts)) {
      if (!countKeys.has(key)) return `poll returned counts.${key}, not one of ${[...countKeys].join(', ')}`;
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        return `poll returned counts.${key} = ${shown(value)}, not a non-negative whole number`;
      }
      if (value > requestCount) return `poll returned counts.${key} = ${value} for a batch of ${requestCount} requests`;
      if (key !== 'pending') ended += value;
    }
    if (ended > requestCount) return `poll counted ${ended} ended requests (${shown(counts)}) in a batch of ${requestCount}`;
  }
  if (usage !== undefined && !usageSchema.safeParse(usage).success) {
    return `poll returned usage ${shown(usage)}, not whole non-negative token counts`;
  }
  if (error !== undefined && typeof error !== 'string') return `poll returned error ${shown(error)}, not a string`;
  if (reference !== undefined && (typeof reference !== 'object' || reference === null || Array.isArray(reference))) {
    return `poll returned reference ${shown(reference)}, not an object`;
  }
  return undefined;
}

/**
 * Polls until the batch is terminal, failing the check on a malformed poll answer or when the batch
 * is still not terminal at the deadline.
 */
export async function pollUntilTerminal(adapter: BatchProvider, settings: ConformanceSettings, batch: DrivenBatch): Promise<PollResult> {
  const deadline = Date.now() + settings.deadlineMs;
  let last: JobStatus | undefined;
  while (true) {
    const polled: unknown = await adapter.poll(batch.reference, callContext(batch.warnings));
    const defect = findPollDefect(polled, batch.requests.length);
    ensure(defect === undefined, defect ?? '');
    const result = polled as PollResult;
    if (isTerminalStatus(result.status)) return result;
    last = result.status;
    ensure(Date.now() < deadline, `poll still reports "${last}" after ${settings.deadlineMs} ms: the batch never reached a terminal status`);
    await sleep(settings.pollIntervalMs);
  }
}

/** Reads `results()` to the end, unchecked. */
export async function readResults(adapter: BatchProvider, reference: ProviderReference, context: ProviderCallContext): Promise<unknown[]> {
  const iterable: unknown = adapter.results(reference, context);
  ensure(
    typeof iterable === 'object' && iterable !== null && Symbol.asyncIterator in iterable,
    `results() returned ${shown(iterable)}, not an async iterable`,
  );
  const read: unknown[] = [];
  for await (const result of iterable as AsyncIterable<unknown>) read.push(result);
  return read;
}

/** Runs `work` on a submitted batch, then cleans up the adapter's side as the core does once results are stored. */
export async function withCleanup<T>(adapter: BatchProvider, batch: DrivenBatch, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await adapter.cleanup?.(batch.reference, callContext(batch.warnings)).catch(() => undefined);
  }
}

/** Submits `count` valid requests (one of them fail-marked when `failing` is set), polls them to `completed`, runs `work`, cleans up. */
export async function withCompletedBatch(
  adapter: BatchProvider,
  settings: ConformanceSettings,
  count: number,
  options: { failing?: number },
  work: (batch: DrivenBatch) => Promise<void>,
): Promise<void> {
  const batch = await submitDirectly(adapter, settings, conformanceRequests(settings, count, options));
  await withCleanup(adapter, batch, async () => {
    const polled = await pollUntilTerminal(adapter, settings, batch);
    ensureEqual(polled.status, 'completed', `the terminal status of a batch of ${count} valid requests`);
    await work(batch);
  });
}
