import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { BatchStore } from '../../src/store/batch-store.js';
import { redisStore, type RedisBatchStore } from '../../src/redis.js';
import { runStoreConformance } from '../../src/testing/run-store-conformance.js';
import { startRedisServer } from '../support/redis-server.js';

// The shared store suite against redisStore on a real redis-server; each check on a prefix of its own.

const server = await startRedisServer();
afterAll(() => server.stop());

const prefixes = new Map<BatchStore, string>();
const opened = new Map<BatchStore, RedisBatchStore[]>();
let count = 0;

await runStoreConformance(
  () => {
    const prefix = `conformance${++count}`;
    const store = redisStore({ url: server.url, prefix });
    prefixes.set(store, prefix);
    opened.set(store, [store]);
    return store;
  },
  {
    name: 'redisStore',
    // Another process's view: a second connection on the same prefix.
    openSecondClient: (store) => {
      const other = redisStore({ url: server.url, prefix: prefixes.get(store)! });
      opened.get(store)!.push(other);
      return other;
    },
    damageManifest: async (store, jobId) => {
      const redis = new Redis(server.url);
      await redis.set(`${prefixes.get(store)!}:{${jobId}}:manifest`, '{"id": "half a manif');
      redis.disconnect();
    },
    dispose: async (store) => {
      for (const each of opened.get(store) ?? []) await each.close();
    },
  },
);
