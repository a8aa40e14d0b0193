import { describe, expect, it } from 'vitest';
import { approximateRequestTokens } from '../../src/cost/count-tokens.js';
import { estimateCost } from '../../src/cost/estimate-cost.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

// 400 characters -> 100 text tokens; + 4 per message + 3 for the reply = 107 input tokens.
const prompt = 'x'.repeat(400);
function request(id: string, model: string | undefined, maxTokens?: number): BatchRequest {
  return {
    id,
    ...(model === undefined ? {} : { model }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    messages: [{ role: 'user', content: prompt }],
  };
}

describe('estimateCost', () => {
  it('counts input tokens as characters / 4 plus the per-message and reply overheads', () => {
    expect(approximateRequestTokens(request('a', 'gpt-5.4-mini'))).toBe(107);
    expect(approximateRequestTokens({ id: 'b', system: 'abcd', messages: [{ role: 'user', content: 'abcdefgh' }] })).toBe(3 + (4 + 1) + (4 + 2));
  });

  it('prices a gpt-5.4-mini job at the batch price and the sync price (hand-computed)', async () => {
    const requests = Array.from({ length: 10 }, (_, index) => request(`r${index}`, 'gpt-5.4-mini', 200));
    const estimate = await estimateCost(requests, { mode: 'native', exactTokens: false });
    // input 10 × 107 = 1,070; output max 10 × 200 = 2,000; expected 0.5 × 2,000 = 1,000
    expect(estimate.inputTokens).toBe(1_070);
    expect(estimate.outputTokensMax).toBe(2_000);
    expect(estimate.outputTokensExpected).toBe(1_000);
    // sync: 1,070 × $0.75/M + 1,000 × $4.50/M = $0.0008025 + $0.0045 = $0.0053025; batch half of it
    expect(estimate.syncCostUsd).toBeCloseTo(0.0053025, 12);
    expect(estimate.costUsd).toBeCloseTo(0.00265125, 12);
    expect(estimate.savingsUsd).toBeCloseTo(0.00265125, 12);
    expect(estimate.savingsRatio).toBeCloseTo(0.5, 12);
    expect(estimate.pricingAsOf).toBe('2026-09-20');
  });

  it('sums several models, each at its own price, and charges the sync price in emulated mode', async () => {
    const requests = [
      request('a', 'claude-sonnet-4-5-20250929', 1_000),
      request('b', 'claude-sonnet-4-5-20250929', 1_000),
      request('c', 'gpt-5.4', 100),
    ];
    const estimate = await estimateCost(requests, { mode: 'emulated', expectedOutputRatio: 1, exactTokens: false });
    // claude-sonnet-4-5 ($3 / $15): 214 × 3 + 2,000 × 15 = 642 + 30,000 = 30,642 µ$ = $0.030642
    // gpt-5.4 ($2.50 / $15): 107 × 2.5 + 100 × 15 = 267.5 + 1,500 = 1,767.5 µ$ = $0.0017675
    const sonnet = estimate.perModel.find((entry) => entry.model === 'claude-sonnet-4-5-20250929');
    const gpt = estimate.perModel.find((entry) => entry.model === 'gpt-5.4');
    expect(sonnet).toMatchObject({ requests: 2, inputTokens: 214, outputTokensMax: 2_000, outputTokensExpected: 2_000 });
    expect(sonnet?.syncCostUsd).toBeCloseTo(0.030642, 12);
    expect(gpt?.syncCostUsd).toBeCloseTo(0.0017675, 12);
    expect(estimate.costUsd).toBeCloseTo(0.0324095, 12);
    expect(estimate.syncCostUsd).toBeCloseTo(0.0324095, 12);
    expect(estimate.savingsUsd).toBeCloseTo(0, 12);
  });

  it('assumes 1,024 output tokens for a request without maxTokens and uses the default model', async () => {
    const estimate = await estimateCost([request('a', undefined)], { defaultModel: 'claude-haiku-4-5', exactTokens: false });
    expect(estimate.outputTokensMax).toBe(1_024);
    expect(estimate.outputTokensExpected).toBe(512);
    // batch: (107 × $1 + 512 × $5) / 1M / 2 = (107 + 2,560) / 2 µ$ = $0.0013335
    expect(estimate.costUsd).toBeCloseTo(0.0013335, 12);
  });

  it('lists an unknown model with a warning instead of pricing it at zero', async () => {
    const warnings: string[] = [];
    const estimate = await estimateCost([request('a', 'my-local-llama', 100), request('b', 'gpt-5.4-nano', 100)], {
      exactTokens: false,
      onWarning: (message) => warnings.push(message),
    });
    expect(estimate.unknownModels).toEqual(['my-local-llama']);
    expect(estimate.perModel.find((entry) => entry.model === 'my-local-llama')?.costUsd).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('No price for model "my-local-llama"')]);
    // Only the known model is summed: (107 × 0.20 + 50 × 1.25) / 1M / 2
    expect(estimate.costUsd).toBeCloseTo((107 * 0.2 + 50 * 1.25) / 1e6 / 2, 12);
  });

  it('rejects an expected output ratio outside 0..1 naming the option', async () => {
    await expect(estimateCost([], { expectedOutputRatio: 2 })).rejects.toThrow(/"expectedOutputRatio".*2/);
  });
});
