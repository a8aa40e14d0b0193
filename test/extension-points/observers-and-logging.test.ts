import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, fixedDelay, memoryStore, metricsObserver, type BatchRequest, type BatchResult, type EmulatedProgress } from 'llm-batch';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';
import type { JobEvent, Logger } from '../../src/client/client-observers.js';
import { runCli } from '../../src/cli/run-cli.js';
import { repositoryRoot } from '../cli/cli-harness.js';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const requests = (count: number, prefix: string): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user' as const, content: `${prefix} prompt ${index}` }] }));

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('client observers, onResult and logger in every mode', () => {
  it('a native OpenAI job and an emulated one feed the same metricsObserver; onResult sees every native result as it is read', async () => {
    server = await createMockProviderServer({ batch: { validatingMs: 20, processingMs: 100, finalizingMs: 20 } });
    const metrics = metricsObserver();
    const events: JobEvent[] = [];
    const seen: string[] = [];
    const hooks = {
      observers: [metrics, (event: JobEvent) => void events.push(event)],
      onResult: (result: BatchResult, job: { id: string }) => void seen.push(`${job.id}/${result.id}/${result.status}`),
      store: memoryStore(),
      pollIntervalMs: 20,
      maxPollIntervalMs: 50,
    };
    const native = createBatchClient({ provider: openaiBatch({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), ...hooks });
    const nativeSummary = await native.run(requests(4, 'native'));
    expect(nativeSummary.counts.succeeded).toBe(4);
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'part.submitted')).toHaveLength(1);
    expect(types).toContain('part.polled');
    expect(events.find((event) => event.type === 'part.ended')).toMatchObject({ status: 'completed', jobId: nativeSummary.jobId });
    expect(events.filter((event) => event.type === 'item.result')).toHaveLength(4);
    expect(events.find((event) => event.type === 'results.read')).toMatchObject({ read: 4, missing: 0 });
    // The polls carry the provider's counts once it reports them.
    expect(events.some((event) => event.type === 'part.polled' && event.counts !== undefined)).toBe(true);
    // item.result events come after part.ended, and results.read last.
    expect(types.indexOf('item.result')).toBeGreaterThan(types.indexOf('part.ended'));
    expect(types.lastIndexOf('results.read')).toBeGreaterThan(types.lastIndexOf('item.result'));
    expect(seen).toEqual(nativeSummary.results.map((result) => `${nativeSummary.jobId}/${result.id}/succeeded`).sort((a, b) => seen.indexOf(a) - seen.indexOf(b)));
    expect(seen).toHaveLength(4);

    const progress: EmulatedProgress[] = [];
    const call = openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
    const emulatedClient = createBatchClient({ provider: emulated({ call, concurrency: 2, onProgress: (report) => void progress.push(report) }), ...hooks });
    const emulatedSummary = await emulatedClient.run(requests(3, 'emu'));
    expect(emulatedSummary.counts.succeeded).toBe(3);
    expect(seen).toHaveLength(7);
    expect(events.some((event) => event.type === 'job.started' && event.jobId === emulatedSummary.jobId)).toBe(true);
    // Progress callbacks name the item that just ended.
    expect(progress.map((report) => report.id).sort()).toEqual(['emu_0', 'emu_1', 'emu_2']);
    expect(progress.every((report) => report.status === 'succeeded')).toBe(true);

    const snapshot = metrics.toJSON();
    expect(snapshot.items).toEqual({ succeeded: 7 });
    expect(snapshot.partsSubmitted).toBe(1);
    expect(snapshot.partsEnded).toEqual({ completed: 1 });
    expect(snapshot.jobsStarted).toBe(1);
    const text = metrics.toPrometheus();
    expect(text).toContain('llm_batch_items_total{status="succeeded"} 7');
    expect(text).toContain('llm_batch_parts_submitted_total 1');
    expect(text).toContain('llm_batch_parts_ended_total{status="completed"} 1');
    expect(text).toMatch(/llm_batch_part_polls_total [1-9]/);
  });

  it('logs what the library decides, with no key in any line', async () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    let calls = 0;
    server = await createMockProviderServer({
      respond: (request) => {
        const body = JSON.stringify(request.body);
        if (body.includes('"flaky prompt 0"') && calls++ === 0) return { status: 503 };
        if (body.includes('"flaky prompt 1"')) return { status: 401, error: { message: `Incorrect API key provided: ${key}` } };
        return undefined;
      },
    });
    const logger = recordingLogger();
    const client = createBatchClient({
      provider: emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), concurrency: 1, abortOn: [], retry: fixedDelay({ maxRetries: 2, delayMs: 1 }) }),
      store: memoryStore(),
      logger,
    });
    const summary = await client.run(requests(3, 'flaky'));
    expect(summary.counts).toMatchObject({ succeeded: 2, failed: 1 });
    const text = logger.lines.join('\n');
    expect(text).toMatch(/info: job \S+: submitting part 1 of 1 to openai \(emulated\): 3 requests/);
    expect(text).toMatch(/info: item flaky_0: attempt 1 failed \(server\); retrying in \d+ ms/);
    expect(text).toMatch(/warn: item flaky_1 failed after 1 attempt \(auth\)/);
    expect(text).toMatch(/info: job \S+: emulated run \S+ ended completed/);
    expect(text).not.toContain(key);
    expect(text).not.toContain('AbCdEfGhIjKlMnOpQrStUvWxYz');
  });

  it('logs native polls and refuses a logger or observers of the wrong shape', async () => {
    server = await createMockProviderServer({ batch: { validatingMs: 20, processingMs: 60, finalizingMs: 20 } });
    const logger = recordingLogger();
    const client = createBatchClient({ provider: openaiBatch({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), store: memoryStore(), logger, pollIntervalMs: 20, maxPollIntervalMs: 40 });
    await client.run(requests(2, 'polled'));
    const text = logger.lines.join('\n');
    expect(text).toMatch(/info: job \S+: part \S+ submitted to openai as batch_\S+ \(2 requests\)/);
    expect(text).toMatch(/debug: job \S+: part \S+ polled: /);
    expect(text).toMatch(/info: job \S+: part \S+: 2 results read/);
    expect(() => createBatchClient({ provider: openaiBatch({ apiKey: 'k' }), logger: { info: () => {} } as never })).toThrow(/logger.*debug, info, warn and error/s);
    expect(() => createBatchClient({ provider: openaiBatch({ apiKey: 'k' }), observers: [42] as never })).toThrow(/observers/);
    expect(() => createBatchClient({ provider: openaiBatch({ apiKey: 'k' }), onResult: 'x' as never })).toThrow(/onResult/);
  });
});

describe('LLM_BATCH_LOG for the CLI', () => {
  it('LLM_BATCH_LOG=debug logs the library decisions to stderr; unset, nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-batch-log-'));
    try {
      const run = async (env: Record<string, string>) => {
        let stdout = '';
        let stderr = '';
        const code = await runCli(['run', join(repositoryRoot, 'examples/requests.jsonl'), '--provider', 'mock', '--mode', 'emulated', '--store', dir, '--quiet'], {
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
          env,
        });
        return { code, stdout, stderr };
      };
      const logged = await run({ LLM_BATCH_LOG: 'debug' });
      expect(logged.code).toBe(0);
      expect(logged.stderr).toMatch(/llm-batch info: job \S+: submitting part 1 of 1/);
      expect(logged.stderr).toMatch(/llm-batch info: job \S+: emulated run \S+ started/);
      expect(logged.stdout).not.toMatch(/llm-batch (debug|info):/);
      const quiet = await run({});
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).not.toMatch(/llm-batch (debug|info):/);
      const bad = await run({ LLM_BATCH_LOG: 'verbose' });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('LLM_BATCH_LOG must be one of debug, info, warn, error or off');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
