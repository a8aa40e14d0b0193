import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { BatchRequest } from '../../models/batch-request.js';
import type { BatchResult } from '../../models/batch-result.js';
import type { ProviderReference } from '../../models/batch-job.js';
import type { BatchProvider, PollResult, ProviderLimits, SubmitPart } from '../../provider/batch-provider.js';

/** Where the fake provider keeps its batches; share one between adapter instances to test resume. */
export interface FakeBatchBackend {
  readonly batches: Map<string, FakeBatch>;
  /** How many batches were created (a resume must never create one twice). */
  created: number;
  /** Writes the state to the backend's file, when it has one. */
  persist(): void;
}

export interface FakeBatch {
  id: string;
  partId: string;
  requests: BatchRequest[];
  polls: number;
  status: 'in_progress' | 'cancelling' | 'completed' | 'cancelled';
}

/** Options of {@link fakeBatchProvider}. */
export interface FakeBatchProviderOptions {
  /** Shared state; pass the same backend to a second instance to simulate a restart. @default a new backend */
  readonly backend?: FakeBatchBackend;
  /** Polls before a batch completes. @default 2 */
  readonly pollsToComplete?: number;
  /** Requests whose last message contains this text fail with an `invalid_request` error. @default '[fail]' */
  readonly failMarker?: string;
  /** @default { maxRequests: 1000, maxBytes: 10 MiB, oneModelPerPart: false } */
  readonly limits?: Partial<ProviderLimits>;
}

/**
 * A backend for {@link fakeBatchProvider}. With `file`, its state is loaded from and saved to that
 * JSON file, so a process that restarts after a crash sees the batches the dead one created.
 */
export function createFakeBatchBackend(options: { file?: string } = {}): FakeBatchBackend {
  const { file } = options;
  let saved: { batches: FakeBatch[]; created: number } = { batches: [], created: 0 };
  if (file) {
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
    } catch {
      // No state yet.
    }
  }
  const backend: FakeBatchBackend = {
    batches: new Map(saved.batches.map((batch) => [batch.id, batch])),
    created: saved.created,
    persist() {
      if (!file) return;
      const temporary = `${file}.tmp`;
      writeFileSync(temporary, JSON.stringify({ batches: [...backend.batches.values()], created: backend.created }));
      renameSync(temporary, file);
    },
  };
  return backend;
}

/**
 * An in-process native-style adapter with no network: batches complete after a few polls and
 * answer every request with an echo of its last message. For tests of code built on the client,
 * and the reference implementation of the adapter contract.
 *
 * @example
 * const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() });
 */
export function fakeBatchProvider(options: FakeBatchProviderOptions = {}): BatchProvider & { backend: FakeBatchBackend } {
  const backend = options.backend ?? createFakeBatchBackend();
  const pollsToComplete = options.pollsToComplete ?? 2;
  const failMarker = options.failMarker ?? '[fail]';
  const limits: ProviderLimits = {
    maxRequests: 1_000,
    maxBytes: 10 * 1024 * 1024,
    oneModelPerPart: false,
    ...options.limits,
  };

  function batchOf(reference: ProviderReference): FakeBatch {
    const batch = backend.batches.get(String(reference.id));
    if (!batch) throw new Error(`fake provider: no batch ${String(reference.id)}`);
    return batch;
  }

  return {
    name: 'fake',
    mode: 'native',
    limits,
    backend,
    pollIntervalMs: 1,
    async submit(part: SubmitPart) {
      const requests: BatchRequest[] = [];
      for await (const request of part.requests()) requests.push(request);
      const id = `fakebatch_${backend.batches.size + 1}`;
      backend.batches.set(id, { id, partId: part.partId, requests, polls: 0, status: 'in_progress' });
      backend.created++;
      backend.persist();
      return { id };
    },
    async find(part: SubmitPart) {
      for (const batch of backend.batches.values()) if (batch.partId === part.partId) return { id: batch.id };
      return undefined;
    },
    async poll(reference): Promise<PollResult> {
      const batch = batchOf(reference);
      batch.polls++;
      if (batch.status === 'cancelling') batch.status = 'cancelled';
      else if (batch.status === 'in_progress' && batch.polls >= pollsToComplete) batch.status = 'completed';
      backend.persist();
      return { status: batch.status, rawStatus: batch.status };
    },
    async *results(reference): AsyncIterable<BatchResult> {
      const batch = batchOf(reference);
      // A cancelled batch keeps the first half of its work, like a real provider's partial output.
      const done = batch.status === 'cancelled' ? batch.requests.slice(0, Math.floor(batch.requests.length / 2)) : batch.requests;
      for (const request of [...done].reverse()) yield answer(request, failMarker);
    },
    async cancel(reference) {
      const batch = batchOf(reference);
      if (batch.status === 'in_progress') batch.status = 'cancelling';
      backend.persist();
    },
    preview(request) {
      return { custom_id: request.id, body: request };
    },
  } as BatchProvider & { backend: FakeBatchBackend; pollIntervalMs: number };
}

function lastText(request: BatchRequest): string {
  const content = request.messages.at(-1)?.content ?? '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function answer(request: BatchRequest, failMarker: string): BatchResult {
  const text = lastText(request);
  if (text.includes(failMarker)) {
    return {
      id: request.id,
      status: 'failed',
      error: { category: 'invalid_request', message: 'The fake provider was asked to fail this request', statusCode: 400, retryable: false },
    };
  }
  const inputTokens = Math.ceil(text.length / 4);
  const output = `echo: ${text}`;
  const outputTokens = Math.ceil(output.length / 4);
  return {
    id: request.id,
    status: 'succeeded',
    text: output,
    finishReason: 'stop',
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    model: request.model ?? 'fake-model',
  };
}
