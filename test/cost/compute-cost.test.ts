import { describe, expect, it } from 'vitest';
import { computeCost, computeResultsCost } from '../../src/cost/compute-cost.js';
import type { BatchResult } from '../../src/models/batch-result.js';

describe('computeCost', () => {
  it('bills cached input at the cached price and the rest at the input price, halved in a native batch', () => {
    // gpt-5.4-mini: 10,000 input of which 8,000 cached, 1,000 output
    // sync: 2,000 × 0.75 + 8,000 × 0.075 + 1,000 × 4.5 = 1,500 + 600 + 4,500 = 6,600 µ$
    const usage = { inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 1_000, totalTokens: 11_000 };
    expect(computeCost(usage, { model: 'gpt-5.4-mini', mode: 'emulated' })).toBeCloseTo(0.0066, 12);
    expect(computeCost(usage, { model: 'gpt-5.4-mini', mode: 'native' })).toBeCloseTo(0.0033, 12);
  });

  it('bills Anthropic cache writes at the 5-minute write price and cache reads at a tenth', () => {
    // claude-sonnet-4-5: 1,000 uncached + 4,000 written + 5,000 read input, 500 output
    // 1,000 × 3 + 4,000 × 3.75 + 5,000 × 0.30 + 500 × 15 = 3,000 + 15,000 + 1,500 + 7,500 = 27,000 µ$
    const usage = { inputTokens: 10_000, cachedInputTokens: 5_000, cacheWriteTokens: 4_000, outputTokens: 500, totalTokens: 10_500 };
    expect(computeCost(usage, { model: 'claude-sonnet-4-5-20250929', mode: 'emulated' })).toBeCloseTo(0.027, 12);
    expect(computeCost(usage, { model: 'claude-sonnet-4-5', mode: 'native' })).toBeCloseTo(0.0135, 12);
  });

  it('prices reasoning tokens as the output tokens they are part of, not twice', () => {
    const usage = { inputTokens: 0, outputTokens: 1_000, reasoningTokens: 800, totalTokens: 1_000 };
    expect(computeCost(usage, { model: 'gpt-5.5', mode: 'emulated' })).toBeCloseTo(0.03, 12);
  });

  it('returns undefined, not zero, for a model without a price', () => {
    expect(computeCost({ inputTokens: 10, outputTokens: 10, totalTokens: 20 }, { model: 'gpt-5.4-pro', mode: 'native' })).toBeUndefined();
  });

  it('sums the results of several models and reports unknown ones', () => {
    const succeeded = (id: string, model: string, inputTokens: number, outputTokens: number): BatchResult => ({
      id,
      status: 'succeeded',
      text: '',
      finishReason: 'stop',
      model,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    });
    const known = computeResultsCost(
      [succeeded('a', 'gpt-5.4-nano-2026-03-17', 1_000_000, 0), succeeded('b', 'claude-haiku-4-5', 0, 1_000_000)],
      { mode: 'native' },
    );
    expect(known.costUsd).toBeCloseTo(0.1 + 2.5, 12);
    const unknown = computeResultsCost([succeeded('a', 'gpt-5.4-nano', 1_000_000, 0), succeeded('b', 'mystery', 10, 10)], { mode: 'native' });
    expect(unknown.costUsd).toBeUndefined();
    expect(unknown.knownCostUsd).toBeCloseTo(0.1, 12);
    expect(unknown.unknownModels).toEqual(['mystery']);
  });
});
