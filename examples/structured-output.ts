/**
 * Structured output: every answer is parsed and validated against a zod schema; `output` is typed.
 *
 *   npx tsx examples/structured-output.ts
 *
 * Runs against the local provider emulator (no API key needed), which answers with JSON that fits the schema.
 */
import { createBatchClient, memoryStore } from 'llm-batch';
import { openaiBatch } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';
import { z } from 'zod';

const emulator = await createMockProviderServer({ batch: { processingMs: 100 } });
const client = createBatchClient({
  provider: openaiBatch({ apiKey: 'emulator', baseURL: `${emulator.url}/v1`, pollIntervalMs: 50 }),
  store: memoryStore(),
});

const Sentiment = z.object({
  label: z.enum(['positive', 'negative', 'mixed']),
  confidence: z.number(),
  reasons: z.array(z.string()),
});

const reviews = ['Great battery life.', 'Broke after two days.', 'Nice screen, awful speakers.'];
const summary = await client.run(
  reviews.map((review, index) => ({
    id: `review_${index}`,
    model: 'gpt-5.4-mini',
    maxTokens: 200,
    messages: [{ role: 'user' as const, content: `Classify the sentiment of this review: ${review}` }],
  })),
  { schema: Sentiment, schemaName: 'sentiment' },
);

for (const result of summary.results) {
  if (result.status === 'succeeded') {
    // `output` is { label: 'positive' | 'negative' | 'mixed'; confidence: number; reasons: string[] } | undefined
    console.log(result.id, result.output?.label, result.output?.confidence);
  } else if (result.status === 'failed' && result.error.category === 'validation') {
    // The model answered, but not in the schema: retryable, `client.retry(jobId)` resubmits only these.
    console.log(result.id, 'invalid answer:', result.error.message);
  }
}
await emulator.close();
