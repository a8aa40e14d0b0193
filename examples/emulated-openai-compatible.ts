// Runs a batch through any OpenAI-compatible server (vLLM, Ollama, Groq, LM Studio ...) by base URL,
// with the emulated adapter: bounded concurrency, adaptive rate limits, retries and a journal that
// survives a crash (`resume`).
//
//   OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_API_KEY=ollama MODEL=llama3.2 \
//     node --import tsx examples/emulated-openai-compatible.ts
//
// Without OPENAI_BASE_URL it starts the local provider emulator and runs against that.
import { createBatchClient, emulated, metricsObserver } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const emulator = process.env.OPENAI_BASE_URL ? undefined : await createMockProviderServer({ latency: { p50: 50, p99: 300 } });
const baseURL = process.env.OPENAI_BASE_URL ?? `${emulator!.url}/v1`;
const metrics = metricsObserver();

const client = createBatchClient({
  provider: emulated({
    call: openaiChat({ baseURL, apiKey: process.env.OPENAI_API_KEY ?? 'local' }),
    concurrency: 8,
    rateLimit: { requestsPerMinute: 600 },
    timeoutMs: 30_000,
    observers: [metrics],
    onProgress: ({ done, total, ratePerSecond }) => {
      process.stderr.write(`\r${done}/${total ?? '?'} (${ratePerSecond.toFixed(1)}/s)`);
    },
  }),
});

const questions = ['What is a token bucket?', 'Explain AIMD in one sentence.', 'What does HTTP 429 mean?'];
const summary = await client.run(
  questions.map((question, index) => ({ id: `q${index}`, messages: [{ role: 'user' as const, content: question }], maxTokens: 200 })),
  { model: process.env.MODEL ?? 'gpt-5.4-mini' },
);

process.stderr.write('\n');
for (const result of summary.results) {
  console.log(result.id, result.status === 'succeeded' ? result.text : `${result.status}: ${result.error?.message}`);
}
console.log(`succeeded ${summary.counts.succeeded}, failed ${summary.counts.failed}`);
console.log(metrics.toPrometheus().split('\n').filter((line) => line.startsWith('llm_batch_items_total')).join('\n'));
await emulator?.close();
