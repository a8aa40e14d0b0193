import { describe, expect, it } from 'vitest';
import { createBudgetTracker } from '../../src/cost/budget-tracker.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

// 400 characters -> 107 input tokens; 1,000 max output tokens on gpt-5.4-mini:
// one call's worst case is 107 × 0.75 + 1,000 × 4.5 = 4,580.25 µ$ at the sync price.
const worstCase = (107 * 0.75 + 1_000 * 4.5) / 1e6;
const request = (id: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', maxTokens: 1_000, messages: [{ role: 'user', content: 'x'.repeat(400) }] });
const oneCall = { inputTokens: 107, outputTokens: 1_000, totalTokens: 1_107 };

describe('createBudgetTracker with several calls per item', () => {
  it('adds up the bookings of one id and releases them all at settle', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 3 });
    expect(await budget.reserve(request('a'))).toBe(true);
    expect(await budget.reserve(request('a'))).toBe(true);
    expect(budget.reservedUsd).toBeCloseTo(worstCase * 2, 12);
    budget.settle(request('a'), { inputTokens: 214, outputTokens: 2_000, totalTokens: 2_214 });
    expect(budget.reservedUsd).toBe(0);
    expect(budget.spentUsd).toBeCloseTo(worstCase * 2, 12);
  });

  it('refuses a further call that does not fit when nothing else runs, instead of waiting for itself', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 1.5 });
    expect(await budget.reserve(request('a'))).toBe(true);
    expect(await budget.reserve(request('a'))).toBe(false);
    expect(budget.exhausted).toBe(true);
  });

  it('waits for another running item to settle before booking a further call', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 2.5 });
    await budget.reserve(request('a'));
    await budget.reserve(request('b'));
    const further = budget.reserve(request('a'));
    budget.settle(request('b'), { inputTokens: 10, outputTokens: 10, totalTokens: 20 });
    expect(await further).toBe(true);
  });

  it('never lets two loops wait for each other: the second to ask is refused and both stop', async () => {
    const budget = createBudgetTracker({ maxCostUsd: worstCase * 2.5 });
    await budget.reserve(request('a'));
    await budget.reserve(request('b'));
    const furtherA = budget.reserve(request('a'));
    const furtherB = budget.reserve(request('b'));
    expect(await furtherB).toBe(false);
    expect(await furtherA).toBe(false);
    budget.settle(request('a'), oneCall);
    budget.settle(request('b'), oneCall);
    expect(budget.spentUsd).toBeLessThanOrEqual(budget.maxCostUsd);
  });
});
