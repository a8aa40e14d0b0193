import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/cost/estimate-cost.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

const requests: BatchRequest[] = [
  { id: 'a', model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Question one' }], maxTokens: 10 },
  { id: 'b', model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Question two' }], maxTokens: 10 },
];

describe('estimateCost with cached tokens', () => {
  it('adds the tokens each request reads from a cache to its input and prices them at the cached rate', async () => {
    const plain = await estimateCost(requests, { mode: 'emulated', exactTokens: false, expectedOutputRatio: 0 });
    const cached = await estimateCost(requests, { mode: 'emulated', exactTokens: false, expectedOutputRatio: 0, countCachedTokens: () => 1_000_000 });
    expect(cached.inputTokens).toBe(plain.inputTokens + 2_000_000);
    expect(cached.cachedInputTokens).toBe(2_000_000);
    expect(cached.perModel[0]?.cachedInputTokens).toBe(2_000_000);
    // gemini-2.5-flash: cached input $0.03 and input $0.30 per 1M tokens.
    expect(cached.syncCostUsd - plain.syncCostUsd).toBeCloseTo(0.06, 10);
    expect(cached.cacheSavingsUsd).toBeCloseTo(0.54, 10);
  });

  it('applies the batch discount to the saving of a native job, and reports nothing without a cache', async () => {
    const native = await estimateCost(requests, { exactTokens: false, expectedOutputRatio: 0, countCachedTokens: () => 1_000_000 });
    expect(native.cacheSavingsUsd).toBeCloseTo(0.27, 10);
    const plain = await estimateCost(requests, { exactTokens: false });
    expect(plain.cachedInputTokens).toBeUndefined();
    expect(plain.cacheSavingsUsd).toBeUndefined();
  });
});
