import { describe, expect, it } from 'vitest';
import { metricsObserver } from '../../../src/adapters/emulated/index.js';

const base = { timestamp: 0, runId: 'emu_1' };

describe('metricsObserver', () => {
  it('counts items by status, failures and retries by category, and latency in a histogram', () => {
    const metrics = metricsObserver({ latencyBucketsSeconds: [0.1, 1] });
    metrics({ ...base, type: 'item.completed', id: 'a', status: 'succeeded', attempts: 1, latencyMs: 50 });
    metrics({ ...base, type: 'item.completed', id: 'b', status: 'succeeded', attempts: 1, latencyMs: 500 });
    metrics({ ...base, type: 'item.failed', id: 'c', attempts: 2, latencyMs: 5000, error: { category: 'server', message: 'x', retryable: true } });
    metrics({ ...base, type: 'retry.scheduled', id: 'c', attempt: 1, category: 'server', delayMs: 10, consumesRetryBudget: true });
    metrics({ ...base, type: 'rate_limit.hit', id: 'd', category: 'rate_limit', retryAfterMs: 1000 });
    metrics({ ...base, type: 'cooldown.started', until: 1000, durationMs: 1000 });
    metrics({ ...base, type: 'cooldown.ended', durationMs: 1500 });
    const snapshot = metrics.toJSON();
    expect(snapshot.items).toEqual({ succeeded: 2, failed: 1 });
    expect(snapshot.failuresByCategory).toEqual({ server: 1 });
    expect(snapshot.retriesByCategory).toEqual({ server: 1 });
    expect(snapshot.rateLimitHits).toBe(1);
    expect(snapshot.cooldowns).toBe(1);
    expect(snapshot.cooldownSeconds).toBe(1.5);
    expect(snapshot.itemLatency).toEqual({ buckets: [0.1, 1], counts: [1, 2], count: 3, sumSeconds: 5.55 });
  });

  it('exports the Prometheus text format with cumulative buckets', () => {
    const metrics = metricsObserver({ latencyBucketsSeconds: [0.1, 1] });
    metrics({ ...base, type: 'item.completed', id: 'a', status: 'succeeded', attempts: 1, latencyMs: 50 });
    const text = metrics.toPrometheus();
    expect(text).toContain('# TYPE llm_batch_items_total counter');
    expect(text).toContain('llm_batch_items_total{status="succeeded"} 1');
    expect(text).toContain('llm_batch_item_latency_seconds_bucket{le="0.1"} 1');
    expect(text).toContain('llm_batch_item_latency_seconds_bucket{le="+Inf"} 1');
    expect(text).toContain('llm_batch_item_latency_seconds_count 1');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('rejects unsorted buckets', () => {
    expect(() => metricsObserver({ latencyBucketsSeconds: [1, 0.5] })).toThrow(TypeError);
  });
});
