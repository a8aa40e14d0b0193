import { describe, expect, it } from 'vitest';
import { runWorkerPool } from '../../../src/adapters/emulated/worker-pool.js';

describe('runWorkerPool', () => {
  it('handles every item once with at most `concurrency` handlers running', async () => {
    const seen: number[] = [];
    let running = 0;
    let maxRunning = 0;
    async function* source() {
      for (let index = 0; index < 200; index++) yield index;
    }
    await runWorkerPool({
      source: source(),
      concurrency: 5,
      maxQueueSize: 3,
      signal: new AbortController().signal,
      handle: async (item) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(item);
        running -= 1;
      },
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, index) => index));
    expect(maxRunning).toBe(5);
  });

  it('never reads further ahead of the workers than the queue size', async () => {
    let pulled = 0;
    let handled = 0;
    let maxAhead = 0;
    async function* source() {
      for (let index = 0; index < 1000; index++) {
        pulled += 1;
        maxAhead = Math.max(maxAhead, pulled - handled);
        yield index;
      }
    }
    await runWorkerPool({
      source: source(),
      concurrency: 4,
      maxQueueSize: 8,
      signal: new AbortController().signal,
      handle: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        handled += 1;
      },
    });
    // Queue plus items in hand, plus the one being yielded.
    expect(maxAhead).toBeLessThanOrEqual(4 + 8 + 1);
  });

  it('stops taking items once its signal aborts and closes the source', async () => {
    const controller = new AbortController();
    let closed = false;
    let handled = 0;
    async function* source() {
      try {
        for (let index = 0; ; index++) yield index;
      } finally {
        closed = true;
      }
    }
    await runWorkerPool({
      source: source(),
      concurrency: 2,
      maxQueueSize: 2,
      signal: controller.signal,
      handle: async () => {
        handled += 1;
        if (handled === 10) controller.abort();
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    expect(handled).toBeLessThanOrEqual(11);
    expect(closed).toBe(true);
  });

  it('rejects with the error of the source', async () => {
    async function* source() {
      yield 1;
      throw new Error('store unreadable');
    }
    await expect(
      runWorkerPool({ source: source(), concurrency: 2, maxQueueSize: 2, signal: new AbortController().signal, handle: async () => {} }),
    ).rejects.toThrow('store unreadable');
  });
});
