// A job survives a crash: a child process runs an emulated batch into a file store and is killed
// with SIGKILL halfway; a new client resumes the job from the store and runs only the requests that
// have no result yet. Then `retry` sends the items that failed for good again, as a new linked job.
//
//   node --import tsx examples/resume-after-a-crash.ts
//
// Everything runs against the local provider emulator.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBatchClient, emulated, fileStore, noRetry, type BatchRequest } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const total = 400;
const requests: BatchRequest[] = Array.from({ length: total }, (_, index) => ({
  id: `item_${index}`,
  model: 'gpt-5.4-mini',
  messages: [{ role: 'user', content: `Question ${index}: name a prime number.` }],
  maxTokens: 20,
}));

function clientFor(baseURL: string, dir: string, options: { retry?: ReturnType<typeof noRetry> } = {}) {
  return createBatchClient({
    provider: emulated({ call: openaiChat({ baseURL, apiKey: 'local' }), concurrency: 8, ...options }),
    store: fileStore({ dir }),
  });
}

if (process.argv[2] === 'child') {
  // The process that will be killed: it submits, prints the job id, and runs until it is stopped.
  const [, , , baseURL, dir] = process.argv as [string, string, string, string, string];
  const client = clientFor(baseURL, dir, { retry: noRetry() });
  const job = await client.submit(requests);
  console.log(job.id);
  await client.wait(job.id);
} else {
  // Every call takes 20 ms and one in twenty answers 500 (not retried in the first run).
  const emulator = await createMockProviderServer({ latency: 20, faults: { rate: 0.05, kinds: ['500'] } });
  const baseURL = `${emulator.url}/v1`;
  const dir = await mkdtemp(join(tmpdir(), 'llm-batch-example-'));
  try {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'child', baseURL, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const jobId = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    while (emulator.stats().successfulCalls.openai < total / 2) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const callsAtCrash = emulator.stats().successfulCalls.openai;
    console.log(`killed the run of ${jobId} after ${callsAtCrash} successful calls`);

    // A new process would do the same: the store has the job, its requests and every result so far.
    const client = clientFor(baseURL, dir, { retry: noRetry() });
    await client.resume(jobId);
    const resumed = await client.wait(jobId);
    const successfulCalls = emulator.stats().successfulCalls.openai;
    console.log(`resumed: ${resumed.status}, ${resumed.counts.succeeded} succeeded, ${resumed.counts.failed} failed`);
    // Only calls that were in flight at the kill can have been paid for twice (at most `concurrency`).
    console.log(`successful calls in all: ${successfulCalls} for ${resumed.counts.succeeded} successes (${successfulCalls - resumed.counts.succeeded} paid twice)`);

    // The failures were 500s, which are retryable: retry() sends exactly those again, as a new job.
    const retryClient = clientFor(baseURL, dir);
    const retried = await retryClient.retry(jobId);
    const done = await retryClient.wait(retried.id);
    console.log(`retry job ${retried.id} (retryOf ${retried.retryOf}): ${done.counts.total} items, ${done.counts.succeeded} succeeded`);
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
