import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createBatchClient } from 'llm-batch';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';
import { distributed, redisStore } from 'llm-batch/redis';
import { startRedisServer } from '../support/redis-server.js';
import { duplicateIds, makeRequests, printCounts } from './helpers.js';

// Three worker processes of one distributed() queue; one of them is SIGKILLed mid-run. Its chunks
// come back through BullMQ's stalled-job recovery: every item ends terminal, none is lost, and the
// emulator's journal shows at most that worker's in-flight calls repeated.

const workerFixture = fileURLToPath(new URL('./fixtures/distributed-worker.ts', import.meta.url));
const redis = await startRedisServer({ appendOnly: true });
const children = new Set<ChildProcess>();
const closers: { close(): Promise<void> }[] = [];
let emulator: MockProviderServer | undefined;
const counts = { items: 0, workersKilled: 0, itemsLost: 0, itemsJournaledTwice: 0, callsRepeated: 0, killedWorkerConcurrency: 0, recoveryMs: 0 };

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const closer of closers.splice(0)) await closer.close();
  await emulator?.close();
});
afterAll(async () => {
  await redis.stop();
  printCounts('distributed', counts);
});

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function startWorker(queue: string, baseURL: string, concurrency: number, lockDurationMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerFixture, redis.url, queue, baseURL, String(concurrency), '-', String(lockDurationMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`a worker ended (${code}) before it was ready: ${output}`)));
  });
}

describe('distributed() over three worker processes', () => {
  it('SIGKILL one worker mid-run: every item terminal, none lost or journaled twice, at most its in-flight calls repeated', async () => {
    emulator = await createMockProviderServer({ seed: 18, journalLimit: 1_000_000, latency: { 'chat.completions': { p50: 100, p99: 130 }, default: 0 } });
    const baseURL = `${emulator.url}/v1`;
    const queue = `kill-${Date.now()}`;
    const concurrency = 16;
    const lockDurationMs = 2_000;
    const count = 2_400;
    counts.items += count;
    const workers = await Promise.all([0, 1, 2].map(() => startWorker(queue, baseURL, concurrency, lockDurationMs)));
    const provider = distributed({ connection: redis.url, queue, chunkSize: 50, pollIntervalMs: 200 });
    const store = redisStore({ url: redis.url, prefix: queue });
    closers.push(provider, store);
    const client = createBatchClient({ provider, store, pollIntervalMs: 200, maxPollIntervalMs: 300 });

    const prefix = 'killworker';
    const job = await client.submit(makeRequests(count, prefix));
    const chatCalls = () => emulator!.journal.filter((entry) => entry.endpoint === 'chat.completions').length;
    while (chatCalls() < count / 4) await sleep(20);
    workers[0]!.kill('SIGKILL');
    const killedAt = Date.now();
    counts.workersKilled++;
    counts.killedWorkerConcurrency = concurrency;

    const ended = await client.wait(job.id);
    counts.recoveryMs = Date.now() - killedAt;
    expect(ended.status).toBe('completed');
    const results = [];
    for await (const result of client.results(job.id)) results.push(result);
    const ids = new Set(results.map((result) => result.id));
    counts.itemsLost = count - ids.size;
    counts.itemsJournaledTwice = duplicateIds(results).length;
    expect(ids.size).toBe(count);
    expect(duplicateIds(results)).toEqual([]);
    expect(results.every((result) => result.status === 'succeeded')).toBe(true);

    const paid = Object.entries(emulator.stats().successfulCallsByKey).filter(([key]) => key.startsWith(`${prefix} prompt `));
    expect(paid).toHaveLength(count);
    const repeated = paid.reduce((sum, [, calls]) => sum + calls - 1, 0);
    counts.callsRepeated = repeated;
    console.log(`[distributed] killed one of three workers; ${repeated} call(s) repeated (its concurrency ${concurrency}); done ${counts.recoveryMs} ms after the kill`);
    expect(repeated).toBeLessThanOrEqual(concurrency);
  });
});
