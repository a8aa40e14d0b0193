/**
 * Build requests from a prompt template and a CSV file, with two named variants per row.
 *
 *   npx tsx examples/templates.ts
 *
 * Runs against the local provider emulator (no API key needed).
 */
import { buildRequestsFromTemplate, createBatchClient, emulated, memoryStore, readDataRows } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const rows = await readDataRows(new URL('./data/reviews.csv', import.meta.url).pathname);
const requests = await buildRequestsFromTemplate({
  template: {
    system: 'You summarise product reviews of a {{product}}.',
    variants: {
      short: 'In five words or fewer: {{review}}',
      detailed: 'Summarise this review and name the main complaint, if any: {{review}}',
    },
  },
  rows,
  model: 'gpt-5.4-mini',
  maxTokens: 120,
});
console.log(requests.map((request) => request.id).join(', ')); // r1_short, r1_detailed, r2_short, ...

const emulator = await createMockProviderServer();
const client = createBatchClient({
  provider: emulated({ call: openaiChat({ apiKey: 'emulator', baseURL: `${emulator.url}/v1` }) }),
  store: memoryStore(),
});
const summary = await client.run(requests);
for (const result of summary.results) {
  console.log(result.id, result.status === 'succeeded' ? result.text.slice(0, 60) : result.status);
}
await emulator.close();
