import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, fileStore, type BatchClient } from 'llm-batch';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type JournalEntry, type MockProviderServer } from 'llm-batch/testing';
import { duplicateIds, printCounts, readJournal, temporaryDirectory } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/crash-client.ts', import.meta.url));
const nativeCount = 1_200;
const emulatedCount = 1_500;
const concurrency = 16;
const rounds = 3;
const apiKey = 'crash-loop-key';

type Scenario = 'during-upload' | 'after-create' | 'mid-results' | 'mid-emulated-run';
const scenarios: Scenario[] = ['during-upload', 'after-create', 'mid-results', 'mid-emulated-run'];

let server: MockProviderServer;
const directories: string[] = [];
const counts = { jobs: 0, kills: 0, killsByPoint: {} as Record<string, number>, childrenFinishedBeforeKill: 0, items: 0, paidTwice: 0 };

beforeAll(async () => {
  server = await createMockProviderServer({
    seed: 9,
    journalLimit: 1_000_000,
    // Slow enough uploads, creates and downloads that a kill can land inside them.
    latency: { 'chat.completions': 5, 'files.upload': 120, 'batches.create': 60, 'files.content': 40, default: 0 },
    batch: { validatingMs: 100, processingMs: 600, finalizingMs: 50 },
  });
});

afterAll(async () => {
  await server?.close();
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
  printCounts('crash-resume', {
    jobs: counts.jobs,
    items: counts.items,
    kills: counts.kills,
    ...Object.fromEntries(Object.entries(counts.killsByPoint).map(([point, value]) => [`kills_${point}`, value])),
    childrenFinishedBeforeKill: counts.childrenFinishedBeforeKill,
    emulatedCallsPaidTwice: counts.paidTwice,
  });
});

function randomBetween(low: number, high: number): number {
  return low + Math.random() * (high - low);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a client process and kills it with SIGKILL once `killWhen` says so (it sees the
 * emulator's journal entries since the start, and its counters). Returns whether it was killed.
 */
async function runChild(
  args: string[],
  point: string,
  killWhen: (entries: JournalEntry[]) => boolean,
  killDelayMs: () => number,
): Promise<boolean> {
  const start = server.journal.length;
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  let exitCode: number | null = null;
  const exit = new Promise<void>((resolve) =>
    process_.once('exit', (code) => {
      exited = true;
      exitCode = code;
      resolve();
    }),
  );
  const deadline = Date.now() + 120_000;
  while (!exited && Date.now() < deadline) {
    if (killWhen(server.journal.slice(start))) {
      await sleep(killDelayMs());
      if (exited) break;
      process_.kill('SIGKILL');
      await exit;
      counts.kills++;
      counts.killsByPoint[point] = (counts.killsByPoint[point] ?? 0) + 1;
      return true;
    }
    await sleep(2);
  }
  if (!exited) {
    process_.kill('SIGKILL');
    await exit;
    throw new Error(`client process did not reach "${point}" in time: ${stderr}`);
  }
  if (exitCode !== 0) throw new Error(`client process failed (${String(exitCode)}): ${stderr}`);
  counts.childrenFinishedBeforeKill++;
  return false;
}

const seen = (endpoint: JournalEntry['endpoint'], inFlight = false) => (entries: JournalEntry[]) =>
  entries.some((entry) => entry.endpoint === endpoint && (!inFlight || entry.status === 0));

function parentClient(mode: 'native' | 'emulated', dir: string): BatchClient {
  const baseURL = `${server.url}/v1`;
  if (mode === 'emulated') {
    return createBatchClient({ provider: emulated({ call: openaiChat({ apiKey, baseURL }), concurrency }), store: fileStore({ dir }) });
  }
  const adapter = openaiBatch({ apiKey, baseURL, pollIntervalMs: 20 });
  return createBatchClient({
    provider: { ...adapter, limits: { ...adapter.limits, maxRequests: 300 } },
    store: fileStore({ dir }),
    pollIntervalMs: 20,
    maxPollIntervalMs: 50,
  });
}

/** The one job of a store folder, once the killed process has written its manifest. */
async function onlyJob(client: BatchClient): Promise<string | undefined> {
  const jobs = await client.list();
  expect(jobs.length).toBeLessThanOrEqual(1);
  return jobs[0]?.id;
}

/** Successful emulator calls per prompt of this job. */
function paidCalls(prefix: string): number[] {
  return Object.entries(server.stats().successfulCallsByKey)
    .filter(([key]) => key.startsWith(`${prefix} prompt `))
    .map(([, value]) => value);
}

describe('kill -9 at random points, then resume', () => {
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      it(`round ${round + 1}: ${scenario}`, async () => {
        const mode = scenario === 'mid-emulated-run' ? 'emulated' : 'native';
        const count = mode === 'emulated' ? emulatedCount : nativeCount;
        const prefix = `r${round}${scenario.replace(/-/g, '')}`;
        const dir = await temporaryDirectory('crash');
        directories.push(dir);
        counts.jobs++;
        counts.items += count;
        const journalStart = server.journal.length;
        const base = [mode, 'run', `${server.url}/v1`, dir, String(count), prefix];
        let kills = 0;

        // First process: killed at the scenario's point.
        const killedFirst = await runChild(
          base,
          scenario,
          scenario === 'during-upload'
            ? seen('files.upload', true)
            : scenario === 'after-create'
              ? seen('batches.create')
              : scenario === 'mid-results'
                ? seen('files.content')
                : () => paidCalls(prefix).length >= count * randomBetween(0.1, 0.6),
          () => (scenario === 'during-upload' ? randomBetween(0, 60) : scenario === 'mid-emulated-run' ? 0 : randomBetween(0, 50)),
        );
        if (killedFirst) kills++;

        const client = parentClient(mode, dir);
        let jobId = await onlyJob(client);
        // Second process: resumes the job and is killed again, mid-run or mid-results.
        if (jobId !== undefined && killedFirst) {
          const job = await client.status(jobId).catch(() => undefined);
          if (job && job.endedAt === undefined) {
            const resumeArgs = [mode, 'resume', `${server.url}/v1`, dir, String(count), prefix, jobId];
            const already = paidCalls(prefix).length;
            const killedSecond = await runChild(
              resumeArgs,
              mode === 'emulated' ? 'mid-emulated-run' : 'resume-mid-results',
              mode === 'emulated' ? () => paidCalls(prefix).length >= already + (count - already) * randomBetween(0.2, 0.6) : seen('files.content'),
              () => randomBetween(0, 40),
            );
            if (killedSecond) kills++;
          }
        }

        // A fresh client in this process finishes the job.
        const finisher = parentClient(mode, dir);
        jobId ??= await onlyJob(finisher);
        if (jobId === undefined) {
          // Killed before the manifest was written: nothing was sent to the provider for it.
          const sent = server.journal.slice(journalStart).filter((entry) => ['files.upload', 'batches.create', 'chat.completions'].includes(entry.endpoint));
          expect(sent).toEqual([]);
          return;
        }
        await finisher.resume(jobId);
        const done = await finisher.wait(jobId);
        expect(done.status).toBe('completed');
        expect(done.counts).toMatchObject({ total: count, succeeded: count, pending: 0 });
        const ids: string[] = [];
        for await (const result of finisher.results(jobId)) {
          expect(result.status).toBe('succeeded');
          ids.push(result.id);
        }
        expect(ids).toHaveLength(count);
        expect(new Set(ids).size).toBe(count);
        // The results journal holds every id once, across every process that wrote to it.
        expect(duplicateIds(await readJournal(dir, jobId))).toEqual([]);

        if (mode === 'native') {
          // No provider batch created twice: exactly one emulator batch per part of this job.
          const batchesPerPart = new Map<string, number>();
          let requestsInBatches = 0;
          for (const summary of await server.batches()) {
            const batch = await server.getBatch(summary.id);
            const metadata = (batch?.metadata ?? {}) as Record<string, string>;
            if (metadata.llm_batch_job !== jobId) continue;
            const part = metadata.llm_batch_part as string;
            batchesPerPart.set(part, (batchesPerPart.get(part) ?? 0) + 1);
            requestsInBatches += summary.total;
          }
          expect(batchesPerPart.size).toBe(done.parts.length);
          expect([...batchesPerPart.values()].every((value) => value === 1)).toBe(true);
          // Each request is in exactly one created batch.
          expect(requestsInBatches).toBe(count);
        } else {
          // Only calls in flight at a kill (answered but not yet journaled) can be paid twice.
          const paid = paidCalls(prefix);
          expect(paid).toHaveLength(count);
          const extra = paid.reduce((sum, value) => sum + value - 1, 0);
          expect(extra).toBeLessThanOrEqual(concurrency * kills);
          expect(Math.max(...paid)).toBeLessThanOrEqual(1 + kills);
          counts.paidTwice += extra;
        }
      });
    }
  }

  it('killed the client at least 20 times', () => {
    expect(counts.kills).toBeGreaterThanOrEqual(20);
  });
});
