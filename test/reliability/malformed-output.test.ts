import OpenAI from 'openai';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createBatchClient, exponentialBackoff, fileStore, type BatchJob, type BatchResult } from 'llm-batch';
import { anthropicBatch } from 'llm-batch/anthropic';
import { openaiBatch } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServerOptions, type MockProviderServer } from 'llm-batch/testing';
import { duplicateIds, makeRequests, printCounts, readJournal, temporaryDirectory } from './helpers.js';

const total = 400;
const cleanup: Array<() => Promise<unknown>> = [];
const counts = { cases: 0, items: 0, reportedMissing: 0, warnings: 0 };

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  printCounts('malformed provider output', counts);
});

type Fetch = typeof fetch;

async function emulator(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  const server = await createMockProviderServer({ seed: 5, batch: { validatingMs: 10, processingMs: 100, finalizingMs: 10 }, ...options });
  cleanup.push(() => server.close());
  return server;
}

/** Runs one native OpenAI job through `fetch` (to tamper with what the provider sends) and checks nothing was dropped. */
async function runOpenAIJob(server: MockProviderServer, options: { fetch?: Fetch; prefix?: string } = {}) {
  const dir = await temporaryDirectory('malformed');
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const sdk = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const client = createBatchClient({
    provider: openaiBatch({ client: sdk, pollIntervalMs: 20 }),
    store: fileStore({ dir }),
    retry: exponentialBackoff({ maxRetries: 5, initialDelayMs: 10, maxDelayMs: 50 }),
    pollIntervalMs: 20,
    maxPollIntervalMs: 50,
  });
  const summary = await client.run(makeRequests(total, options.prefix ?? 'item'));
  const job = await client.status(summary.jobId);
  return { summary, job, journal: await readJournal(dir, summary.jobId) };
}

/** Every request has exactly one result, the counts agree with them, and the gaps are said. */
function expectNothingDropped(summary: { results: BatchResult[] }, job: BatchJob, journal: BatchResult[], prefix = 'item') {
  expect(summary.results).toHaveLength(total);
  expect(new Set(summary.results.map((result) => result.id)).size).toBe(total);
  expect(summary.results.every((result) => result.id.startsWith(`${prefix}_`))).toBe(true);
  expect(duplicateIds(journal)).toEqual([]);
  expect(journal).toHaveLength(total);
  expect(job.counts.pending).toBe(0);
  expect(job.counts.succeeded + job.counts.failed + job.counts.expired + job.counts.cancelled).toBe(total);
  const missing = summary.results.filter((result) => result.status === 'failed' && result.error.message.includes('no result'));
  counts.cases++;
  counts.items += total;
  counts.reportedMissing += missing.length;
  counts.warnings += job.warnings.length;
  return missing;
}

/** A fetch that rewrites the text of downloaded result files. */
function rewriteDownloads(rewrite: (text: string) => string): Fetch {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!/\/files\/[^/]+\/content$/.test(String(url))) return response;
    const text = rewrite(await response.text());
    return new Response(text, { status: response.status, headers: response.headers });
  };
}

describe('malformed provider output is reported, never a crash, never a silent drop', () => {
  it('a truncated results download: the cut lines are reported missing and the torn line is warned about', async () => {
    const server = await emulator({ batchFaults: { truncateResults: true } });
    const { summary, job, journal } = await runOpenAIJob(server);
    const missing = expectNothingDropped(summary, job, journal);
    expect(missing.length).toBeGreaterThan(total / 3);
    expect(job.warnings.some((warning) => warning.includes('not valid JSON'))).toBe(true);
  });

  it('result lines with custom_ids that were never submitted: warned about, their requests reported missing', async () => {
    const server = await emulator({ batchFaults: { unknownCustomIdRate: 0.1 } });
    const { summary, job, journal } = await runOpenAIJob(server);
    const missing = expectNothingDropped(summary, job, journal);
    // One capped warning per part, with the count of foreign lines it ignored.
    const reported = job.warnings
      .map((warning) => /returned (\d+) result\(s\) for unknown id/.exec(warning)?.[1])
      .filter((count): count is string => count !== undefined)
      .reduce((total, count) => total + Number(count), 0);
    expect(missing.length).toBeGreaterThan(0);
    expect(reported).toBe(missing.length);
  });

  it('missing result lines: each request without a line gets a failed result', async () => {
    const server = await emulator({ batchFaults: { dropLineRate: 0.1 } });
    const { summary, job, journal } = await runOpenAIJob(server);
    const missing = expectNothingDropped(summary, job, journal);
    expect(missing.length).toBeGreaterThan(total * 0.03);
    expect(missing.every((result) => result.status === 'failed' && result.error.retryable)).toBe(true);
  });

  it('non-JSON lines in a results file: warned about, their requests reported missing, the rest read', async () => {
    const server = await emulator();
    let lineNumber = 0;
    const { summary, job, journal } = await runOpenAIJob(server, {
      fetch: rewriteDownloads((text) =>
        text
          .split('\n')
          .map((line) => (line !== '' && ++lineNumber % 20 === 0 ? '<html>502 Bad Gateway</html>' : line))
          .join('\n'),
      ),
    });
    const missing = expectNothingDropped(summary, job, journal);
    expect(missing.length).toBe(Math.floor(total / 20));
    expect(job.warnings.some((warning) => warning.includes('not valid JSON'))).toBe(true);
  });

  it('a 200 line whose body is not a completion is reported as failed, not as an empty success', async () => {
    const server = await emulator();
    let lineNumber = 0;
    const { summary, job, journal } = await runOpenAIJob(server, {
      fetch: rewriteDownloads((text) =>
        text
          .split('\n')
          .map((line) => (line !== '' && ++lineNumber % 20 === 10 ? line.replace(/"body":\{.*\}\},"error"/, '"body":"<not json>"},"error"') : line))
          .join('\n'),
      ),
    });
    expectNothingDropped(summary, job, journal);
    const emptySuccesses = summary.results.filter((result) => result.status === 'succeeded' && result.text === '' && result.model === '');
    expect(emptySuccesses).toEqual([]);
    expect(summary.counts.failed).toBe(Math.floor(total / 20));
  });

  it('a results file that belongs to another batch: every foreign line is warned about, every request reported', async () => {
    const server = await emulator();
    const first = await runOpenAIJob(server, { prefix: 'other' });
    const otherBatch = await server.getBatch(first.job.parts[0]?.providerBatchId as string);
    const foreignFile = otherBatch?.output_file_id as string;
    expect(foreignFile).toBeTruthy();
    const { summary, job, journal } = await runOpenAIJob(server, {
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (!/\/batches\/batch_[^/]+$/.test(String(url))) return response;
        const batch = (await response.json()) as Record<string, unknown>;
        if (batch.output_file_id) batch.output_file_id = foreignFile;
        return new Response(JSON.stringify(batch), { status: response.status, headers: response.headers });
      },
    });
    const missing = expectNothingDropped(summary, job, journal);
    expect(missing).toHaveLength(total);
    expect(job.warnings.some((warning) => warning.includes('unknown id(s) "other_'))).toBe(true);
  });

  it('a download cut by a connection error mid-stream is read again: every item succeeds, none lost', async () => {
    const server = await emulator();
    let cut = 0;
    const { summary, job, journal } = await runOpenAIJob(server, {
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (!/\/files\/[^/]+\/content$/.test(String(url)) || cut > 0 || response.body === null) return response;
        cut++;
        // Pass the first chunk (about 150 lines), then fail the stream as a reset connection would.
        const reader = response.body.getReader();
        let passed = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            if (passed > 0) {
              // The first chunk got through; the connection drops before the second.
              controller.error(Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } }));
              return;
            }
            passed += value.byteLength;
            controller.enqueue(value);
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      },
    });
    expect(cut).toBe(1);
    expectNothingDropped(summary, job, journal);
    expect(summary.counts.succeeded).toBe(total);
  });

  it('Anthropic: truncated, foreign and missing result lines are reported, every request has one result', async () => {
    const server = await emulator({ batchFaults: { truncateResults: true, unknownCustomIdRate: 0.05, dropLineRate: 0.05 } });
    const dir = await temporaryDirectory('malformed-anthropic');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const client = createBatchClient({
      provider: anthropicBatch({ apiKey: 'k', baseURL: server.url, pollIntervalMs: 20 }),
      store: fileStore({ dir }),
      pollIntervalMs: 20,
      maxPollIntervalMs: 50,
    });
    const summary = await client.run(makeRequests(total, 'item', 'claude-haiku-4-5'));
    const job = await client.status(summary.jobId);
    const missing = expectNothingDropped(summary, job, await readJournal(dir, summary.jobId));
    expect(missing.length).toBeGreaterThan(total / 3);
    expect(job.warnings.some((warning) => warning.includes('unknown id'))).toBe(true);
    expect(job.warnings.some((warning) => warning.includes('not valid JSON'))).toBe(true);
  });
});
