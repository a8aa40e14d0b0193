import { describe, expect, test } from 'vitest';
import type { BatchJob } from '../../src/models/batch-job.js';
import { createProgressReporter } from '../../src/cli/progress-reporter.js';

function job(status: BatchJob['status'], succeeded: number, failed: number, total = 100): BatchJob {
  const now = '2026-10-01T00:00:00.000Z';
  return {
    id: 'job_test',
    provider: 'openai',
    mode: 'emulated',
    status,
    counts: { total, succeeded, failed, cancelled: 0, expired: 0, pending: total - succeeded - failed },
    createdAt: now,
    updatedAt: now,
    parts: [],
    metadata: {},
    warnings: [],
    estimate: {
      inputTokens: 0,
      outputTokensMax: 0,
      outputTokensExpected: 0,
      costUsd: 2,
      syncCostUsd: 2,
      savingsUsd: 0,
      savingsRatio: 0,
      currency: 'USD',
      pricingAsOf: '2026-10-01',
      perModel: [],
    },
  };
}

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, output: { isTTY, write: (text: string) => writes.push(text) } };
}

describe('progress reporter', () => {
  test('on a terminal it redraws one bar in place with counts, rate, ETA and spend', () => {
    let clock = 0;
    const { writes, output } = recorder(true);
    const reporter = createProgressReporter({ output, now: () => clock });
    clock = 10_000;
    reporter.update(job('in_progress', 48, 2));
    expect(writes).toEqual(['\r\x1b[2Kin_progress [████████████░░░░░░░░░░░░]  50% 50/100 ✓ 48 ✗ 2 · 5.0 items/s · ETA 10.0s · ~$1.00 spent']);
    clock = 20_000;
    reporter.update(job('completed', 97, 3));
    reporter.finish();
    expect(writes.at(-2)).toBe('\r\x1b[2Kcompleted   [████████████████████████] 100% 100/100 ✓ 97 ✗ 3 · 5.0 items/s · elapsed 20.0s · ~$2.00 spent');
    expect(writes.at(-1)).toBe('\n');
  });

  test('elsewhere it writes plain lines, at most one per interval unless the status changes', () => {
    let clock = 0;
    const { writes, output } = recorder(false);
    const reporter = createProgressReporter({ output, now: () => clock, lineIntervalMs: 2_000 });
    clock = 500;
    reporter.update(job('in_progress', 10, 0));
    clock = 1_000;
    reporter.update(job('in_progress', 20, 0));
    clock = 2_600;
    reporter.update(job('in_progress', 30, 0));
    clock = 2_700;
    reporter.update(job('completed', 100, 0));
    reporter.finish();
    expect(writes).toEqual([
      'progress: in_progress 10/100 (10%) | succeeded 10 | failed 0 | 20 items/s | ETA 4.5s | ~$0.2000 spent\n',
      'progress: in_progress 30/100 (30%) | succeeded 30 | failed 0 | 12 items/s | ETA 6.1s | ~$0.6000 spent\n',
      'progress: completed 100/100 (100%) | succeeded 100 | failed 0 | 37 items/s | elapsed 2.7s | ~$2.00 spent\n',
    ]);
  });
});

describe('progress reporter with a model that has no price', () => {
  test('says the cost is unknown instead of ~$0.00 spent', () => {
    const unpriced = job('in_progress', 10, 0);
    const estimate = { ...unpriced.estimate!, costUsd: 0, syncCostUsd: 0, unknownModels: ['risk-scorer'] };
    const { writes, output } = recorder(false);
    const reporter = createProgressReporter({ output, lineIntervalMs: 0 });
    reporter.update({ ...unpriced, estimate });
    reporter.finish();
    const text = writes.join('');
    expect(text).toContain('cost unknown (no price for model risk-scorer)');
    expect(text).not.toContain('$0.00');
  });
});
