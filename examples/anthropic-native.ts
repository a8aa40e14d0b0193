/**
 * Anthropic Message Batches (50% cheaper than the Messages API; results usually within the hour).
 *
 *   ANTHROPIC_API_KEY=... npx tsx examples/anthropic-native.ts
 *
 * Without ANTHROPIC_API_KEY it runs against the local provider emulator, so it works offline.
 */
import { createBatchClient, memoryStore, type BatchRequest } from 'llm-batch';
import { anthropicBatch } from 'llm-batch/anthropic';
import { createMockProviderServer } from 'llm-batch/testing';

const apiKey = process.env['ANTHROPIC_API_KEY'];
const emulator = apiKey ? undefined : await createMockProviderServer({ batch: { processingMs: 200 } });
if (emulator) console.error(`No ANTHROPIC_API_KEY: using the local emulator at ${emulator.url}`);

const provider = anthropicBatch({
  ...(emulator ? { apiKey: 'emulator', baseURL: emulator.url } : {}),
  // Anthropic requires max_tokens; requests without maxTokens get this (and a job warning).
  defaultMaxTokens: 512,
  // Anthropic keeps results for 29 days; delete the batch once they are stored locally.
  deleteAfterResults: true,
  pollIntervalMs: emulator ? 50 : 30_000,
});

const client = createBatchClient({ provider, store: memoryStore() });

const reviews = ['Great battery life.', 'Broke after two days.', 'Does the job, nothing more.'];
const requests: BatchRequest[] = reviews.map((review, index) => ({
  id: `review_${index}`,
  system: 'Classify the sentiment of the review.',
  messages: [{ role: 'user', content: review }],
  maxTokens: 100,
  responseFormat: {
    type: 'json_schema',
    schema: {
      type: 'object',
      properties: { sentiment: { type: 'string', enum: ['positive', 'negative', 'neutral'] } },
      required: ['sentiment'],
      additionalProperties: false,
    },
  },
}));

try {
  const summary = await client.run(requests, {
    model: 'claude-haiku-4-5',
    onProgress: (job) => console.error(`${job.status}: ${job.counts.succeeded + job.counts.failed}/${job.counts.total}`),
  });
  for (const result of summary.results) {
    console.log(result.id, result.status === 'succeeded' ? result.text : `${result.status}: ${result.error?.message ?? ''}`);
  }
  console.log(`Tokens in/out: ${summary.usage.inputTokens}/${summary.usage.outputTokens}`);
} finally {
  await client.close();
  await emulator?.close();
}
