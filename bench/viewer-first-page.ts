/**
 * The viewer's job page for a job of a million results: how long the server takes to answer the
 * job (`/api/jobs/ID`) and its first page of results (`/api/jobs/ID/results?limit=50`), the first
 * page of a status filter, and pages deep in the journal opened directly: the first one (which
 * builds the file store's sparse index of the journal) and then others anywhere in it.
 *
 * The job is written straight into a file store (one part of `count` requests, every 100th result
 * failed), not run: the emulator would take minutes to answer a million requests.
 *
 * Run: node --import tsx bench/viewer-first-page.ts [count]   (default 1,000,000)
 * Imports the built package: run `npm run build` first. Prints one JSON object on one line.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStore, type BatchResult, type JobManifest } from 'llm-batch';
import { startViewer } from 'llm-batch/viewer';

const count = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'llm-batch-viewer-bench-'));
const store = fileStore({ dir });
const jobId = 'job_million';

const writeStarted = performance.now();
const writer = await store.createRequestWriter(jobId, 0);
for (let start = 0; start < count; start += 10_000) {
  const results: BatchResult[] = [];
  for (let index = start; index < Math.min(count, start + 10_000); index++) {
    await writer.write({ index, request: { id: `item_${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `Question number ${index}?` }] } });
    results.push(
      index % 100 === 99
        ? { id: `item_${index}`, status: 'failed', error: { category: 'rate_limit', message: `429 for item ${index}`, retryable: true }, attempts: 3 }
        : { id: `item_${index}`, status: 'succeeded', text: `Answer number ${index}.`, finishReason: 'stop', model: 'gpt-5.4-mini', usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13 } },
    );
  }
  await store.appendResults(jobId, results);
}
await writer.close();
const failed = Math.floor(count / 100);
const counts = { total: count, succeeded: count - failed, failed, cancelled: 0, expired: 0, pending: 0 };
const now = new Date().toISOString();
const job: JobManifest = {
  id: jobId,
  provider: 'openai',
  mode: 'native',
  status: 'completed',
  counts,
  createdAt: now,
  updatedAt: now,
  endedAt: now,
  parts: [{ id: `${jobId}_part_0`, index: 0, status: 'completed', requestCount: count, submitState: 'submitted', resultsStored: true, counts }],
  metadata: {},
  warnings: [],
};
await store.saveJob(job);
const writeSeconds = (performance.now() - writeStarted) / 1000;
const journalMb = (await stat(join(dir, jobId, 'results.jsonl'))).size / 1e6;

const viewer = await startViewer({ store });
const headers = { 'x-viewer-token': viewer.token };
const origin = `http://127.0.0.1:${viewer.port}`;

async function timeIt(path: string, runs: number): Promise<{ medianMs: number; maxMs: number }> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const response = await fetch(`${origin}${path}`, { headers });
    await response.text();
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { medianMs: round(times[Math.floor(times.length / 2)]!), maxMs: round(times[times.length - 1]!) };
}

async function timeNextPages(from: number, pages: number): Promise<{ medianMs: number; maxMs: number }> {
  await (await fetch(`${origin}/api/jobs/${jobId}/results?limit=50&offset=${from}`, { headers })).text();
  const times: number[] = [];
  for (let page = 1; page <= pages; page++) {
    const started = performance.now();
    const response = await fetch(`${origin}/api/jobs/${jobId}/results?limit=50&offset=${from + page * 50}`, { headers });
    await response.text();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { medianMs: round(times[Math.floor(times.length / 2)]!), maxMs: round(times[times.length - 1]!) };
}

/** Pages opened directly at offsets spread over the journal (each one afresh, no "Next"). */
async function timeDeepPages(pages: number): Promise<{ medianMs: number; maxMs: number }> {
  const times: number[] = [];
  for (let page = 0; page < pages; page++) {
    const offset = Math.floor(((page * 7919) % pages) * (count / pages)) + 17 * page;
    const started = performance.now();
    const response = await fetch(`${origin}/api/jobs/${jobId}/results?limit=50&offset=${offset}`, { headers });
    const body = (await response.json()) as { items: { id: string }[] };
    times.push(performance.now() - started);
    if (body.items[0]?.id !== `item_${offset}`) throw new Error(`offset ${offset}: the page starts with ${body.items[0]?.id}`);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { medianMs: round(times[Math.floor(times.length / 2)]!), maxMs: round(times[times.length - 1]!) };
}

try {
  const report = {
    results: count,
    journalMb: Math.round(journalMb),
    writeSeconds: Math.round(writeSeconds * 10) / 10,
    job: await timeIt(`/api/jobs/${jobId}`, 20),
    firstPage: await timeIt(`/api/jobs/${jobId}/results?limit=50`, 20),
    firstFailedPage: await timeIt(`/api/jobs/${jobId}/results?limit=50&status=failed`, 20),
    // The first page opened deep in the journal builds the sparse index (one scan of the file, no parsing).
    middlePageFirst: await timeIt(`/api/jobs/${jobId}/results?limit=50&offset=${Math.floor(count / 2)}`, 1),
    middlePage: await timeIt(`/api/jobs/${jobId}/results?limit=50&offset=${Math.floor(count / 2)}`, 3),
    deepPages: await timeDeepPages(20),
    // "Next" after a page: the server reads on from where that page stopped.
    nextPages: await timeNextPages(Math.floor(count / 2), 20),
    node: process.version,
  };
  console.log(JSON.stringify(report));
} finally {
  await viewer.close();
  await rm(dir, { recursive: true, force: true });
}
