import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, ValidationError } from '../../src/index.js';
import { openaiChat } from '../../src/openai.js';
import { redisStore } from '../../src/redis.js';
import { createMockProviderServer } from '../../src/testing/mock-server/index.js';
import type { JobManifest } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { redisServerBinary, startRedisServer } from '../support/redis-server.js';

const server = await startRedisServer();
const emulator = await createMockProviderServer({ seed: 18 });
const stores: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
  await emulator.close();
  await server.stop();
});

let count = 0;
function open(prefix = `store${++count}`, extra: { finishedJobTtlSeconds?: number } = {}) {
  const store = redisStore({ url: server.url, prefix, ...extra });
  stores.push(store);
  return store;
}

function manifest(id: string, status: JobManifest['status'] = 'in_progress'): JobManifest {
  const at = new Date().toISOString();
  return { id, provider: 'fake', mode: 'emulated', status, counts: { total: 1, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: 1 }, createdAt: at, updatedAt: at, parts: [], metadata: {}, warnings: [] };
}

const succeeded = (id: string, text = `answer ${id}`): BatchResult => ({ id, status: 'succeeded', text, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'm' });

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('redisStore options', () => {
  it('names every bad option in one ValidationError, and never shows the password of a URL', () => {
    let error: unknown;
    try {
      redisStore({ url: 'http://:hunter2secret@localhost', prefix: 'has space', finishedJobTtlSeconds: 1.5 });
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual(['url', 'prefix', 'finishedJobTtlSeconds']);
    expect((error as Error).message).not.toContain('hunter2secret');
    expect(() => redisStore({} as never)).toThrow(/option "url" must be given, or client/);
    expect(() => redisStore({ url: server.url, prefx: 'x' } as never)).toThrow(/prefx/);
  });
});

describe('redisStore on a real redis-server', () => {
  it('keeps stores with different prefixes apart', async () => {
    const first = open();
    const second = open();
    await first.saveJob(manifest('job_a'));
    expect(await second.loadJob('job_a')).toBeUndefined();
    expect((await first.listJobs()).map((job) => job.id)).toEqual(['job_a']);
    expect(await second.listJobs()).toEqual([]);
  });

  it('updateJob is a compare-and-set: 40 concurrent updates from four clients, none lost', async () => {
    const prefix = `cas${++count}`;
    const clients = [open(prefix), open(prefix), open(prefix), open(prefix)];
    await clients[0]!.saveJob(manifest('job_cas'));
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        clients[index % 4]!.updateJob('job_cas', (job) => ({ ...job, warnings: [...job.warnings, `w${index}`] })),
      ),
    );
    const job = await clients[1]!.loadJob('job_cas');
    expect(job?.warnings).toHaveLength(40);
    expect(new Set(job?.warnings).size).toBe(40);
    expect(await clients[2]!.updateJob('job_missing', (value) => value)).toBeUndefined();
  });

  it('appendNewResults journals each item once, however often it is delivered and by how many clients', async () => {
    const prefix = `once${++count}`;
    const [first, second] = [open(prefix), open(prefix)];
    const appended = await Promise.all([
      first.appendNewResults('job_once', [succeeded('a', 'first'), succeeded('b', 'first')]),
      second.appendNewResults('job_once', [succeeded('b', 'second'), succeeded('c', 'second')]),
      second.appendNewResults('job_once', [succeeded('a', 'third')]),
    ]);
    expect(appended.reduce((sum, value) => sum + value, 0)).toBe(3);
    const journal = await collect(first.readResults('job_once'));
    expect(journal.map((result) => result.id).sort()).toEqual(['a', 'b', 'c']);
    expect([...(await second.journaledIds('job_once', ['a', 'c', 'z']))].sort()).toEqual(['a', 'c']);
  });

  it('with finishedJobTtlSeconds, every key of a finished job expires, and listJobs forgets it', async () => {
    const prefix = `ttl${++count}`;
    const store = open(prefix, { finishedJobTtlSeconds: 1 });
    const writer = await store.createRequestWriter('job_done', 0);
    await writer.write({ index: 0, request: { id: 'r', model: 'm', messages: [{ role: 'user', content: 'hi' }] } });
    await writer.close();
    await store.appendResults('job_done', [succeeded('r')]);
    await store.saveJob(manifest('job_running'));
    await store.saveJob(manifest('job_done', 'completed'));
    const redis = new Redis(server.url);
    try {
      const keys = await redis.keys(`${prefix}:{job_done}:*`);
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const name of keys) expect(await redis.ttl(name), name).toBeGreaterThan(0);
      expect(await redis.ttl(`${prefix}:{job_running}:manifest`)).toBe(-1);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await store.listJobs()).map((job) => job.id)).toEqual(['job_running']);
      expect(await redis.keys(`${prefix}:{job_done}:*`)).toEqual([]);
      expect(await redis.smembers(`${prefix}:jobs`)).toEqual(['job_running']);
    } finally {
      redis.disconnect();
    }
  });

  it('runs an emulated job through createBatchClient, and a second client on the same Redis reads its results', async () => {
    const prefix = `client${++count}`;
    const provider = () => emulated({ call: openaiChat({ apiKey: 'sk-redis-store-test-key', baseURL: `${emulator.url}/v1` }), concurrency: 8 });
    const requests = Array.from({ length: 40 }, (_, index) => ({ id: `q${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user' as const, content: `redis prompt ${index}` }] }));
    const first = createBatchClient({ provider: provider(), store: open(prefix) });
    const job = await first.run(requests);
    const jobId = job.jobId;
    expect(job.status).toBe('completed');
    const second = createBatchClient({ provider: provider(), store: open(prefix) });
    const results = await collect(second.results(jobId));
    expect(results.map((result) => result.id).sort()).toEqual(requests.map((request) => request.id).sort());
    expect(results.every((result) => result.status === 'succeeded')).toBe(true);
    expect((await second.status(jobId)).counts.succeeded).toBe(40);
    const redis = new Redis(server.url);
    try {
      // Nothing of the API key in Redis.
      for (const name of await redis.keys(`${prefix}:*`)) {
        const type = await redis.type(name);
        const text = type === 'string' ? await redis.get(name) : type === 'list' ? (await redis.lrange(name, 0, -1)).join('\n') : '';
        expect(text ?? '').not.toContain('sk-redis-store-test-key');
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('the redis-server helper', () => {
  it('says in one line how to install redis-server when it is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => redisServerBinary()).toThrow(/^redis-server is not installed: run `apt-get install -y redis-server`/);
    } finally {
      process.env.PATH = path;
    }
  });
});
