import { describe, expect, it } from 'vitest';
import * as redis from 'llm-batch/redis';

describe('llm-batch/redis', () => {
  it('exports the Redis store, the distributed provider and the worker, nothing else', () => {
    expect(Object.keys(redis).sort()).toEqual(['createBatchWorker', 'distributed', 'redisStore']);
  });
});
