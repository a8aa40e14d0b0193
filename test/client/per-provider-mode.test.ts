import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { computeCost } from '../../src/cost/compute-cost.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { LlmBatchConfig } from '../../src/client/config-file.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { runCliInProcess } from '../cli/cli-harness.js';

// Keys come from named environment variables, never from the config.
const openaiKeyVariable = 'LLM_BATCH_TEST_MODE_OPENAI_KEY';
const anthropicKeyVariable = 'LLM_BATCH_TEST_MODE_ANTHROPIC_KEY';

let server: MockProviderServer;
let folder: string;

beforeAll(async () => {
  // Anthropic's sync calls take 20 ms each, so an emulated part can be caught mid-run.
  server = await createMockProviderServer({ batch: { validatingMs: 0, processingMs: 30, finalizingMs: 0 }, latency: { messages: 20 } });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-mode-'));
  process.env[openaiKeyVariable] = 'sk-test-mode-openai-0001';
  process.env[anthropicKeyVariable] = 'sk-ant-test-mode-0001';
});

afterAll(async () => {
  delete process.env[openaiKeyVariable];
  delete process.env[anthropicKeyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** OpenAI native, Anthropic emulated (its sync Messages API, 2 calls at a time), in one config. */
function config(url = server.url, concurrency = 2): LlmBatchConfig {
  return {
    provider: 'openai',
    mode: 'native',
    pollIntervalMs: 10,
    maxPollIntervalMs: 20,
    providers: {
      openai: { apiKeyEnv: openaiKeyVariable, baseURL: `${url}/v1` },
      anthropic: { apiKeyEnv: anthropicKeyVariable, baseURL: url, mode: 'emulated', concurrency },
    },
  };
}

/** 30 requests: every third on Anthropic, the rest on OpenAI. */
const mixed = (): BatchRequest[] =>
  Array.from({ length: 30 }, (_, index) => ({
    id: `r${index}`,
    model: index % 3 === 0 ? 'anthropic:claude-haiku-4-5' : 'openai:gpt-5.4-mini',
    messages: [{ role: 'user' as const, content: `question ${index}` }],
  }));

/** What the results cost, each priced in the mode its provider ran in. */
function expectedCost(results: readonly BatchResult[]): number {
  let cost = 0;
  for (const result of results) {
    if (result.status !== 'succeeded') continue;
    cost += computeCost(result.usage, { model: result.model, mode: result.model.startsWith('claude') ? 'emulated' : 'native' }) ?? Number.NaN;
  }
  return cost;
}

describe('per-provider mode in a mixed job', () => {
  it('runs the openai parts natively and the anthropic part emulated, in one job with one aggregate (API)', async () => {
    const before = server.stats();
    const client = createBatchClient({ config: config(), store: memoryStore() });
    const summary = await client.run(mixed());
    expect(summary.counts).toMatchObject({ total: 30, succeeded: 30 });
    const job = await client.status(summary.jobId);
    expect(job.mode).toBe('native');
    expect(job.provider).toBe('openai+anthropic');
    expect(job.parts.map((part) => [part.provider ?? 'openai', part.mode ?? job.mode, part.requestCount])).toEqual([
      ['anthropic', 'emulated', 10],
      ['openai', 'native', 20],
    ]);
    // The estimate made at submit prices each part's model in its part's mode: Anthropic's at the sync price.
    const estimated = Object.fromEntries((job.estimate?.perModel ?? []).map((entry) => [entry.model, entry]));
    expect(estimated['claude-haiku-4-5']?.costUsd).toBe(estimated['claude-haiku-4-5']?.syncCostUsd);
    expect(estimated['gpt-5.4-mini']?.costUsd).toBeLessThan(estimated['gpt-5.4-mini']?.syncCostUsd ?? 0);
    // A dry run and an estimate price them the same way.
    const dryRun = await client.submit(mixed(), { dryRun: true });
    expect(dryRun.estimate.costUsd).toBeCloseTo(job.estimate?.costUsd ?? Number.NaN, 12);
    expect((await client.estimate(mixed())).costUsd).toBeCloseTo(job.estimate?.costUsd ?? Number.NaN, 12);
    const after = server.stats();
    // OpenAI: one native batch. Anthropic: no batch, 10 sync Messages calls.
    expect(after.batchesCreated.openai - before.batchesCreated.openai).toBe(1);
    expect(after.batchesCreated.anthropic - before.batchesCreated.anthropic).toBe(0);
    expect(after.successfulCalls.anthropic - before.successfulCalls.anthropic).toBe(10);
    expect(summary.results.map((result) => result.id)).toEqual(mixed().map((request) => request.id));
    // One aggregate: usage summed over both parts, each part's results priced in its own mode.
    const tokens = summary.results.reduce((sum, result) => sum + (result.status === 'succeeded' ? result.usage.totalTokens : 0), 0);
    expect(summary.usage.totalTokens).toBe(tokens);
    expect(summary.costUsd).toBeGreaterThan(0);
    expect(summary.costUsd).toBeCloseTo(expectedCost(summary.results), 12);
    await client.close();
  });

  it('is resumable after the process stops mid-run: the emulated part goes on, the native batch is not created again', async () => {
    const dir = join(folder, 'resume-store');
    // One Anthropic call at a time, 150 ms each: the run is caught with most of its items to go, however busy the machine.
    const slow = await createMockProviderServer({ batch: { validatingMs: 0, processingMs: 30, finalizingMs: 0 }, latency: { messages: 150 } });
    onTestFinished(() => slow.close());
    const first = createBatchClient({ config: config(slow.url, 1), store: fileStore({ dir }) });
    const submitted = await first.submit(mixed());
    // The emulated part runs in this process: stop it (as a crash would) once a few results are in.
    while ((await first.status(submitted.id)).parts.find((part) => part.mode === 'emulated')?.counts?.succeeded === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await first.close();
    const stopped = await createBatchClient({ config: config(slow.url, 1), store: fileStore({ dir }) }).status(submitted.id);
    const emulatedPart = stopped.parts.find((part) => part.provider === 'anthropic');
    expect(emulatedPart?.mode).toBe('emulated');
    expect(emulatedPart?.counts?.pending).toBeGreaterThan(0);

    const second = createBatchClient({ config: config(slow.url, 4), store: fileStore({ dir }) });
    await second.resume(submitted.id);
    await second.wait(submitted.id);
    const summary = await second.aggregate(submitted.id);
    expect(summary.counts).toMatchObject({ total: 30, succeeded: 30 });
    expect(new Set(summary.results.map((result) => result.id)).size).toBe(30);
    expect(slow.stats().batchesCreated.openai).toBe(1);
    expect(slow.stats().batchesCreated.anthropic).toBe(0);
    expect(summary.costUsd).toBeCloseTo(expectedCost(summary.results), 12);
    await second.close();
  });

  it('the CLI with a YAML config runs the same job the same way', async () => {
    const yamlPath = join(folder, 'llm-batch.config.yaml');
    await writeFile(
      yamlPath,
      [
        'provider: openai',
        'mode: native',
        'pollIntervalMs: 10',
        'maxPollIntervalMs: 20',
        'providers:',
        '  openai:',
        `    apiKeyEnv: ${openaiKeyVariable}`,
        `    baseURL: ${server.url}/v1`,
        '  anthropic:',
        `    apiKeyEnv: ${anthropicKeyVariable}`,
        `    baseURL: ${server.url}`,
        '    mode: emulated',
        '',
      ].join('\n'),
    );
    const input = join(folder, 'requests.jsonl');
    await writeFile(input, `${mixed().map((request) => JSON.stringify(request)).join('\n')}\n`);
    const store = join(folder, 'cli-store');
    const before = server.stats();
    const run = await runCliInProcess(['run', input, '--config', yamlPath, '--store', store, '--quiet'], undefined, { ...process.env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [job] = await fileStore({ dir: store }).listJobs();
    expect(job?.mode).toBe('native');
    expect(job?.counts.succeeded).toBe(30);
    expect(job?.parts.map((part) => [part.provider ?? 'openai', part.mode ?? job.mode])).toEqual([
      ['anthropic', 'emulated'],
      ['openai', 'native'],
    ]);
    expect(server.stats().batchesCreated.anthropic).toBe(before.batchesCreated.anthropic);
    expect(server.stats().successfulCalls.anthropic - before.successfulCalls.anthropic).toBe(10);
  });
});
