import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from 'llm-batch/testing';
import { redisStore, type RedisBatchStore } from 'llm-batch/redis';
import { startRedisServer } from '../support/redis-server.js';
import { duplicateIds, printCounts } from './helpers.js';

// Leases across processes on a shared redisStore (a real redis-server): one driver per job, a
// killed driver's job taken over once its lease lapses, a native job submitted by a killed process
// finished and read by others, with no item lost, paid twice beyond the killed one's in-flight
// calls, or part created twice.

const fixture = fileURLToPath(new URL('./fixtures/redis-client.ts', import.meta.url));
const leaseTtlMs = 2_000;
const concurrency = 16;
const redis = await startRedisServer({ appendOnly: true });
const servers: MockProviderServer[] = [];
const children = new Set<ChildProcess>();
const stores: RedisBatchStore[] = [];
const counts = { jobs: 0, items: 0, secondDriversRefused: 0, takeovers: 0, takeoverDelayMs: 0, itemsLost: 0, itemsJournaledTwice: 0, itemsPaidTwice: 0, batchesCreatedTwice: 0 };

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const server of servers.splice(0)) await server.close();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await redis.stop();
  printCounts('redis-leases', counts);
});

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function startEmulator(options: MockProviderServerOptions): Promise<MockProviderServer> {
  const server = await createMockProviderServer({ seed: 18, journalLimit: 1_000_000, ...options });
  servers.push(server);
  return server;
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startClient(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { env: { ...process.env, LEASE_TTL_MS: String(leaseTtlMs) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exited };
}

function openStore(prefix: string): RedisBatchStore {
  const store = redisStore({ url: redis.url, prefix });
  stores.push(store);
  return store;
}

async function onlyJobId(store: RedisBatchStore): Promise<string> {
  let id: string | undefined;
  await until(async () => (id = (await store.listJobs())[0]?.id) !== undefined, 'the job in Redis');
  return id!;
}

/** Successful emulator calls per item of one job (the emulator counts them by prompt text). */
function paidCalls(server: MockProviderServer, prefix: string): Map<string, number> {
  const paid = new Map<string, number>();
  for (const [key, value] of Object.entries(server.stats().successfulCallsByKey)) {
    if (key.startsWith(`${prefix} prompt `)) paid.set(`${prefix}_${key.slice(prefix.length + ' prompt '.length)}`, value);
  }
  return paid;
}

async function journal(store: RedisBatchStore, jobId: string) {
  const results = [];
  for await (const result of store.readResults(jobId)) results.push(result);
  return results;
}

describe('leases across processes on redisStore', () => {
  it('two processes on one emulated job: one drives, the other is refused naming it; kill -9 the driver and the other takes over after the lease lapses, nothing lost or journaled twice', async () => {
    const server = await startEmulator({ latency: { 'chat.completions': { p50: 150, p99: 190 }, default: 0 } });
    // About 11 s of calls for one driver: the second process starts, is refused and waits meanwhile.
    const count = 1_200;
    const prefix = 'takeover';
    const keyPrefix = `leases-${Date.now()}`;
    const store = openStore(keyPrefix);
    counts.jobs++;
    counts.items += count;
    const baseURL = `${server.url}/v1`;

    const first = startClient(['emulated', 'run', baseURL, redis.url, keyPrefix, String(count), prefix]);
    const jobId = await onlyJobId(store);
    await until(async () => (await store.client.llen(`${keyPrefix}:{${jobId}}:results`)) >= 100 || first.child.exitCode !== null, 'a hundred results of the first process');
    expect(first.child.exitCode).toBeNull();

    const second = startClient(['emulated', 'resume-after-refusal', baseURL, redis.url, keyPrefix, String(count), prefix, jobId]);
    await until(() => second.stdout().includes('refused:') || second.child.exitCode !== null, 'the second process refused');
    expect(second.stdout(), second.stderr()).toContain(`pid ${first.pid}`);
    expect(first.child.exitCode).toBeNull();
    counts.secondDriversRefused++;
    const lease = await store.readLease(jobId);
    expect(lease?.holder.pid).toBe(first.pid);

    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const callsBeforeKill = server.journal.filter((entry) => entry.endpoint === 'chat.completions').length;
    const exit = await second.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain('took over');
    expect(exit.stdout).toContain(`results ${count}`);
    const firstCallAfter = server.journal.filter((entry) => entry.endpoint === 'chat.completions').slice(callsBeforeKill)[0]?.startedAt ?? Infinity;
    const takeoverDelayMs = firstCallAfter - killedAt;
    console.log(`[redis-leases] takeover: the second process sent its first call ${takeoverDelayMs} ms after the kill (lease ${leaseTtlMs} ms)`);
    counts.takeovers++;
    counts.takeoverDelayMs = Math.max(counts.takeoverDelayMs, takeoverDelayMs);
    // Taken over only once the lease lapsed (renewed every third of it), and soon after.
    expect(takeoverDelayMs).toBeGreaterThanOrEqual(0);
    expect(takeoverDelayMs).toBeLessThan(leaseTtlMs + 5_000);

    const results = await journal(store, jobId);
    const ids = new Set(results.map((result) => result.id));
    counts.itemsLost += count - ids.size;
    counts.itemsJournaledTwice += duplicateIds(results).length;
    expect(ids.size).toBe(count);
    expect(duplicateIds(results)).toEqual([]);
    expect(results.every((result) => result.status === 'succeeded')).toBe(true);
    const job = await store.loadJob(jobId);
    expect(job?.status).toBe('completed');
    // At most the killed process's in-flight calls were paid twice.
    const paid = paidCalls(server, prefix);
    expect(paid.size).toBe(count);
    let extra = 0;
    for (const value of paid.values()) extra += value - 1;
    counts.itemsPaidTwice += extra;
    expect(extra).toBeLessThanOrEqual(concurrency);
  });

  it('a native job submitted by a process killed mid-submit: two replicas resume at once, one drives, a third reads every result, no part created twice', async () => {
    const server = await startEmulator({
      latency: { 'files.upload': 250, 'batches.create': 80, default: 0 },
      batch: { validatingMs: 100, processingMs: 3_000, finalizingMs: 50 },
    });
    const count = 1_200;
    const prefix = 'nativeredis';
    const keyPrefix = `native-${Date.now()}`;
    const store = openStore(keyPrefix);
    counts.jobs++;
    counts.items += count;
    const baseURL = `${server.url}/v1`;

    const batchesBefore = server.stats().batchesCreated.openai;
    const first = startClient(['native', 'run', baseURL, redis.url, keyPrefix, String(count), prefix]);
    await until(() => server.journal.some((entry) => entry.endpoint === 'batches.create' && entry.status === 200), 'the first batch created');
    first.child.kill('SIGKILL');
    await first.exited;
    const jobId = await onlyJobId(store);
    const killed = await store.loadJob(jobId);
    const batchesAtKill = server.stats().batchesCreated.openai - batchesBefore;

    const replicas = [0, 1].map(() => startClient(['native', 'resume', baseURL, redis.url, keyPrefix, String(count), prefix, jobId]));
    const exits = await Promise.all(replicas.map((replica) => replica.exited));
    console.log(
      `[redis-leases] native: parts at the kill ${killed?.parts.map((part) => part.submitState).join(',')}, ${batchesAtKill} batch(es) created; ` +
        `replica exit codes ${exits.map((exit) => exit.code).join(' and ')}`,
    );
    const driver = exits.findIndex((exit) => exit.code === 0);
    expect(driver, exits.map((exit) => exit.stderr).join('\n')).toBeGreaterThanOrEqual(0);
    const other = exits[1 - driver]!;
    expect(other.code, other.stderr).toBe(2);
    expect(other.stdout).toContain(`pid ${replicas[driver]!.pid}`);
    expect(exits[driver]!.stdout).toContain(`results ${count}`);
    counts.secondDriversRefused++;

    // A third process reads status and results without the lease.
    const reader = await startClient(['native', 'results', baseURL, redis.url, keyPrefix, String(count), prefix, jobId]).exited;
    expect(reader.code, reader.stderr).toBe(0);
    expect(reader.stdout).toContain('status completed');
    expect(reader.stdout).toContain(`results ${count}`);

    const batchesPerPart = new Map<string, number>();
    let requestsInBatches = 0;
    for (const summary of await server.batches()) {
      const metadata = ((await server.getBatch(summary.id))?.metadata ?? {}) as Record<string, string>;
      if (metadata.llm_batch_job !== jobId) continue;
      batchesPerPart.set(metadata.llm_batch_part!, (batchesPerPart.get(metadata.llm_batch_part!) ?? 0) + 1);
      requestsInBatches += summary.total;
    }
    console.log(`[redis-leases] native: batches per part ${JSON.stringify(Object.fromEntries(batchesPerPart))}`);
    counts.batchesCreatedTwice += [...batchesPerPart.values()].filter((value) => value > 1).length;
    expect(batchesPerPart.size).toBe(killed!.parts.length);
    expect([...batchesPerPart.values()].every((value) => value === 1)).toBe(true);
    expect(requestsInBatches).toBe(count);
    const results = await journal(store, jobId);
    expect(new Set(results.map((result) => result.id)).size).toBe(count);
    expect(duplicateIds(results)).toEqual([]);
  });
});
