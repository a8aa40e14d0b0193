// The distributed runner's scaling and cluster rate limit (docs/distributed.md, docs/benchmarks.md):
//   node --import tsx bench/distributed.ts [requests] [latencyMs] [--no-rpm]
// Starts a real redis-server (test/support/redis-server.ts) and the emulator in this process, then
// worker processes (test/reliability/fixtures/distributed-worker.ts) that call it over HTTP:
//   1. one worker, then three, `requests` requests (default 6,000) at 100 ms latency, the same
//      per-worker concurrency (32): throughput and the ratio three / one;
//   2. three workers under a 1,200 requests-per-minute limit enforced by the emulator, the
//      workers given the same limit: share of the limit held and share of calls answered 429.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { createBatchClient } from '../src/index.js';
import { distributed, redisStore } from '../src/redis.js';
import { createMockProviderServer, type MockProviderServerOptions } from '../src/testing/mock-server/index.js';
import { startRedisServer } from '../test/support/redis-server.js';

const workerFixture = fileURLToPath(new URL('../test/reliability/fixtures/distributed-worker.ts', import.meta.url));
const count = Number(process.argv[2] ?? 6_000);
const latencyMs = Number(process.argv[3] ?? 100);
const withRpm = !process.argv.includes('--no-rpm');
const perWorkerConcurrency = 32;
const redis = await startRedisServer();

const admin = new Redis(redis.url);

/** Redis commands run (and the server's CPU) since the last reset, from INFO commandstats / cpu. */
async function redisStats(): Promise<{ commands: number; byCommand: Record<string, number>; cpuMs: number }> {
  const text = await admin.info('commandstats');
  const byCommand: Record<string, number> = {};
  let commands = 0;
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (['info', 'config'].includes(match[1]!)) continue;
    byCommand[match[1]!] = Number(match[2]);
    commands += Number(match[2]);
  }
  const cpu = await admin.info('cpu');
  const cpuMs = (Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0)) * 1_000;
  return { commands, byCommand, cpuMs };
}

interface StartedWorker {
  readonly child: ChildProcess;
  /** Resolves with the worker's CPU time (µs, user + system) and the Redis commands it sent, once it exits after SIGTERM. */
  readonly usage: Promise<{ cpuMicros: number; commands: number }>;
}

function startWorker(queue: string, baseURL: string, rpm: number | undefined): Promise<StartedWorker> {
  // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/profiles" profiles each worker.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', workerFixture, redis.url, queue, baseURL, String(perWorkerConcurrency), rpm === undefined ? '-' : String(rpm)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const usage = new Promise<{ cpuMicros: number; commands: number }>((resolve) => {
    child.once('exit', () => {
      const found = /recorded \d+ cpu (\d+) commands (\d+)/.exec(output);
      resolve({ cpuMicros: Number(found?.[1] ?? Number.NaN), commands: Number(found?.[2] ?? Number.NaN) });
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve({ child, usage });
    });
    child.once('exit', (code) => reject(new Error(`worker ended (${code})`)));
  });
}

async function scenario(name: string, workers: number, items: number, emulatorOptions: MockProviderServerOptions, rpm?: number) {
  const emulator = await createMockProviderServer({ seed: 5, journalLimit: 1_000_000, ...emulatorOptions });
  const queue = `bench-${name}-${Date.now()}`;
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(queue, `${emulator.url}/v1`, rpm)));
  const provider = distributed({ connection: redis.url, queue, chunkSize: 20, pollIntervalMs: 200 });
  const store = redisStore({ url: redis.url, prefix: queue });
  const client = createBatchClient({ provider, store, pollIntervalMs: 200, maxPollIntervalMs: 300 });
  const requests = Array.from({ length: items }, (_, index) => ({ id: `i${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user' as const, content: `${name} prompt ${index}` }] }));
  await admin.config('RESETSTAT');
  const redisCpuBefore = (await redisStats()).cpuMs;
  const benchCpuBefore = process.cpuUsage();
  const startedAt = Date.now();
  // distributed() declares billing 'sync': its estimate approximates token counts by default (no tokenizer), as an emulated job's.
  const job = await client.submit(requests);
  const submitSeconds = (Date.now() - startedAt) / 1_000;
  const ended = await client.wait(job.id);
  const seconds = (Date.now() - startedAt) / 1_000;
  const calls = emulator.journal.filter((entry) => entry.endpoint === 'chat.completions');
  const limited = calls.filter((entry) => entry.status === 429).length;
  // The rate while calls went on: first to last call.
  const first = Math.min(...calls.map((entry) => entry.startedAt));
  const last = Math.max(...calls.map((entry) => entry.startedAt));
  const callsPerMinute = ((calls.length - limited) / Math.max(1, last - first)) * 60_000;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const stats = await redisStats();
  for (const { child } of children) child.kill('SIGTERM');
  const usages = await Promise.all(children.map((worker) => worker.usage));
  const workerCpu = usages.reduce((sum, value) => sum + value.cpuMicros, 0);
  const workerCommands = usages.reduce((sum, value) => sum + value.commands, 0);
  await provider.close();
  await store.close();
  await emulator.close();
  // Also the rate of the calls alone, first call sent to last answer (no submit, no last poll).
  const lastAnswer = Math.max(...calls.map((entry) => entry.startedAt + entry.durationMs));
  const outcome = { name, workers, items, status: ended.status, seconds, submitSeconds, itemsPerSecond: ended.counts.succeeded / seconds, callPhaseItemsPerSecond: ended.counts.succeeded / ((lastAnswer - first) / 1_000), calls: calls.length, rateLimited: limited, callsPerMinute,
    // Per item: worker CPU (all workers, from "ready" to SIGTERM), this process's CPU (the emulator and the
    // client), Redis commands (BullMQ's, the runner's and the client's) and the Redis server's CPU.
    workerCpuMicrosPerItem: Math.round(workerCpu / items),
    emulatorAndClientCpuMicrosPerItem: Math.round((benchCpu.user + benchCpu.system) / items),
    // Commands the workers sent (round trips, a pipeline's commands each counted), and every command
    // Redis ran (INFO commandstats: those a script runs included; the client's and BullMQ's too).
    workerCommandsPerItem: Number((workerCommands / items).toFixed(2)),
    redisCommandsPerItem: Number((stats.commands / items).toFixed(2)),
    redisCpuMicrosPerItem: Math.round(((stats.cpuMs - redisCpuBefore) * 1_000) / items),
    redisCommands: stats.byCommand,
  };
  console.log(JSON.stringify(outcome));
  return outcome;
}

console.log(`load average at the start: ${loadavg().map((value) => value.toFixed(2)).join(' / ')}`);
const latency = { 'chat.completions': { p50: latencyMs, p99: latencyMs * 1.3 }, default: 0 };
console.log(`${count} requests at ${latencyMs} ms, ${perWorkerConcurrency} calls at once per worker`);
const one = await scenario('one-worker', 1, count, { latency });
const three = await scenario('three-workers', 3, count, { latency });
console.log(`three workers / one worker: ${(three.itemsPerSecond / one.itemsPerSecond).toFixed(2)}x submit to end of wait, ${(three.callPhaseItemsPerSecond / one.callPhaseItemsPerSecond).toFixed(2)}x first call to last answer (ideal ${((3 * perWorkerConcurrency * 1_000) / latencyMs).toFixed(0)} vs ${((perWorkerConcurrency * 1_000) / latencyMs).toFixed(0)} items/s)`);
if (withRpm) {
  const limited = await scenario('rpm-1200', 3, Math.min(count, 800), { latency, rateLimit: { requestsPerMinute: 1_200 } }, 1_200);
  console.log(`1,200 RPM limit: ${((limited.callsPerMinute / 1_200) * 100).toFixed(1)}% of the limit held, ${((limited.rateLimited / limited.calls) * 100).toFixed(2)}% of calls answered 429`);
}
console.log(`load average at the end: ${loadavg().map((value) => value.toFixed(2)).join(' / ')}`);
admin.disconnect();
await redis.stop();
