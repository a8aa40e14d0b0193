import { describe, expect, it } from 'vitest';
import { createBatchClient } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createBatchWorker, distributed, redisStore } from 'llm-batch/redis';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';
import { useRedisServer } from '../support/use-redis-server.js';

// The shared 429 cooldown of distributed() workers: a 429 answered to one worker is written to Redis,
// and every worker waits it out (it takes seconds of retry-after, so it lives here, not in npm test).

const { redis, closers } = await useRedisServer();
let emulator: MockProviderServer | undefined;

const requests = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user' as const, content: `${prefix} prompt ${index}` }] }));

describe('distributed() cooldown', () => {
  it('a 429 seen by one worker sets the cooldown every worker waits out, and the items still succeed', async () => {
    emulator = await createMockProviderServer({ seed: 9, faults: { rate: 0.2, kinds: ['429'], endpoints: ['chat.completions'] } });
    closers.push(emulator);
    const call = () => openaiChat({ apiKey: 'sk-distributed-test-key', baseURL: `${emulator!.url}/v1` });
    for (let index = 0; index < 2; index++) closers.push(await createBatchWorker({ connection: redis.url, queue: 'cooldown', call: call(), concurrency: 4 }));
    const provider = distributed({ connection: redis.url, queue: 'cooldown', pollIntervalMs: 100 });
    const store = redisStore({ url: redis.url, prefix: 'test-cooldown' });
    closers.push(provider, store);
    const { Redis } = await import('ioredis');
    const probe = new Redis(redis.url);
    closers.push({ close: async () => void probe.disconnect() });
    let cooldownsSeen = 0;
    const watching = setInterval(() => void probe.get('llm-batch:distributed:cooldown:gate:cooldown').then((value) => value !== null && cooldownsSeen++), 20);
    const client = createBatchClient({ provider, store, pollIntervalMs: 100, maxPollIntervalMs: 200 });
    const outcome = await client.run(requests(40, 'cool'));
    clearInterval(watching);
    expect(outcome.counts.succeeded).toBe(40);
    expect(emulator!.journal.some((entry) => entry.endpoint === 'chat.completions' && entry.status === 429)).toBe(true);
    expect(cooldownsSeen).toBeGreaterThan(0);
  });

});
