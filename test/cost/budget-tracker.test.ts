import { describe, expect, it } from 'vitest';
import { createBudgetTracker } from '../../src/cost/budget-tracker.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

// 400 characters -> 107 input tokens (see count-tokens); 1,000 max output tokens on gpt-5.4-mini:
// worst case 107 × 0.75 + 1,000 × 4.5 = 4,580.25 µ$ at the sync price.
const worstCase = (107 * 0.75 + 1_000 * 4.5) / 1e6;
const request = (id: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', maxTokens: 1_000, messages: [{ role: 'user', content: 'x'.repeat(400) }] });

describe('createBudgetTracker', () => {
  it('reserves each item worst case and refuses the one that does not fit once nothing runs', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 2.5 });
    expect(await budget.reserve(request('a'))).toBe(true);
    expect(await budget.reserve(request('b'))).toBe(true);
    expect(budget.reservedUsd).toBeCloseTo(worstCase * 2, 12);
    const third = budget.reserve(request('c'));
    // Full usage: the running items really cost their worst case, so the third never fits.
    const full = { inputTokens: 107, outputTokens: 1_000, totalTokens: 1_107 };
    budget.settle(request('a'), full);
    budget.settle(request('b'), full);
    expect(await third).toBe(false);
    expect(budget.exhausted).toBe(true);
  });

  it('lets a waiting item in when the running ones settle below their worst case', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 1.5 });
    expect(await budget.reserve(request('a'))).toBe(true);
    let settled = false;
    const second = budget.reserve(request('b')).then((fits) => {
      settled = true;
      return fits;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    budget.settle(request('a'), { inputTokens: 10, outputTokens: 10, totalTokens: 20 });
    expect(await second).toBe(true);
  });

  it('settles with the real usage, freeing the rest of the reservation', async () => {
    const budget = createBudgetTracker({ maxCostUsd: 1 });
    await budget.reserve(request('a'));
    budget.settle(request('a'), { inputTokens: 100, outputTokens: 200, totalTokens: 300 });
    expect(budget.reservedUsd).toBe(0);
    expect(budget.spentUsd).toBeCloseTo((100 * 0.75 + 200 * 4.5) / 1e6, 12);
  });

  it('refuses everything after the first refusal, so the run stops cleanly', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 0.5 });
    expect(await budget.reserve(request('a'))).toBe(false);
    expect(await createBudgetTracker({ maxCostUsd: 1 }).reserve(request('x'))).toBe(true);
    expect(await budget.reserve({ ...request('c'), maxTokens: 1 })).toBe(false);
  });

  it('refuses a request whose model has no price', async () => {
    const budget = createBudgetTracker({ maxCostUsd: 100 });
    expect(await budget.reserve({ ...request('a'), model: 'mystery' })).toBe(false);
  });

  it('rejects a negative budget naming the option', () => {
    expect(() => createBudgetTracker({ maxCostUsd: -1 })).toThrow(/"maxCostUsd".*-1/);
  });
});
