import { describe, expect, it } from 'vitest';
import { runWorkerPool } from '../../../src/adapters/emulated/worker-pool.js';

describe('runWorkerPool with thousands of workers', () => {
  it('wakes 20,000 idle workers without overflowing the stack, and hands them the items that come late', async () => {
    // 20,000 items keep 20,000 workers busy; then the source pauses, so every worker waits idle for
    // the last item, and then for the end of the source. Waking them all once hung the pool.
    const count = 20_000;
    let workers = 0;
    const handled: number[] = [];
    async function* source() {
      for (let index = 0; index < count; index++) yield index;
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield count;
    }
    await runWorkerPool({
      source: source(),
      concurrency: count,
      maxQueueSize: count,
      signal: new AbortController().signal,
      onWorkerStarted: () => void (workers += 1),
      handle: async (item) => {
        await new Promise((resolve) => setImmediate(resolve));
        handled.push(item);
      },
    });
    expect(handled).toHaveLength(count + 1);
    expect(new Set(handled).size).toBe(count + 1);
    expect(workers).toBeLessThanOrEqual(count);
  });

  it('starts one worker for a one-item source, whatever the concurrency', async () => {
    let workers = 0;
    let handled = 0;
    async function* source() {
      yield 'only';
    }
    await runWorkerPool({
      source: source(),
      concurrency: 1_000_000,
      maxQueueSize: 2,
      signal: new AbortController().signal,
      onWorkerStarted: () => void (workers += 1),
      handle: async () => void (handled += 1),
    });
    expect(handled).toBe(1);
    expect(workers).toBe(1);
  });

  it('starts no worker for an empty source', async () => {
    let workers = 0;
    async function* source(): AsyncGenerator<number> {}
    await runWorkerPool({
      source: source(),
      concurrency: 8,
      maxQueueSize: 2,
      signal: new AbortController().signal,
      onWorkerStarted: () => void (workers += 1),
      handle: async () => {},
    });
    expect(workers).toBe(0);
  });

  it('stops 5,000 idle workers at once when its signal aborts', async () => {
    const controller = new AbortController();
    let handled = 0;
    async function* source() {
      for (let index = 0; index < 5_000; index++) yield index;
      // The workers wait idle meanwhile: the abort must release them all, and no later item is taken.
      await new Promise((resolve) => setTimeout(resolve, 200));
      yield 5_000;
    }
    const pool = runWorkerPool({
      source: source(),
      concurrency: 5_000,
      maxQueueSize: 5_000,
      signal: controller.signal,
      handle: async () => {
        handled += 1;
        if (handled === 5_000) setTimeout(() => controller.abort(), 10);
      },
    });
    await pool;
    expect(handled).toBe(5_000);
  });
});
