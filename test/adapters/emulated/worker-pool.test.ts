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

  it('lets a parked item hand its worker to the next item, never more than `concurrency` outside park', async () => {
    const started: number[] = [];
    let working = 0;
    let maxWorking = 0;
    let maxInProgress = 0;
    let inProgress = 0;
    const release: (() => void)[] = [];
    const workers = new Set<number>();
    async function* source() {
      for (let index = 0; index < 12; index++) yield index;
    }
    const pool = runWorkerPool({
      source: source(),
      concurrency: 2,
      maxQueueSize: 2,
      maxParked: 2,
      signal: new AbortController().signal,
      handle: async (item, { park, worker }) => {
        started.push(item);
        workers.add(worker);
        inProgress += 1;
        working += 1;
        maxInProgress = Math.max(maxInProgress, inProgress);
        maxWorking = Math.max(maxWorking, working);
        if (item < 2) {
          // Items 0 and 1 wait (a retry delay, say) until the test lets them go.
          working -= 1;
          await park(new Promise<void>((resolve) => release.push(resolve)));
          working += 1;
          maxWorking = Math.max(maxWorking, working);
        }
        await new Promise((resolve) => setImmediate(resolve));
        working -= 1;
        inProgress -= 1;
      },
    });
    // While 0 and 1 are parked, the two workers they lent run every other item.
    while (started.length < 12) await new Promise((resolve) => setImmediate(resolve));
    expect(release).toHaveLength(2);
    for (const resolve of release) resolve();
    await pool;
    expect(started.slice(0, 2)).toEqual([0, 1]);
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, index) => index));
    expect(maxInProgress).toBe(4);
    // Worker numbers are reused: never more than concurrency + maxParked of them.
    expect([...workers].every((worker) => worker >= 0 && worker < 4)).toBe(true);
    // Outside `park`, at most `concurrency` + the parked items that just came back.
    expect(maxWorking).toBeLessThanOrEqual(4);
  });

  it('keeps the worker of a parked item beyond maxParked', async () => {
    const started: number[] = [];
    const release: (() => void)[] = [];
    async function* source() {
      for (let index = 0; index < 4; index++) yield index;
    }
    const pool = runWorkerPool({
      source: source(),
      concurrency: 1,
      maxQueueSize: 1,
      signal: new AbortController().signal,
      handle: async (item, { park }) => {
        started.push(item);
        if (item === 0) await park(new Promise<void>((resolve) => release.push(resolve)));
      },
    });
    for (let spin = 0; spin < 50; spin++) await new Promise((resolve) => setImmediate(resolve));
    // maxParked defaults to 0: item 0 keeps the only worker, nothing else starts.
    expect(started).toEqual([0]);
    release[0]?.();
    await pool;
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('reuses worker numbers across many parks', async () => {
    const numbers = new Set<number>();
    const started: number[] = [];
    async function* source() {
      for (let index = 0; index < 30; index++) yield index;
    }
    await runWorkerPool({
      source: source(),
      concurrency: 2,
      maxQueueSize: 2,
      maxParked: 2,
      signal: new AbortController().signal,
      onWorkerStarted: (worker) => numbers.add(worker),
      handle: async (item, { park }) => {
        started.push(item);
        // Every item parks once: each park lends its worker, so workers start and stop all the time.
        await park(new Promise((resolve) => setTimeout(resolve, 2)));
      },
    });
    expect(started).toHaveLength(30);
    expect(Math.max(...numbers)).toBeLessThan(4);
  });
});
