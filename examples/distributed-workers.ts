// One job spread over three workers with Redis and BullMQ (docs/distributed.md).
// Starts a throwaway redis-server (Debian: apt-get install -y redis-server) and the local emulator,
// then three workers, submits 120 requests and reads the results.
//   npx tsx examples/distributed-workers.ts              three workers in this process
//   npx tsx examples/distributed-workers.ts --processes  three worker processes (this file, with "worker")
// In production each worker is a process of its own, on any host: `llm-batch worker --queue ...` or
// a script calling createBatchWorker like the "worker" branch below.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBatchClient } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createBatchWorker, distributed, redisStore } from 'llm-batch/redis';
import { createMockProviderServer } from 'llm-batch/testing';

const queue = 'example-queue';

if (process.argv[2] === 'worker') {
  // A worker: any number of these, on any host, with the same call strategy configuration.
  const [, , , redisUrl, baseURL] = process.argv;
  const worker = await createBatchWorker({
    connection: redisUrl!,
    queue,
    call: openaiChat({ apiKey: 'sk-example-no-real-key', baseURL }),
    concurrency: 8,
    requestsPerMinute: 6_000, // the whole cluster's limit, shared through Redis
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
} else {
  const redisDir = mkdtempSync(join(tmpdir(), 'llm-batch-example-redis-'));
  const port = await freePort();
  // In production: Redis with AOF on (appendonly yes), see docs/distributed.md.
  const redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
  redisServer.on('error', () => {
    console.error('redis-server is not installed: run `apt-get install -y redis-server` (Debian/Ubuntu)');
    process.exit(1);
  });
  const redisUrl = `redis://127.0.0.1:${port}`;
  const emulator = await createMockProviderServer({ latency: { 'chat.completions': 50, default: 0 } });
  const workers: ChildProcess[] = [];
  try {
    await waitForRedis(port);
    const inProcess: { close(): Promise<void> }[] = [];
    for (let index = 0; index < 3; index++) {
      if (process.argv.includes('--processes')) workers.push(await startWorker(redisUrl, `${emulator.url}/v1`));
      else inProcess.push(await createBatchWorker({ connection: redisUrl, queue, call: openaiChat({ apiKey: 'sk-example-no-real-key', baseURL: `${emulator.url}/v1` }), concurrency: 8, requestsPerMinute: 6_000 }));
    }

    const provider = distributed({ connection: redisUrl, queue });
    const store = redisStore({ url: redisUrl, prefix: 'example' });
    const client = createBatchClient({ provider, store });
    const requests = Array.from({ length: 120 }, (_, index) => ({
      id: `q${index}`,
      model: 'gpt-5.4-mini',
      maxTokens: 16,
      messages: [{ role: 'user' as const, content: `Say hello to number ${index}` }],
    }));
    const job = await client.submit(requests);
    console.log(`submitted ${job.id}: ${requests.length} requests on queue "${queue}"`);
    // Any process with the same store could wait for it, read its results or cancel it.
    const ended = await client.wait(job.id);
    console.log(`${ended.status}: ${ended.counts.succeeded} succeeded, ${ended.counts.failed} failed`);
    let shown = 0;
    for await (const result of client.results(job.id)) {
      if (shown++ < 2 && result.status === 'succeeded') console.log(`${result.id}: ${result.text}`);
    }
    await provider.close();
    await store.close();
    for (const worker of inProcess) await worker.close();
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await emulator.close();
    redisServer.kill('SIGTERM');
    await new Promise((resolve) => redisServer.once('exit', resolve));
    rmSync(redisDir, { recursive: true, force: true });
  }
}

function startWorker(redisUrl: string, baseURL: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'worker', redisUrl, baseURL], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`a worker ended (${code})`)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForRedis(port: number): Promise<void> {
  const { Redis } = await import('ioredis');
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused until redis-server listens
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error('redis-server did not start');
}
