/**
 * The everyday API on the local emulator, no key needed: batchComplete over plain prompts, client
 * defaults, per-item metadata on the results, one synchronous call with complete(), a job's
 * priority, and costs shown in euros.
 *
 *   npx tsx examples/everyday-api.ts
 *
 */
import { batchComplete, createBatchClient, formatCost, memoryStore } from 'llm-batch';
import { createMockProviderServer } from 'llm-batch/testing';

const server = await createMockProviderServer({ batch: { validatingMs: 10, processingMs: 50, finalizingMs: 10 } });
const connection = { apiKey: 'mock-key', baseURL: `${server.url}/v1` };

try {
  // One line: plain prompts in, texts out in input order; a failure would be a value, not a throw.
  const answers = await batchComplete(['Capital of France?', { prompt: 'Capital of Japan?', system: 'One word.' }], {
    provider: 'openai',
    mode: 'emulated',
    ...connection,
    model: 'gpt-5.4-mini',
    store: memoryStore(),
  });
  for (const answer of answers) console.log('batchComplete:', typeof answer === 'string' ? answer : `failed (${answer.error.category})`);

  // A reusable client: defaults for every request, display currency, and await using to close it.
  await using client = createBatchClient({
    provider: 'openai',
    ...connection,
    store: memoryStore(),
    pollIntervalMs: 20,
    defaults: { model: 'gpt-5.4-mini', system: 'Answer briefly.', maxTokens: 64 },
    currency: { code: 'EUR', perUsd: 0.92 },
  });

  const tickets = [
    { id: 'T-1001', text: 'The invoice total is wrong.' },
    { id: 'T-1002', text: 'I cannot log in since Monday.' },
  ];
  const requests = tickets.map((ticket) => ({ prompt: `Classify: ${ticket.text}`, metadata: { ticketId: ticket.id } }));

  const estimate = await client.estimate(requests);
  console.log(`estimate: ${formatCost(estimate.costUsd)} = ${formatCost(estimate.costUsd, { code: 'EUR', perUsd: 0.92 })} (converted: ${estimate.converted?.currency})`);

  // Native batch (half price); the priority is stored and sent as the batch's metadata.
  const summary = await client.run(requests, { priority: 'high' });
  const job = await client.status(summary.jobId);
  console.log(`job ${job.id}: ${job.status}, priority ${job.priority}, cost ${summary.converted ? formatCost(summary.costUsd ?? 0, { code: 'EUR', perUsd: 0.92 }) : 'unknown'}`);
  for (const result of summary.results) {
    // The metadata given with each request comes back on its result: join it to your own records.
    console.log(`  ${String(result.metadata?.['ticketId'])}: ${result.status === 'succeeded' ? result.text.slice(0, 60) : result.status}`);
  }

  // One request now, through the same provider's synchronous API, retries and classifier.
  const now = await client.complete('Say hello');
  console.log('complete:', now.status === 'succeeded' ? now.text.slice(0, 60) : now.status);
} finally {
  await server.close();
}
