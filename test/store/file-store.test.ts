import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { JobManifest } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchStore } from '../../src/store/batch-store.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { BufferedRequestWriter } from '../../src/store/request-file.js';

async function temporaryDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'llm-batch-store-'));
}

function job(id: string, status: JobManifest['status'] = 'in_progress'): JobManifest {
  const now = new Date().toISOString();
  return {
    id,
    provider: 'fake',
    mode: 'native',
    status,
    counts: { total: 1, succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: 1 },
    createdAt: now,
    updatedAt: now,
    parts: [],
    metadata: {},
    warnings: [],
  };
}

const succeeded = (id: string): BatchResult => ({
  id,
  status: 'succeeded',
  text: `answer ${id}`,
  finishReason: 'stop',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  model: 'm',
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

for (const [name, create] of [
  ['fileStore', async () => fileStore({ dir: await temporaryDirectory() })],
  ['memoryStore', async () => memoryStore()],
] as const) {
  describe(`${name} contract`, () => {
    it('saves, loads and lists jobs', async () => {
      const store: BatchStore = await create();
      await store.saveJob(job('job_a'));
      await store.saveJob(job('job_b', 'completed'));
      expect((await store.loadJob('job_a'))?.status).toBe('in_progress');
      expect((await store.listJobs()).map((item) => item.id).sort()).toEqual(['job_a', 'job_b']);
      expect(await store.loadJob('job_missing')).toBeUndefined();
    });

    it('writes requests per part and reads them back in order', async () => {
      const store = await create();
      const writer = await store.createRequestWriter('job_r', 0);
      for (let index = 0; index < 5; index++) {
        await writer.write({ index, request: { id: `r${index}`, messages: [{ role: 'user', content: `q${index}` }] } });
      }
      await writer.close();
      const read = await collect(store.readRequests('job_r', 0));
      expect(read.map((record) => record.index)).toEqual([0, 1, 2, 3, 4]);
      expect(read[3]?.request.id).toBe('r3');
    });

    it('appends results in order, including concurrent appends', async () => {
      const store = await create();
      await Promise.all(Array.from({ length: 50 }, (_, index) => store.appendResults('job_j', [succeeded(`i${index}`)])));
      const ids = (await collect(store.readResults('job_j'))).map((result) => result.id);
      expect(ids.sort()).toEqual(Array.from({ length: 50 }, (_, index) => `i${index}`).sort());
    });

    it('deletes a job', async () => {
      const store = await create();
      await store.saveJob(job('job_d'));
      await store.appendResults('job_d', [succeeded('x')]);
      await store.deleteJob('job_d');
      expect(await store.loadJob('job_d')).toBeUndefined();
      expect(await collect(store.readResults('job_d'))).toEqual([]);
    });
  });
}

describe('fileStore on disk', () => {
  it('keeps prompt files private (mode 0600)', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.saveJob(job('job_m'));
    const writer = await store.createRequestWriter('job_m', 0);
    await writer.write({ index: 0, request: { id: 'a', messages: [{ role: 'user', content: 'secret prompt' }] } });
    await writer.close();
    await store.appendResults('job_m', [succeeded('a')]);
    for (const name of await readdir(join(dir, 'job_m'))) {
      expect((await stat(join(dir, 'job_m', name))).mode & 0o777, name).toBe(0o600);
    }
  });

  it('writes requests of any text and size through its buffer, byte for byte, over many megabytes', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    const writer = await store.createRequestWriter('job_w', 0);
    // Multi-byte text (2, 3 and 4 bytes a character, a lone surrogate), records larger than the
    // 1 MiB buffer, and enough records to fill it many times; both write paths, waited as the planner does.
    const contents = ['plain', 'é'.repeat(300_000), '漢字'.repeat(200_000), '😀'.repeat(150_000), 'a\ud800b', 'x'.repeat(2_000_000), 'ü\n"\\'];
    const written: Array<{ index: number; request: { id: string; messages: Array<{ role: 'user'; content: string }> } }> = [];
    for (let index = 0; index < 3_000; index++) {
      const content = index % 1_500 < contents.length ? contents[index % 1_500]! : `prompt ${index} ${'ß'.repeat(index % 700)}`;
      const record = { index, request: { id: `r${index}`, messages: [{ role: 'user' as const, content }] } };
      written.push(record);
      const pending = index % 3 === 0 ? writer.write(record) : writer.writeJson!(index, JSON.stringify(record.request));
      if (pending) await pending;
    }
    await writer.close();
    const read = await collect(store.readRequests('job_w', 0));
    expect(read.length).toBe(written.length);
    expect(read).toEqual(written.map((record) => ({ index: record.index, request: JSON.parse(JSON.stringify(record.request)) as unknown })));
    const text = await readFile(join(dir, 'job_w', 'requests-0.jsonl'), 'utf8');
    expect(text).toBe(written.map((record) => `${JSON.stringify(record)}\n`).join(''));
  });

  it.runIf(existsSync('/dev/full'))('closes a requests file whose write failed, and says why', async () => {
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    const handle = await open('/dev/full', 'w');
    const writer = new BufferedRequestWriter(handle);
    await writer.writeJson(0, JSON.stringify({ id: 'a', messages: [{ role: 'user', content: 'q' }] }));
    await expect(writer.close()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(handle.fd).toBe(-1);
  });

  it('ignores a torn last journal line and starts the next append on a fresh line', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.appendResults('job_t', [succeeded('a')]);
    // A crash mid-append leaves half a record with no newline.
    await appendFile(join(dir, 'job_t', 'results.jsonl'), '{"id":"b","status":"succ');
    expect((await collect(store.readResults('job_t'))).map((result) => result.id)).toEqual(['a']);
    const reopened = fileStore({ dir });
    await reopened.appendResults('job_t', [succeeded('c')]);
    expect((await collect(reopened.readResults('job_t'))).map((result) => result.id)).toEqual(['a', 'c']);
  });

  it('writes the manifest atomically, leaving no temp files behind', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.saveJob({ ...job('job_x'), warnings: [`w${index}`] })));
    const names = await readdir(join(dir, 'job_x'));
    expect(names).toEqual(['job.json']);
    expect(JSON.parse(await readFile(join(dir, 'job_x', 'job.json'), 'utf8')).id).toBe('job_x');
  });

  it('refuses job ids that would leave the store', async () => {
    const store = fileStore({ dir: await temporaryDirectory() });
    await expect(store.loadJob('../etc')).rejects.toThrow(/Invalid job id/);
  });

  it('skips unreadable folders when listing', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.saveJob(job('job_ok'));
    await store.saveJob(job('job_bad'));
    await writeFile(join(dir, 'job_bad', 'job.json'), '{not json');
    expect((await store.listJobs()).map((item) => item.id)).toEqual(['job_ok']);
  });

  it('uses LLM_BATCH_DIR when no dir is given', async () => {
    const dir = await temporaryDirectory();
    const previous = process.env.LLM_BATCH_DIR;
    process.env.LLM_BATCH_DIR = dir;
    try {
      await fileStore().saveJob(job('job_env'));
    } finally {
      if (previous === undefined) delete process.env.LLM_BATCH_DIR;
      else process.env.LLM_BATCH_DIR = previous;
    }
    expect(await readdir(dir)).toEqual(['job_env']);
  });

  it('never writes an API key', async () => {
    const dir = await temporaryDirectory();
    const sentinel = 'sk-SENTINEL-do-not-store-0123456789';
    const provider = fakeBatchProvider();
    Object.assign(provider, { apiKey: sentinel });
    const client = createBatchClient({ provider, store: fileStore({ dir }), pollIntervalMs: 1 });
    const summary = await client.run([{ id: 'a', messages: [{ role: 'user', content: 'hi' }] }], { model: 'm' });
    const files = await readdir(join(dir, summary.jobId));
    for (const name of files) expect(await readFile(join(dir, summary.jobId, name), 'utf8')).not.toContain(sentinel);
  });
});
