/**
 * A custom adapter written only against the public contract of `llm-batch`: a tiny "provider"
 * that keeps its batches in memory and answers after a short delay. Replace the bodies of
 * submit / poll / results / cancel with calls to your provider's API. It also declares the
 * optional members it can honestly support (`pollIntervalMs`, `find`, `preview`, `measure`,
 * `countTokens`, `cleanup`); `runAdapterConformance` checks each one (custom-adapter.test.ts).
 * `waitForRun` and `journalsEachResultOnce` belong to adapters whose runs live in this process
 * (emulated mode), so this native-style adapter leaves them out.
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
  /** Batch metadata, as a real provider stores it: how `find` recognises the batch of a part. */
  metadata: Record<string, string>;
  requests: BatchRequest[];
  readyAt: number;
  cancelled: boolean;
}

/** Shared by every adapter instance, as a real provider's server would be. */
const batches = new Map<string, EchoBatch>();
let created = 0;

/** The body the echo provider receives for one request (one line of its batch input). */
function echoBody(request: BatchRequest): { custom_id: string; model: string | undefined; messages: BatchRequest['messages'] } {
  return { custom_id: request.id, model: request.model, messages: request.messages };
}

/** The text the echo provider reads: the last message only. */
function lastText(request: BatchRequest): string {
  const last = request.messages.at(-1)?.content;
  return typeof last === 'string' ? last : '';
}

/** The echo provider's tokenizer: a token per four characters of the text it reads. */
function echoTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function echoAdapter(options: { processingMs?: number } = {}): BatchProvider {
  const processingMs = options.processingMs ?? 20;
  return {
    name: 'echo',
    mode: 'native',
    limits: { maxRequests: 10_000, maxBytes: 50 * 1024 * 1024, oneModelPerPart: false },
    // Optional: how often the client polls by default (its own and wait's pollIntervalMs win).
    // A batch is ready after `processingMs`, so a few polls per batch are enough.
    pollIntervalMs: Math.max(1, Math.round(processingMs / 4)),

    async submit(part) {
      const requests: BatchRequest[] = [];
      for await (const request of part.requests()) requests.push(request);
      // The provider picks the id; the part's id goes into the batch metadata, for `find`.
      const id = `echo_${++created}`;
      batches.set(id, {
        metadata: { ...part.metadata, llm_batch_part: part.partId },
        requests,
        readyAt: Date.now() + processingMs,
        cancelled: false,
      });
      return { id };
    },

    // Optional: after a crash between creating the batch and storing its id, the client asks for
    // the batch of the part before it submits again, so the batch is not created (and paid) twice.
    async find(part) {
      for (const [id, batch] of batches) if (batch.metadata['llm_batch_part'] === part.partId) return { id };
      return undefined;
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
        const text = lastText(request);
        if (text.includes('[fail]')) {
          yield { id: request.id, status: 'failed', error: { category: 'invalid_request', message: 'asked to fail', retryable: false } };
          continue;
        }
        const inputTokens = echoTokens(text);
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

    // Optional: what dry runs show for a request, the body the provider receives. No network.
    preview: (request) => echoBody(request),

    // Optional: the bytes one request takes in the provider's input, so that the planner splits a
    // job by the provider's real size limit (`limits.maxBytes`).
    measure: (request) => Buffer.byteLength(`${JSON.stringify(echoBody(request))}\n`),

    // Optional: exact input tokens from the provider's own tokenizer, for estimates and budgets.
    // It must not call the network; the echo provider counts the last message, as it bills.
    countTokens: (request) => echoTokens(lastText(request)),

    // Optional: called once a part's results are stored. A real provider deletes its input and
    // output files here; the echo provider forgets the batch. It may be called again for the same
    // batch (after a crash), so a batch already gone is not an error.
    async cleanup(reference) {
      batches.delete(String(reference.id));
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
