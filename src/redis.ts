/**
 * `llm-batch/redis`: a job store on Redis shared by every process and host (needs the optional
 * peer dependency `ioredis`). See docs/distributed.md.
 */
export { redisStore, type RedisBatchStore, type RedisStoreOptions } from './stores/redis/redis-store.js';
export { distributed, type DistributedOptions, type DistributedProvider } from './distributed/distributed-provider.js';
export { createBatchWorker, type BatchWorker, type BatchWorkerOptions } from './distributed/batch-worker.js';
