import { afterAll, describe, expect, it } from 'vitest';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { RunEvent } from '../../src/models/run-event.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockBatchProvider } from '../../src/testing/mock-batch-provider.js';
import { requestsOf } from './viewer-fixtures.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

describe('what a run journals for the viewer', () => {
  it('an emulated run that meets 429s journals each 429, its cooldowns, the window and each retry, apart from the results', async () => {
    const store = memoryStore();
    const mock = await createMockBatchProvider({
      mode: 'emulated',
      server: { latency: 10, faults: { rates: { '429': 0.3, '500': 0.05 }, retryAfterMs: 100, timing: 'at-once' } },
      emulated: { concurrency: 16 },
    });
    const client = createBatchClient({ provider: mock.provider, store });
    closers.push(async () => {
      await client.close();
      await mock.close();
    });
    const startedAt = Date.now();
    const job = await client.submit(requestsOf(80));
    await client.wait(job.id);
    const endedAt = Date.now();

    const events = await collect(store.readRunEvents!(job.id));
    const of = <T extends RunEvent['type']>(type: T) => events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);
    // One entry per 429 the emulator answered, with its retry-after.
    const answered429 = mock.server.journal.filter((entry) => entry.status === 429).length;
    expect(answered429).toBeGreaterThan(0);
    expect(of('rate_limited')).toHaveLength(answered429);
    expect(of('rate_limited').every((event) => event.retryAfterMs === 100)).toBe(true);
    // One retry entry per call that was tried again.
    const results = await collect(store.readResults(job.id));
    const retried = results.reduce((sum, result) => sum + ('attempts' in result && result.attempts !== undefined ? result.attempts - 1 : 0), 0);
    expect(of('retry')).toHaveLength(retried);
    expect(of('retry').some((event) => event.category === 'rate_limit')).toBe(true);
    // Cooldowns, each started one ended, with its cause.
    expect(of('cooldown_started').length).toBeGreaterThan(0);
    expect(of('cooldown_ended')).toHaveLength(of('cooldown_started').length);
    expect(of('cooldown_started').every((event) => event.cause === 'dense' || event.cause === 'headers' || event.cause === 'burst')).toBe(true);
    // The window: where it started, then its changes, at most one per 250 ms.
    const windows = of('concurrency');
    expect(windows[0]?.size).toBe(16);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows.length - 1).toBeLessThanOrEqual(Math.ceil((endedAt - startedAt) / 250) + 1);
    // In time order, within the run.
    for (let index = 1; index < events.length; index++) expect(events[index]!.at).toBeGreaterThanOrEqual(events[index - 1]!.at);
    expect(events[0]!.at).toBeGreaterThanOrEqual(startedAt);
    expect(events.at(-1)!.at).toBeLessThanOrEqual(endedAt);

    // Nothing that reads results sees an event; each result carries when it ended.
    expect(results).toHaveLength(80);
    const viaClient: BatchResult[] = await collect(client.results(job.id));
    expect(viaClient).toHaveLength(80);
    expect(viaClient.every((result) => typeof result.id === 'string' && result.id.startsWith('item_'))).toBe(true);
    expect(viaClient.every((result) => result.finishedAt !== undefined && result.finishedAt >= startedAt && result.finishedAt <= endedAt)).toBe(true);
    const aggregate = await client.aggregate(job.id);
    expect(aggregate.counts.succeeded + aggregate.counts.failed).toBe(80);
  }, 30_000);

  it('native results carry the time they were read', async () => {
    const store = memoryStore();
    const mock = await createMockBatchProvider({ mode: 'native', pollIntervalMs: 20 });
    const client = createBatchClient({ provider: mock.provider, store });
    closers.push(async () => {
      await client.close();
      await mock.close();
    });
    const job = await client.submit(requestsOf(5));
    const submittedAt = Date.now();
    await client.wait(job.id);
    const results = await collect(store.readResults(job.id));
    expect(results).toHaveLength(5);
    expect(results.every((result) => result.finishedAt !== undefined && result.finishedAt >= submittedAt && result.finishedAt <= Date.now())).toBe(true);
    // A native job journals no run events.
    expect(await collect(store.readRunEvents!(job.id))).toEqual([]);
  }, 30_000);
});

describe('the viewer draws the run from the journal', () => {
  it('answers a timeline: ended, retried and 429s per interval, cooldowns and the window, for an emulated job that met 429s', async () => {
    const { startViewer } = await import('../../src/cli/viewer/start-viewer.js');
    const store = memoryStore();
    const mock = await createMockBatchProvider({
      mode: 'emulated',
      server: { latency: 10, faults: { rates: { '429': 0.3 }, retryAfterMs: 100, timing: 'at-once' } },
      emulated: { concurrency: 8 },
    });
    const client = createBatchClient({ provider: mock.provider, store });
    const job = await client.submit(requestsOf(40));
    await client.wait(job.id);
    await client.close();
    await mock.close();
    const events = await collect(store.readRunEvents!(job.id));
    const viewer = await startViewer({ store });
    try {
      const response = await fetch(`http://127.0.0.1:${viewer.port}/api/jobs/${job.id}/failures`, { headers: { 'x-viewer-token': viewer.token } });
      const { timeline } = (await response.json()) as { timeline: import('../../src/cli/viewer/run-timeline.js').RunTimeline };
      expect(timeline.hasRunEvents).toBe(true);
      const sum = (key: 'succeeded' | 'failed' | 'retried' | 'rateLimited') => timeline.intervals.reduce((total, interval) => total + interval[key], 0);
      expect(sum('succeeded') + sum('failed')).toBe(40);
      expect(sum('rateLimited')).toBe(events.filter((event) => event.type === 'rate_limited').length);
      expect(sum('rateLimited')).toBeGreaterThan(0);
      expect(sum('retried')).toBe(events.filter((event) => event.type === 'retry').length);
      expect(timeline.cooldowns).toHaveLength(events.filter((event) => event.type === 'cooldown_started').length);
      expect(timeline.concurrency[0]).toMatchObject({ size: 8 });
      expect(timeline.intervals.length).toBeGreaterThan(1);
    } finally {
      await viewer.close();
    }
  }, 30_000);
});
