import OpenAI from 'openai';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, exponentialBackoff, fileStore, metricsObserver, type BatchResult } from 'llm-batch';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';
import { duplicateIds, makeRequests, printCounts, readJournal, temporaryDirectory } from './helpers.js';

const emulatedTotal = 20_000;
const nativeTotal = 20_000;
const nativePartSize = 2_000;
const counts: Record<string, number | string> = {};
const cleanup: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  printCounts('fault soak', counts);
});

function tally(results: readonly BatchResult[]): Record<string, number> {
  const byStatus: Record<string, number> = {};
  for (const result of results) byStatus[result.status] = (byStatus[result.status] ?? 0) + 1;
  return byStatus;
}

describe('fault soak', () => {
  it('20,000 emulated requests under every HTTP fault at once: each item terminal exactly once, bounded retries', async () => {
    const server: MockProviderServer = await createMockProviderServer({
      seed: 20,
      journalLimit: 200_000,
      faults: {
        rates: { '500': 0.02, '502': 0.02, '503': 0.02, '529': 0.02, '429': 0.03, reset: 0.015, hang: 0.002, malformed: 0.005 },
        retryAfterMs: 20,
      },
    });
    const dir = await temporaryDirectory('soak-emulated');
    cleanup.push(() => server.close(), () => rm(dir, { recursive: true, force: true }));
    const metrics = metricsObserver();
    const client = createBatchClient({
      provider: emulated({
        call: openaiChat({ apiKey: 'soak-key', baseURL: `${server.url}/v1` }),
        concurrency: 64,
        // Short enough that hangs cost little, long enough for a loaded 2-core machine.
        timeoutMs: 2_000,
        observers: [metrics],
        retry: exponentialBackoff({ maxRetries: 8, initialDelayMs: 10, maxDelayMs: 200 }),
      }),
      store: fileStore({ dir }),
      pollIntervalMs: 100,
    });
    const started = Date.now();
    const summary = await client.run(makeRequests(emulatedTotal, 'emu'));
    counts.emulatedSeconds = ((Date.now() - started) / 1000).toFixed(1);

    expect(summary.status).toBe('completed');
    expect(summary.results).toHaveLength(emulatedTotal);
    expect(new Set(summary.results.map((result) => result.id)).size).toBe(emulatedTotal);
    const journal = await readJournal(dir, summary.jobId);
    expect(duplicateIds(journal)).toEqual([]);
    expect(journal).toHaveLength(emulatedTotal);
    expect(summary.counts.pending).toBe(0);
    const byStatus = tally(summary.results);
    expect(summary.counts).toMatchObject({ total: emulatedTotal, succeeded: byStatus.succeeded ?? 0, failed: byStatus.failed ?? 0 });

    const stats = server.stats();
    const faults = Object.values(stats.faults).reduce((sum, value) => sum + (value ?? 0), 0);
    const calls = stats.byEndpoint['chat.completions'] ?? 0;
    const journaledCalls = server.journal.filter((entry) => entry.endpoint === 'chat.completions').length;
    expect(journaledCalls).toBe(calls);
    // Every fault kind happened.
    for (const kind of ['500', '502', '503', '529', '429', 'reset', 'hang', 'malformed'] as const) {
      expect(stats.faults[kind] ?? 0, kind).toBeGreaterThan(10);
    }
    // Transient faults are recovered; a cut-off 200 body is not retried (see docs/reliability.md) and
    // fails its item as `unknown`. Nothing else fails.
    const failed = summary.results.filter((result): result is Extract<BatchResult, { status: 'failed' }> => result.status === 'failed');
    const malformedFailures = failed.filter((result) => /JSON/.test(result.error.message));
    expect(failed.length - malformedFailures.length).toBeLessThan(emulatedTotal * 0.001);
    expect(malformedFailures.length).toBeLessThanOrEqual(stats.faults.malformed ?? 0);
    // A succeeded item is paid twice only when the emulator answered after our timeout had fired.
    const timeoutRetries = metrics.toJSON().retriesByCategory.timeout ?? 0;
    const paidTwice = Object.values(stats.successfulCallsByKey).reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    expect(paidTwice).toBeLessThanOrEqual(timeoutRetries);
    const amplification = calls / emulatedTotal;
    expect(amplification).toBeLessThan(1.6);

    Object.assign(counts, {
      emulatedItems: emulatedTotal,
      emulatedSucceeded: byStatus.succeeded ?? 0,
      emulatedFailed: byStatus.failed ?? 0,
      emulatedFailedOnMalformedBody: malformedFailures.length,
      emulatedPaidTwice: paidTwice,
      emulatedFaultsInjected: faults,
      emulatedCalls: calls,
      emulatedCallsPerItem: amplification.toFixed(3),
    });
  });

  it('20,000 native requests in 10 batches with item errors, dropped and foreign lines, truncated downloads, an expired part and 5xx on status and results calls', async () => {
    const server = await createMockProviderServer({
      seed: 21,
      journalLimit: 200_000,
      batch: { validatingMs: 50, processingMs: 400, finalizingMs: 50 },
      batchFaults: { itemErrorRate: 0.02, dropLineRate: 0.005, unknownCustomIdRate: 0.005 },
      faults: {
        rates: { '500': 0.08, '502': 0.04, '503': 0.04, reset: 0.03, truncated: 0.15 },
        endpoints: ['batches.retrieve', 'files.content'],
      },
    });
    const dir = await temporaryDirectory('soak-native');
    cleanup.push(() => server.close(), () => rm(dir, { recursive: true, force: true }));
    // Part 3's batch is created with the emulator's `expire` fault: it expires halfway through.
    const expiringPart = '_p3"';
    const sdk = new OpenAI({
      apiKey: 'soak-key',
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
      fetch: async (url, init) => {
        if (String(url).endsWith('/batches') && init?.method === 'POST' && String(init.body).includes(expiringPart)) {
          const headers = new Headers(init.headers);
          headers.set('x-mock-fault', 'expire');
          return fetch(url, { ...init, headers });
        }
        return fetch(url, init);
      },
    });
    const adapter = openaiBatch({ client: sdk, pollIntervalMs: 50 });
    const client = createBatchClient({
      provider: { ...adapter, limits: { ...adapter.limits, maxRequests: nativePartSize } },
      store: fileStore({ dir }),
      retry: exponentialBackoff({ maxRetries: 10, initialDelayMs: 10, maxDelayMs: 200 }),
      pollIntervalMs: 50,
      maxPollIntervalMs: 200,
    });
    const started = Date.now();
    const summary = await client.run(makeRequests(nativeTotal, 'nat'));
    counts.nativeSeconds = ((Date.now() - started) / 1000).toFixed(1);
    const job = await client.status(summary.jobId);

    expect(job.parts).toHaveLength(nativeTotal / nativePartSize);
    // Ended: every part terminal and every result stored.
    expect(job.endedAt).toBeDefined();
    expect(job.parts.filter((part) => part.status === 'expired')).toHaveLength(1);
    // Every request has exactly one result: none lost, none twice, none invented.
    expect(summary.results).toHaveLength(nativeTotal);
    const ids = new Set(summary.results.map((result) => result.id));
    expect(ids.size).toBe(nativeTotal);
    expect([...ids].every((id) => /^nat_\d+$/.test(id))).toBe(true);
    const journal = await readJournal(dir, summary.jobId);
    expect(duplicateIds(journal)).toEqual([]);
    expect(journal).toHaveLength(nativeTotal);
    const byStatus = tally(summary.results);
    expect(job.counts).toMatchObject({
      total: nativeTotal,
      succeeded: byStatus.succeeded ?? 0,
      failed: byStatus.failed ?? 0,
      expired: byStatus.expired ?? 0,
      pending: 0,
    });
    expect(byStatus.expired ?? 0).toBeGreaterThan(0);
    // Item errors come back as server failures; lines that never arrived are failures that say so.
    const failed = summary.results.filter((result): result is Extract<BatchResult, { status: 'failed' }> => result.status === 'failed');
    const missing = failed.filter((result) => result.error.message.includes('no result'));
    const itemErrors = failed.filter((result) => result.error.category === 'server');
    expect(itemErrors.length).toBeGreaterThan(nativeTotal * 0.01);
    expect(missing.length).toBeGreaterThan(0);
    expect(failed.every((result) => result.error.retryable)).toBe(true);
    // Foreign ids and torn lines were reported on the job, not silently swallowed.
    expect(job.warnings.some((warning) => warning.includes('unknown id'))).toBe(true);
    expect(job.warnings.some((warning) => warning.includes('not valid JSON'))).toBe(true);

    const stats = server.stats();
    // No provider batch was created twice.
    expect(stats.batchesCreated.openai).toBe(nativeTotal / nativePartSize);
    expect(stats.byEndpoint['batches.create']).toBe(nativeTotal / nativePartSize);
    const faults = Object.values(stats.faults).reduce((sum, value) => sum + (value ?? 0), 0);
    const serverFaults = (stats.faults['500'] ?? 0) + (stats.faults['502'] ?? 0) + (stats.faults['503'] ?? 0) + (stats.faults.reset ?? 0);
    expect(serverFaults).toBeGreaterThan(5);
    expect(stats.faults.truncated ?? 0).toBeGreaterThan(0);
    Object.assign(counts, {
      nativeItems: nativeTotal,
      nativeParts: job.parts.length,
      nativeSucceeded: byStatus.succeeded ?? 0,
      nativeFailed: byStatus.failed ?? 0,
      nativeExpired: byStatus.expired ?? 0,
      nativeReportedMissing: missing.length,
      nativeFaultsInjected: faults,
      nativeStatusAndResults5xxOrReset: serverFaults,
      nativeTruncatedDownloads: stats.faults.truncated ?? 0,
      nativeStatusCalls: stats.byEndpoint['batches.retrieve'] ?? 0,
      nativeDownloads: stats.byEndpoint['files.content'] ?? 0,
      nativeWarnings: job.warnings.length,
    });
  });
});
