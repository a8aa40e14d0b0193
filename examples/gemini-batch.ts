/**
 * Gemini Batch Mode (half price, results within 24 hours), with a context cache: a long shared
 * document is stored once and every request reads it at the cached rate.
 *
 *   GEMINI_API_KEY=... npx tsx examples/gemini-batch.ts
 *
 * Without GEMINI_API_KEY (or GOOGLE_API_KEY) it runs against the local provider emulator, offline.
 */
import { createBatchClient, memoryStore, type BatchRequest } from 'llm-batch';
import { geminiBatch } from 'llm-batch/gemini';
import { createMockProviderServer } from 'llm-batch/testing';

const apiKey = process.env['GEMINI_API_KEY'] ?? process.env['GOOGLE_API_KEY'];
const emulator = apiKey ? undefined : await createMockProviderServer({ batch: { processingMs: 200 } });
if (emulator) console.error(`No GEMINI_API_KEY: using the local emulator at ${emulator.url}`);

// Gemini caches need a large prefix (at least about 1,000 to 4,000 tokens, depending on the model).
const handbook = Array.from({ length: 400 }, (_, index) => `Policy ${index + 1}: refunds within 30 days need a receipt; exchanges within 60 days.`).join('\n');

const provider = geminiBatch({
  ...(emulator ? { apiKey: 'emulator', baseURL: emulator.url } : {}),
  // Created once for the job, referenced by every request, deleted when the job is done.
  cache: { systemInstruction: 'Answer from the handbook only, in one sentence.', contents: handbook, ttl: 3600 },
  pollIntervalMs: emulator ? 50 : 60_000,
});
const client = createBatchClient({ provider, store: memoryStore() });

const questions = ['Can I return shoes after 45 days?', 'Do I need a receipt for a refund?', 'How long do exchanges take?'];
const requests: BatchRequest[] = questions.map((question, index) => ({
  id: `question_${index}`,
  messages: [{ role: 'user', content: question }],
  maxTokens: 100,
}));

try {
  const summary = await client.run(requests, {
    model: 'gemini-2.5-flash',
    onProgress: (job) => console.error(`${job.status}: ${job.counts.succeeded + job.counts.failed}/${job.counts.total}`),
  });
  for (const result of summary.results) {
    console.log(result.id, result.status === 'succeeded' ? result.text : `${result.status}: ${result.error?.message ?? ''}`);
  }
  const { inputTokens, cachedInputTokens = 0, outputTokens } = summary.usage;
  console.log(`Tokens in/out: ${inputTokens}/${outputTokens}, of which read from the cache: ${cachedInputTokens}`);
  // Cached tokens are priced at the cached rate (a tenth of the input price), at the batch discount.
  if (summary.costUsd !== undefined) console.log(`Cost: $${summary.costUsd.toFixed(6)}`);
} finally {
  await client.close();
  await emulator?.close();
}
