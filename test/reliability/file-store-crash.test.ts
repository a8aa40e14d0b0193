import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeBatchBackend, fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { fileStore } from '../../src/store/file-store.js';

const child = new URL('./fixtures/crash-child.ts', import.meta.url).pathname;

async function runAndKill(dir: string, backendFile: string, afterMs: number): Promise<void> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, dir, backendFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    process_.stdout.once('data', () => resolve());
    process_.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const exited = new Promise((resolve) => process_.once('exit', resolve));
  process_.kill('SIGKILL');
  await exited;
}

describe('crash safety of the file store', () => {
  it('a process killed with SIGKILL mid-job leaves a store that resume completes, each item exactly once', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-batch-crash-'));
    const backendFile = join(dir, 'fake-backend.json');
    for (const afterMs of [150, 400, 700, 1_000]) await runAndKill(dir, backendFile, afterMs);

    const backend = createFakeBatchBackend({ file: backendFile });
    const createdBefore = backend.created;
    const client = createBatchClient({
      provider: fakeBatchProvider({ backend, limits: { maxRequests: 400 } }),
      store: fileStore({ dir }),
      pollIntervalMs: 1,
      maxPollIntervalMs: 1,
    });
    const jobs = await client.list();
    expect(jobs.length).toBeGreaterThan(0);
    let resumed = 0;
    for (const job of jobs) {
      if (job.endedAt === undefined) {
        await client.resume(job.id);
        resumed++;
      }
      const done = await client.wait(job.id);
      expect(done.status).toBe('completed');
      const ids: string[] = [];
      for await (const result of client.results(job.id, { order: 'completion' })) ids.push(result.id);
      expect(ids).toHaveLength(1_500);
      expect(new Set(ids).size).toBe(1_500);
      expect(done.counts.succeeded).toBe(1_500);
    }
    // No part was ever created twice at the provider, across every kill and the resume.
    const batchesPerPart = new Map<string, number>();
    for (const batch of backend.batches.values()) batchesPerPart.set(batch.partId, (batchesPerPart.get(batch.partId) ?? 0) + 1);
    expect([...batchesPerPart.values()].every((count) => count === 1)).toBe(true);
    expect(backend.created).toBeGreaterThanOrEqual(createdBefore);
    expect(resumed).toBeGreaterThan(0);
  });
});
