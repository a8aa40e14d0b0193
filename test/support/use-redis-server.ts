import { afterAll, afterEach } from 'vitest';
import { startRedisServer, type TestRedisServer } from './redis-server.js';

/** Something a test opened: a worker, a client, a store, an emulator. */
export interface Closable {
  close(): Promise<void>;
}

/** A test file's redis-server, and what its tests open. */
export interface RedisTestFixture {
  readonly redis: TestRedisServer;
  /** What the running test opened: closed after it, the last opened first. */
  readonly closers: Closable[];
}

/**
 * Starts a real redis-server for a test file (stopped after its last test) and registers the
 * `afterEach` that closes what each test pushed to `closers`, the last opened first. Call it once,
 * awaited, at the top level of the file.
 *
 * @example
 * const { redis, closers } = await useRedisServer();
 * it('...', async () => {
 *   const emulator = await createMockProviderServer();
 *   closers.push(emulator, await createBatchWorker({ connection: redis.url, ... }));
 * });
 */
export async function useRedisServer(options: { appendOnly?: boolean } = {}): Promise<RedisTestFixture> {
  const redis = await startRedisServer(options);
  const closers: Closable[] = [];
  afterEach(async () => {
    for (const closer of closers.splice(0).reverse()) await closer.close();
  });
  afterAll(() => redis.stop());
  return { redis, closers };
}
