/**
 * A custom adapter written only against the public contract of `llm-batch`: a tiny "provider"
 * that keeps its batches in memory and answers after a short delay. Replace the bodies of
 * submit / poll / results / cancel with calls to your provider's API.
 *
 * Run: npx tsx examples/custom-adapter.ts
 */
import {
  createBatchClient,
  memoryStore,
  type BatchProvider,
  type BatchRequest,
  type BatchResult,
  type PollResult,
} from 'llm-batch';

interface EchoBatch {
  requests: BatchRequest[];
  readyAt: number;
  cancelled: boolean;
}

/** Shared by every adapter instance, as a real provider's server would be. */
const batches = new Map<string, EchoBatch>();

export function echoAdapter(options: { processingMs?: number } = {}): BatchProvider {
  const processingMs = options.processingMs ?? 20;
  return {
    name: 'echo',
    mode: 'native',
    limits: { maxRequests: 10_000, maxBytes: 50 * 1024 * 1024, oneModelPerPart: false },

    async submit(part) {
      const requests: BatchRequest[] = [];
      for await (const request of part.requests()) requests.push(request);
      const id = `echo_${part.partId}`;
      batches.set(id, { requests, readyAt: Date.now() + processingMs, cancelled: false });
      return { id };
    },

    async find(part) {
      const id = `echo_${part.partId}`;
      return batches.has(id) ? { id } : undefined;
    },

    async poll(reference): Promise<PollResult> {
      const batch = batches.get(String(reference.id));
      if (!batch) return { status: 'failed', error: 'unknown batch' };
      if (batch.cancelled) return { status: 'cancelled' };
      return Date.now() >= batch.readyAt ? { status: 'completed' } : { status: 'in_progress' };
    },

    async *results(reference): AsyncIterable<BatchResult> {
      const batch = batches.get(String(reference.id));
      if (!batch || batch.cancelled) return;
      for (const request of batch.requests) {
        const last = request.messages.at(-1)?.content;
        const text = typeof last === 'string' ? last : '';
        if (text.includes('[fail]')) {
          yield { id: request.id, status: 'failed', error: { category: 'invalid_request', message: 'asked to fail', retryable: false } };
          continue;
        }
        const inputTokens = Math.ceil(text.length / 4);
        yield {
          id: request.id,
          status: 'succeeded',
          text: text.toUpperCase(),
          finishReason: 'stop',
          usage: { inputTokens, outputTokens: inputTokens, totalTokens: 2 * inputTokens },
          model: request.model ?? 'echo-1',
        };
      }
    },

    async cancel(reference) {
      const batch = batches.get(String(reference.id));
      // A batch that already ended stays as it ended, with its results.
      if (batch && Date.now() < batch.readyAt) batch.cancelled = true;
    },
  };
}

async function main(): Promise<void> {
  const client = createBatchClient({ provider: echoAdapter(), store: memoryStore(), pollIntervalMs: 10 });
  const summary = await client.run(
    [
      { id: 'greeting', messages: [{ role: 'user', content: 'hello there' }] },
      { id: 'question', messages: [{ role: 'user', content: 'what is a batch?' }] },
    ],
    { model: 'echo-1' },
  );
  for (const result of summary.results) {
    console.log(result.id, result.status === 'succeeded' ? result.text : result.status);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
