import { describe, expect, it } from 'vitest';
import { createBudgetTracker } from '../../src/cost/budget-tracker.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

// 400 characters -> 107 input tokens (see count-tokens); 1,000 max output tokens on gpt-5.4-mini:
// worst case 107 × 0.75 + 1,000 × 4.5 = 4,580.25 µ$ at the sync price.
const worstCase = (107 * 0.75 + 1_000 * 4.5) / 1e6;
const request = (id: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', maxTokens: 1_000, messages: [{ role: 'user', content: 'x'.repeat(400) }] });

describe('createBudgetTracker', () => {
  it('reserves each item worst case and refuses the one that does not fit', () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 2.5 });
    expect(budget.reserve(request('a'))).toBe(true);
    expect(budget.reserve(request('b'))).toBe(true);
    expect(budget.reservedUsd).toBeCloseTo(worstCase * 2, 12);
    expect(budget.reserve(request('c'))).toBe(false);
    expect(budget.exhausted).toBe(true);
  });

  it('settles with the real usage, freeing the rest of the reservation', () => {
    const budget = createBudgetTracker({ maxCostUsd: 1 });
    budget.reserve(request('a'));
    budget.settle(request('a'), { inputTokens: 100, outputTokens: 200, totalTokens: 300 });
    expect(budget.reservedUsd).toBe(0);
    expect(budget.spentUsd).toBeCloseTo((100 * 0.75 + 200 * 4.5) / 1e6, 12);
  });

  it('refuses everything after the first refusal, so the run stops cleanly', () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 1.5 });
    expect(budget.reserve(request('a'))).toBe(true);
    expect(budget.reserve(request('b'))).toBe(false);
    budget.settle(request('a'), { inputTokens: 1, outputTokens: 1, totalTokens: 2 });
    expect(budget.reserve(request('c'))).toBe(false);
  });

  it('refuses a request whose model has no price', () => {
    const budget = createBudgetTracker({ maxCostUsd: 100 });
    expect(budget.reserve({ ...request('a'), model: 'mystery' })).toBe(false);
  });

  it('rejects a negative budget naming the option', () => {
    expect(() => createBudgetTracker({ maxCostUsd: -1 })).toThrow(/"maxCostUsd".*-1/);
  });
});
