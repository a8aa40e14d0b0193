import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { geminiBatch } from '../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { fileStore } from '../../src/store/file-store.js';
import { createMockProviderServer } from '../../src/testing/mock-server/index.js';

// A real process is killed with SIGKILL as soon as Gemini has created its batch job, which is
// mostly before the client stored the job's name (the part is left `submitting`). Resume must
// find that job by its displayName and never create a second one.
const child = new URL('./fixtures/gemini-submit-child.ts', import.meta.url).pathname;
const server = await createMockProviderServer({ batch: { validatingMs: 5, processingMs: 100 } });
afterAll(() => server.close());

async function submitAndKillAfterCreate(dir: string): Promise<void> {
  const before = server.stats().batchesCreated.gemini;
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, dir, server.url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => process_.once('exit', resolve));
  // Poll the emulator's counter: kill the moment the create has been handled.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (server.stats().batchesCreated.gemini > before) {
        clearInterval(timer);
        process_.kill('SIGKILL');
        resolve();
      }
    }, 0);
  });
  await exited;
}

it('a process killed right after Gemini created its job: resume finds the job, no second one is created', { timeout: 120_000 }, async () => {
  const trials = 5;
  let leftSubmitting = 0;
  for (let trial = 0; trial < trials; trial++) {
    const dir = await mkdtemp(join(tmpdir(), 'llm-batch-gemini-kill-'));
    const createdBefore = server.stats().batchesCreated.gemini;
    await submitAndKillAfterCreate(dir);
    expect(server.stats().batchesCreated.gemini).toBe(createdBefore + 1);

    const store = fileStore({ dir });
    const [job] = await store.listJobs();
    expect(job).toBeDefined();
    if (job?.parts[0]?.submitState === 'submitting') leftSubmitting += 1;
    const client = createBatchClient({ provider: geminiBatch({ apiKey: 'test-gemini-key', baseURL: server.url }), store, pollIntervalMs: 10, maxPollIntervalMs: 50 });
    await client.resume(job?.id ?? '');
    const done = await client.wait(job?.id ?? '');
    await client.close();
    expect(done.counts).toMatchObject({ total: 50, succeeded: 50 });
    expect(server.stats().batchesCreated.gemini).toBe(createdBefore + 1);
  }
  console.log(`gemini kill after create: ${trials} kills, ${leftSubmitting} left the part submitting (the window between create and the store write), 0 second jobs`);
  expect(leftSubmitting).toBeGreaterThan(0);
});
