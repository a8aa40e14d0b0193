import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { fileStore } from '../../src/store/file-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

const total = 5_000;
const concurrency = 16;
const childScript = fileURLToPath(new URL('./fixtures/run-emulated-child.ts', import.meta.url));
let server: MockProviderServer;
let dir: string;

beforeAll(async () => {
  server = await createMockProviderServer({ latency: 5 });
  dir = await mkdtemp(join(tmpdir(), 'emulated-resume-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kill -9 in the middle of a run, then resume in a new process', () => {
  it('ends with every item terminal and at most total + concurrency successful calls', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, `${server.url}/v1`, dir, String(total)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const jobId = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { jobId: string }).jobId);
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${String(code)}): ${stderr}`)));
    });
    // Kill it hard once a good part of the work is done.
    while (server.stats().successfulCalls.openai < total / 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const callsBeforeResume = server.stats().successfulCalls.openai;
    expect(callsBeforeResume).toBeLessThan(total);

    const client = createBatchClient({
      provider: emulated({ call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }), concurrency }),
      store: fileStore({ dir }),
    });
    await client.resume(jobId);
    const job = await client.wait(jobId);
    expect(job.status).toBe('completed');
    expect(job.counts).toMatchObject({ total, succeeded: total, pending: 0 });
    const ids = new Set<string>();
    for await (const result of client.results(jobId)) {
      expect(result.status).toBe('succeeded');
      ids.add(result.id);
    }
    expect(ids.size).toBe(total);
    // Only the calls in flight at the kill (answered but never journaled) are paid twice.
    expect(server.stats().successfulCalls.openai).toBeLessThanOrEqual(total + concurrency);
  }, 240_000);
});
