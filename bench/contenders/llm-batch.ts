/**
 * This library, through its public API: an emulated batch over the Chat Completions endpoint, with
 * every setting at its default except the concurrency.
 */
import { createBatchClient, emulated, memoryStore, type BatchRequest } from '../../dist/index.js';
import { openaiChat } from '../../dist/openai.js';
import type { Contender } from './contender.js';

export const llmBatch: Contender = (input) => runLlmBatch(input, true);

/** The same with `rateLimit: { adaptive: false }`: each item waits out its own 429s, no shared cooldown. */
export const llmBatchNotAdaptive: Contender = (input) => runLlmBatch(input, false);

async function runLlmBatch(input: Parameters<Contender>[0], adaptive: boolean): Promise<void> {
  const client = createBatchClient({
    provider: emulated({
      call: openaiChat({ baseURL: input.baseURL, apiKey: input.apiKey }),
      concurrency: input.concurrency,
      ...(adaptive ? {} : { rateLimit: { adaptive: false } }),
      onResult: (result) => {
        if (result.status === 'succeeded' || result.status === 'failed') {
          input.record({ ok: result.status === 'succeeded', latencyMs: result.latencyMs ?? Number.NaN });
        } else {
          input.record({ ok: false, latencyMs: Number.NaN });
        }
      },
    }),
    store: memoryStore(),
  });
  function* requests(): Generator<BatchRequest> {
    for (let index = 0; index < input.total; index += 1) {
      yield { id: `item_${index}`, model: input.model, maxTokens: input.maxTokens, messages: [{ role: 'user', content: input.prompt(index) }] };
    }
  }
  await client.run(requests());
  await client.close();
}
