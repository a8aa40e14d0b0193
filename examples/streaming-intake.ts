// The streaming intake: calls start while the input is still being read, and a bad request fails
// alone as a result instead of refusing the whole job. For large inputs fed from a generator (a
// database cursor, a file being written) where a few bad rows should not hold up the rest.
//
//   node --import tsx examples/streaming-intake.ts
//
// Runs against the local provider emulator; set OPENAI_BASE_URL and OPENAI_API_KEY for a real server.
import { createBatchClient, emulated, memoryStore, type BatchRequest } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const emulator = process.env.OPENAI_BASE_URL ? undefined : await createMockProviderServer({ latency: 20 });
const baseURL = process.env.OPENAI_BASE_URL ?? `${emulator!.url}/v1`;
const started = performance.now();
let firstAnswerAfterMs: number | undefined;
const client = createBatchClient({
  provider: emulated({ call: openaiChat({ baseURL, apiKey: process.env.OPENAI_API_KEY ?? 'local' }), concurrency: 16 }),
  store: memoryStore(),
  // Hears each result as it is stored, while the input is still being read.
  onResult: (result) => {
    if (result.status === 'succeeded') firstAnswerAfterMs ??= Math.round(performance.now() - started);
  },
});

// A slow source: rows arrive over time, as from a cursor. Two of them are bad.
async function* rows(): AsyncGenerator<BatchRequest> {
  for (let index = 0; index < 200; index++) {
    if (index % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    if (index === 13) yield { id: 'row_13', model: 'gpt-5.4-mini', messages: 'not a list' } as unknown as BatchRequest;
    else if (index === 77) yield { id: 'row_77', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'hi' }], temprature: 0.2 } as BatchRequest;
    else yield { id: `row_${index}`, model: 'gpt-5.4-mini', maxTokens: 32, messages: [{ role: 'user', content: `Summarise row ${index} in five words.` }] };
  }
}

try {
  const summary = await client.run(rows(), { intake: 'streaming' });
  console.log(`status ${summary.status}: ${summary.counts.succeeded} succeeded, ${summary.counts.failed} failed of ${summary.counts.total}`);
  console.log(`the first answer came ${firstAnswerAfterMs} ms after the start; reading the input took over 200 ms`);
  for await (const result of client.results(summary.jobId, { only: ['failed'] })) {
    if (result.status === 'failed') console.log(`${result.id}: ${result.error.category}: ${result.error.message}`);
  }
} finally {
  await client.close();
  await emulator?.close();
}
