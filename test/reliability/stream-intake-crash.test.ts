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

// A streaming intake killed with SIGKILL while its input is still being read: the job is the
// requests stored before the kill, resume runs what has no result, and nothing that was not
// stored was ever sent.
const total = 50_000;
const concurrency = 16;
const childScript = fileURLToPath(new URL('./fixtures/stream-intake-child.ts', import.meta.url));
let server: MockProviderServer;
let dir: string;

beforeAll(async () => {
  server = await createMockProviderServer({ latency: 5, journalBodies: true, journalLimit: 200_000 });
  dir = await mkdtemp(join(tmpdir(), 'stream-intake-crash-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** How many chat calls the emulator answered for each item number. */
function callsByItem(): Map<number, number> {
  const calls = new Map<number, number>();
  for (const entry of server.journal) {
    if (!entry.path.endsWith('/chat/completions') || entry.status !== 200) continue;
    const content = (entry.body as { messages: Array<{ content: string }> }).messages[0]!.content;
    const item = Number(content.slice('item prompt '.length));
    calls.set(item, (calls.get(item) ?? 0) + 1);
  }
  return calls;
}

describe('kill -9 during a streaming intake, then resume in a new process', () => {
  it('keeps the requests stored before the kill, sends nothing else, and pays for no request twice beyond the calls in flight', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, `${server.url}/v1`, dir, String(total)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (server.stats().successfulCalls.openai < 2_000) {
      if (child.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await exited;

    const store = fileStore({ dir });
    const [stored] = await store.listJobs();
    expect(stored?.intake).toBe('streaming');
    const client = createBatchClient({ provider: emulated({ call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }), concurrency }), store });
    await client.resume(stored!.id);
    const job = await client.wait(stored!.id);
    const held = job.counts.total;
    // The input was cut: the job holds a prefix of it, at least what had been answered.
    expect(held).toBeGreaterThanOrEqual(2_000);
    expect(held).toBeLessThan(total);
    expect(job.status).toBe('completed');
    expect(job.counts).toMatchObject({ pending: 0, succeeded: held - 2, failed: 2 });
    expect(job.warnings.some((warning) => warning.includes(`the job holds the ${held} request(s) stored before`))).toBe(true);
    const results = [];
    for await (const result of client.results(job.id)) results.push(result);
    expect(results.map((result) => result.id)).toEqual(Array.from({ length: held }, (_, index) => `item_${index}`));
    expect(results[7]).toMatchObject({ status: 'failed', error: { category: 'invalid_request' } });
    expect(results[11]).toMatchObject({ status: 'failed', error: { category: 'invalid_request' } });

    const calls = callsByItem();
    // Every stored good request answered, none that was not stored ever sent, and only the calls in
    // flight at the kill (answered but not journaled) made twice.
    for (let item = 0; item < held; item++) if (item !== 7 && item !== 11) expect(calls.get(item) ?? 0).toBeGreaterThanOrEqual(1);
    expect([...calls.keys()].every((item) => item < held && item !== 7 && item !== 11)).toBe(true);
    const twice = [...calls.values()].filter((count) => count > 1).length;
    expect(twice).toBeLessThanOrEqual(concurrency);
    await client.close();
  }, 240_000);
});
