/**
 * Estimate a job's cost before sending anything, then run it under a budget.
 *
 *   npx tsx examples/estimate-and-budget.ts
 *
 * Runs against the local provider emulator (no API key needed).
 */
import { BudgetExceededError, createBatchClient, emulated, memoryStore, type BatchRequest } from 'llm-batch';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const emulator = await createMockProviderServer({ batch: { processingMs: 100 } });
const connection = { apiKey: 'emulator', baseURL: `${emulator.url}/v1` };

const requests: BatchRequest[] = Array.from({ length: 20 }, (_, index) => ({
  id: `q${index}`,
  model: 'gpt-5.4-mini',
  maxTokens: 400,
  messages: [{ role: 'user', content: `Write a haiku about the number ${index}.` }],
}));

// 1. The estimate: no network call. Native batches cost half of the sync price.
const native = createBatchClient({ provider: openaiBatch({ ...connection, pollIntervalMs: 50 }), store: memoryStore() });
const estimate = await native.estimate(requests);
console.log(`Estimate: $${estimate.costUsd.toFixed(5)} in a batch, $${estimate.syncCostUsd.toFixed(5)} sync (saves ${Math.round(estimate.savingsRatio * 100)}%), prices as of ${estimate.pricingAsOf}`);

// 2. A dry run shows the lines that would be uploaded, and sends nothing.
const dryRun = await native.submit(requests, { dryRun: true });
console.log(`Dry run: ${dryRun.requestCount} requests in ${dryRun.parts.length} part(s); first line:`, JSON.stringify(dryRun.preview[0]));

// 3. A native job whose estimate passes the budget is refused before any network call.
try {
  await native.submit(requests, { maxCostUsd: estimate.costUsd / 2 });
} catch (error) {
  if (BudgetExceededError.isInstance(error)) console.log(`Refused: ${error.message}`);
  else throw error;
}

// 4. Emulated: each item's worst case is reserved before its call; the run stops once the budget is spent.
const emulatedClient = createBatchClient({
  provider: emulated({ call: openaiChat(connection), concurrency: 4 }),
  store: memoryStore(),
});
const summary = await emulatedClient.run(requests, { maxCostUsd: 0.003 });
const stopped = summary.results.filter((result) => result.status === 'cancelled' && result.error?.category === 'budget');
console.log(`Emulated under $0.003: ${summary.counts.succeeded} done, ${stopped.length} not started (budget), spent $${summary.costUsd?.toFixed(5)}`);

await emulator.close();
