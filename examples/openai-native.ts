/**
 * A native OpenAI batch job: 50% cheaper than synchronous calls, results within 24 hours.
 *
 * Run against OpenAI:         OPENAI_API_KEY=sk-... npx tsx examples/openai-native.ts
 * Run against the emulator:   npx tsx examples/openai-native.ts   (no key: starts the local emulator)
 */
import { createBatchClient, memoryStore } from 'llm-batch';
import { openaiBatch } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const emulator = process.env['OPENAI_API_KEY'] ? undefined : await createMockProviderServer({ batch: { validatingMs: 50, processingMs: 200 } });

const client = createBatchClient({
  provider: openaiBatch(emulator ? { apiKey: 'sk-local', baseURL: `${emulator.url}/v1`, pollIntervalMs: 100 } : {}),
  store: memoryStore(),
});

const questions = ['What is the capital of France?', 'Name a prime number above 100.', 'Translate "thank you" into Japanese.'];
const summary = await client.run(
  questions.map((question, index) => ({ id: `q${index}`, maxTokens: 100, messages: [{ role: 'user' as const, content: question }] })),
  { model: 'gpt-4.1-mini', metadata: { example: 'openai-native' } },
);

console.log(`Status: ${summary.status} | succeeded ${summary.counts.succeeded} of ${summary.counts.total}`);
for (const result of summary.results) {
  console.log(result.id, result.status === 'succeeded' ? result.text : `${result.status}: ${result.error?.message ?? ''}`);
}
await emulator?.close();
