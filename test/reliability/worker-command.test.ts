import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createBatchClient } from 'llm-batch';
import { distributed, redisStore } from 'llm-batch/redis';
import { createMockProviderServer } from 'llm-batch/testing';
import { startRedisServer } from '../support/redis-server.js';

// `llm-batch worker` as a process: takes a distributed() queue's chunks, calls the emulator through
// the OpenAI SDK, and stops cleanly on SIGTERM.

const cliMain = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const redis = await startRedisServer();
const emulator = await createMockProviderServer({ seed: 3 });
afterAll(async () => {
  await emulator.close();
  await redis.stop();
});

function startCli(args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('llm-batch worker', () => {
  it('runs the chunks of a distributed() job and stops on SIGTERM', async () => {
    const worker = startCli(['worker', '--queue', 'cli-queue', '--concurrency', '8', '--rpm', '60000', '--tpm', '10000000'], {
      REDIS_URL: redis.url,
      OPENAI_API_KEY: 'sk-worker-command-test',
      OPENAI_BASE_URL: `${emulator.url}/v1`,
    });
    const deadline = Date.now() + 30_000;
    while (!worker.stderr().includes('taking chunks') && Date.now() < deadline && worker.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.stderr()).toContain('taking chunks from queue "cli-queue"');
    expect(worker.stderr()).toContain('10000000 TPM for the cluster');

    const provider = distributed({ connection: redis.url, queue: 'cli-queue', pollIntervalMs: 100 });
    const store = redisStore({ url: redis.url, prefix: 'cli-worker' });
    const client = createBatchClient({ provider, store, pollIntervalMs: 100, maxPollIntervalMs: 200 });
    const requests = Array.from({ length: 60 }, (_, index) => ({ id: `w${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user' as const, content: `worker cli ${index}` }] }));
    const outcome = await client.run(requests);
    expect(outcome.counts.succeeded).toBe(60);
    await provider.close();
    await store.close();

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toContain('stopped after recording 60 result(s)');
    expect(worker.stderr()).not.toContain('sk-worker-command-test');
  });

  it('names every bad flag and exits 2', async () => {
    const run = startCli(['worker', '--provider', 'nope', '--concurrency', '0', '--tpm', 'lots'], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--queue is required');
    expect(run.stderr()).toContain('--redis (or REDIS_URL) is required');
    expect(run.stderr()).toContain("--provider expects openai or anthropic, got 'nope'");
    expect(run.stderr()).toContain("--concurrency expects a positive integer, got '0'");
    expect(run.stderr()).toContain("--tpm expects a positive number, got 'lots'");
  });
});
