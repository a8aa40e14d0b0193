import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreDamageError } from '../../src/errors/store-damage-error.js';
import type { JobManifest } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchStore, LeaseHolder } from '../../src/store/batch-store.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';

const temporaryDirectory = (): Promise<string> => mkdtemp(join(tmpdir(), 'llm-batch-lease-'));

const holder = (id: string, pid = process.pid, host = hostname()): LeaseHolder => ({ id, host, pid });

function job(id: string): JobManifest {
  const now = new Date().toISOString();
  return {
    id,
    provider: 'fake',
    mode: 'native',
    status: 'in_progress',
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

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

for (const [name, create] of [
  ['fileStore', async () => fileStore({ dir: await temporaryDirectory() })],
  ['memoryStore', async () => memoryStore()],
] as const) {
  describe(`${name} leases`, () => {
    it('grants a free lease, refuses a second holder while it lasts, and frees it on release', async () => {
      const store: BatchStore = await create();
      await store.saveJob(job('job_l'));
      const first = await store.acquireLease('job_l', holder('a'), 30_000);
      expect(first.acquired).toBe(true);
      const second = await store.acquireLease('job_l', holder('b'), 30_000);
      expect(second).toMatchObject({ acquired: false, lease: { holder: { id: 'a', pid: process.pid } } });
      await store.releaseLease('job_l', holder('b'));
      expect((await store.readLease('job_l'))?.holder.id).toBe('a');
      await store.releaseLease('job_l', holder('a'));
      expect(await store.readLease('job_l')).toBeUndefined();
      expect((await store.acquireLease('job_l', holder('b'), 30_000)).acquired).toBe(true);
    });

    it('renews for its holder only, and lets a lapsed lease be taken over', async () => {
      const store = await create();
      await store.saveJob(job('job_r'));
      await store.acquireLease('job_r', holder('a'), 1_000);
      expect(await store.renewLease('job_r', holder('a'), 1_000)).toBe(true);
      expect(await store.renewLease('job_r', holder('b'), 1_000)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await store.acquireLease('job_r', holder('b'), 30_000)).acquired).toBe(true);
      // The old holder learns that it lost the lease at its next renewal.
      expect(await store.renewLease('job_r', holder('a'), 1_000)).toBe(false);
    });

    it('records a cancel request that any client reads', async () => {
      const store = await create();
      await store.saveJob(job('job_c'));
      expect(await store.cancelRequested('job_c')).toBeUndefined();
      await store.requestCancel('job_c');
      const when = await store.cancelRequested('job_c');
      expect(Date.parse(when!)).toBeGreaterThan(Date.now() - 60_000);
      await store.requestCancel('job_c');
      expect(await store.cancelRequested('job_c')).toBe(when);
    });
  });
}

describe('fileStore leases across processes', () => {
  it('takes over at once the lease of a dead process of this host, not that of a live one', async () => {
    const store = fileStore({ dir: await temporaryDirectory() });
    await store.saveJob(job('job_d'));
    expect((await store.acquireLease('job_d', holder('dead', await deadPid()), 3_600_000)).acquired).toBe(true);
    expect((await store.acquireLease('job_d', holder('alive'), 3_600_000)).acquired).toBe(true);
    // A live process of another host is trusted until its lease lapses.
    const other = fileStore({ dir: await temporaryDirectory() });
    await other.saveJob(job('job_h'));
    await other.acquireLease('job_h', holder('remote', 1, 'another-host'), 3_600_000);
    expect((await other.acquireLease('job_h', holder('local'), 3_600_000)).acquired).toBe(false);
  });

  it('gives a free lease to exactly one of many processes that race for it', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.saveJob(job('job_race'));
    const script = `
      import { fileStore } from ${JSON.stringify(new URL('../../src/store/file-store.ts', import.meta.url).pathname)};
      const store = fileStore({ dir: process.argv[1] });
      const attempt = await store.acquireLease('job_race', { id: 'p' + process.pid, host: 'h', pid: process.pid }, 60_000);
      process.stdout.write(attempt.acquired ? 'won' : 'lost');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    `;
    const racers = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return new Promise<string>((resolve) => child.once('exit', () => resolve(output)));
    });
    const outcomes = await Promise.all(racers);
    expect(outcomes.filter((outcome) => outcome === 'won')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'lost')).toHaveLength(5);
  }, 60_000);

  it('counts an unreadable lease file as lapsed, so it never locks a job for good', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.saveJob(job('job_u'));
    await writeFile(join(dir, 'job_u', 'lease.json'), '{"holder": tor');
    expect((await store.acquireLease('job_u', holder('a'), 30_000)).acquired).toBe(true);
  });
});

describe('fileStore damage is reported, never skipped', () => {
  it('reports a bad line in the middle of the journal with the file and its line number', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.appendResults('job_g', [succeeded('a'), succeeded('b')]);
    await appendFile(join(dir, 'job_g', 'results.jsonl'), 'garbage that is not json\n');
    await store.appendResults('job_g', [succeeded('c')]);
    const error = await collect(store.readResults('job_g')).catch((caught: unknown) => caught);
    expect(StoreDamageError.isInstance(error)).toBe(true);
    expect((error as StoreDamageError).line).toBe(3);
    expect((error as Error).message).toContain(join(dir, 'job_g', 'results.jsonl'));
    expect((error as Error).message).toContain('line 3');
  });

  it('reports a line that is JSON but not a result', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.appendResults('job_n', [succeeded('a')]);
    await appendFile(join(dir, 'job_n', 'results.jsonl'), '{"id":"b","status":"weird"}\n');
    await expect(collect(store.readResults('job_n'))).rejects.toThrow(/line 2: not a result/);
  });

  it('cuts a torn tail before the next append, so a torn line is only ever the last one', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.appendResults('job_t', [succeeded('a')]);
    await appendFile(join(dir, 'job_t', 'results.jsonl'), '{"id":"b","status":"succ');
    expect((await collect(store.readResults('job_t'))).map((result) => result.id)).toEqual(['a']);
    const reopened = fileStore({ dir });
    await reopened.appendResults('job_t', [succeeded('c')]);
    expect(await readFile(join(dir, 'job_t', 'results.jsonl'), 'utf8')).not.toContain('"succ\n');
    expect((await collect(reopened.readResults('job_t'))).map((result) => result.id)).toEqual(['a', 'c']);
  });

  it('names the job and the file of a manifest that cannot be read, and lists the other jobs', async () => {
    const dir = await temporaryDirectory();
    const store = fileStore({ dir });
    await store.saveJob(job('job_ok'));
    await store.saveJob(job('job_bad'));
    await writeFile(join(dir, 'job_bad', 'job.json'), '{"id": "job_bad", "status": ');
    await expect(store.loadJob('job_bad')).rejects.toThrow(`Job job_bad: the store is damaged at ${join(dir, 'job_bad', 'job.json')}: the manifest is not JSON`);
    await store.saveJob(job('job_shape'));
    await writeFile(join(dir, 'job_shape', 'job.json'), JSON.stringify({ ...job('job_shape'), counts: { total: 'many' } }));
    await expect(store.loadJob('job_shape')).rejects.toThrow(/field "counts\.total"/);
    const damaged: StoreDamageError[] = [];
    const listed = await store.listJobs({ onDamaged: (error) => damaged.push(error) });
    expect(listed.map((item) => item.id)).toEqual(['job_ok']);
    expect(damaged.map((error) => error.jobId).sort()).toEqual(['job_bad', 'job_shape']);
  });

  it('says which folder cannot be written, instead of a bare ENOENT or ENOTDIR', async () => {
    const dir = await temporaryDirectory();
    // A file where the store's folder should be: no process, root included, can create the store there.
    await writeFile(join(dir, 'blocker'), '');
    const store = fileStore({ dir: join(dir, 'blocker', 'jobs') });
    const error = await store.saveJob(job('job_ro')).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^The job store .*blocker\/jobs cannot be written \((ENOTDIR|EEXIST|ENOENT)/);
    expect((error as Error).message).toContain('--store DIR');
  });
});
