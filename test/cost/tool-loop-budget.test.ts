import { afterEach, describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../src/adapters/anthropic/anthropic-messages-strategy.js';
import { emulated } from '../../src/adapters/emulated/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { computeCost } from '../../src/cost/compute-cost.js';
import { defaultPricing } from '../../src/cost/pricing-table.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

// The Anthropic strategy under maxCostUsd, with a two-step tool loop: the model calls a local tool
// once, then answers. No request sets maxTokens, so every call goes out with max_tokens 4,096, and
// the emulator reports 4,000 output tokens for each of the two calls of an item.
//
// Prices (claude-haiku-4-5, shipped table, synchronous): $1/M input, $5/M output.
//   one call as billed:        300 in + 4,000 out           = $0.0203
//   one call's worst case:     ~360 in + 4,096 out           ≈ $0.0208 (what is sent)
//   the old reservation:       ~310 in + 1,024 out           ≈ $0.0054 (once per item)
// With a budget of $0.07 the old behaviour admitted item_1 (spent $0.0406 + $0.0054 fits) and
// both of its calls went out: $0.0812 spent, past the budget. Each half of the fix is needed:
// booking 4,096 once per item still admits item_1 ($0.0406 + $0.0208 fits) and its second call;
// booking 1,024 before every call still admits item_1's second call ($0.0406 + 2 × $0.0054 fits).
// Booking 4,096 before every call refuses item_1's second call ($0.0406 + 2 × $0.0208 > $0.07).
const model = 'claude-haiku-4-5';
const billedPerCall = { inputTokens: 300, outputTokens: 4_000 };
const budgetUsd = 0.07;

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The emulator asks for the tool until a tool result is in the conversation, then answers. */
async function startEmulator(): Promise<MockProviderServer> {
  return createMockProviderServer({
    respond: (request) => {
      const messages = request.body.messages as { role: string; content: unknown }[];
      const hasToolResult = messages.some(
        (message) => Array.isArray(message.content) && message.content.some((block: { type?: string }) => block.type === 'tool_result'),
      );
      if (hasToolResult) return { text: 'Sunny in Oslo.', usage: billedPerCall };
      return { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }], usage: billedPerCall };
    },
  });
}

// 1,200 characters of prompt: the approximate input count (≥ 300 tokens) bounds the 300 billed.
const requests = (count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `item_${index}`,
    model,
    messages: [{ role: 'user', content: `Weather in Oslo? (${index}) `.padEnd(1_200, '.') }],
  }));

async function runUnderBudget(emulator: MockProviderServer, concurrency: number, count: number) {
  let toolRuns = 0;
  const provider = emulated({
    call: anthropicMessages({ apiKey: 'test-key', baseURL: emulator.url }),
    concurrency,
    tools: {
      weather: {
        description: 'Current weather of a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        execute: () => {
          toolRuns += 1;
          return 'sunny';
        },
      },
    },
  });
  const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 5 });
  const summary = await client.run(requests(count), { maxCostUsd: budgetUsd, model });
  return { summary, toolRuns };
}

/** What the emulator billed: its answered Messages calls, each at the usage it reported. */
function emulatorSpendUsd(emulator: MockProviderServer): { calls: number; costUsd: number } {
  const calls = emulator.journal.filter((entry) => entry.endpoint === 'messages' && entry.status === 200).length;
  const perCall = computeCost({ ...billedPerCall, totalTokens: 4_300 }, { model, mode: 'emulated', pricing: defaultPricing }) ?? NaN;
  return { calls, costUsd: calls * perCall };
}

/** The same spend counted over the results: every result that carries usage, priced alike. */
function resultsSpendUsd(results: readonly BatchResult[]): number {
  let total = 0;
  for (const result of results) {
    if ((result.status === 'succeeded' || result.status === 'failed') && result.usage !== undefined) {
      total += computeCost(result.usage, { model, mode: 'emulated', pricing: defaultPricing }) ?? NaN;
    }
  }
  return total;
}

describe('maxCostUsd with the Anthropic strategy and a tool loop (emulator)', () => {
  it('books every call of the loop at the max_tokens really sent and never spends past the budget', async () => {
    server = await startEmulator();
    const { summary, toolRuns } = await runUnderBudget(server, 1, 3);
    const spent = emulatorSpendUsd(server);

    expect(spent.costUsd).toBeLessThanOrEqual(budgetUsd);
    // item_0 ran its whole loop; item_1's first call fitted, its second did not; item_2 never started.
    expect(spent.calls).toBe(3);
    expect(toolRuns).toBe(2);
    const byId = new Map(summary.results.map((result) => [result.id, result]));
    expect(byId.get('item_0')).toMatchObject({ status: 'succeeded', text: 'Sunny in Oslo.', usage: { inputTokens: 600, outputTokens: 8_000 } });
    expect(byId.get('item_1')).toMatchObject({
      status: 'failed',
      error: { category: 'budget', message: expect.stringMatching(/tool loop stopped after 1 call/) },
      usage: { inputTokens: 300, outputTokens: 4_000 },
    });
    expect(byId.get('item_2')).toMatchObject({ status: 'cancelled', error: { category: 'budget' } });
    // The results account for every call the emulator billed, and the job's cost says the same.
    expect(resultsSpendUsd(summary.results)).toBeCloseTo(spent.costUsd, 12);
    expect(summary.costUsd).toBeCloseTo(spent.costUsd, 12);
  });

  it('stays within the budget when several loops run at once, and ends', async () => {
    server = await startEmulator();
    const { summary } = await runUnderBudget(server, 4, 6);
    const spent = emulatorSpendUsd(server);
    expect(spent.costUsd).toBeLessThanOrEqual(budgetUsd);
    expect(spent.calls).toBeGreaterThan(0);
    expect(resultsSpendUsd(summary.results)).toBeCloseTo(spent.costUsd, 12);
    expect(summary.results).toHaveLength(6);
  });
});
