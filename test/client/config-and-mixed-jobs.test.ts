import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/client/config-file.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { runCliInProcess } from '../cli/cli-harness.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { fileStore } from '../../src/store/file-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

// Keys come from named environment variables, never from the file.
const openaiKeyVariable = 'LLM_BATCH_TEST_CONFIG_OPENAI_KEY';
const anthropicKeyVariable = 'LLM_BATCH_TEST_CONFIG_ANTHROPIC_KEY';

let server: MockProviderServer;
let folder: string;
let yamlPath: string;

beforeAll(async () => {
  server = await createMockProviderServer({ batch: { validatingMs: 0, processingMs: 30, finalizingMs: 0 } });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-config-'));
  process.env[openaiKeyVariable] = 'sk-test-config-openai-0001';
  process.env[anthropicKeyVariable] = 'sk-ant-test-config-0001';
  yamlPath = join(folder, 'llm-batch.config.yaml');
  await writeFile(
    yamlPath,
    [
      '# two providers, both on the local emulator',
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
      'models:',
      '  gpt-5.4-mini:',
      '    maxRequestsPerPart: 20',
      'defaults:',
      '  model: gpt-5.4-mini',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  delete process.env[openaiKeyVariable];
  delete process.env[anthropicKeyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

const requests = (count: number, model?: (index: number) => string): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `r${index}`,
    ...(model ? { model: model(index) } : {}),
    messages: [{ role: 'user' as const, content: `question ${index}` }],
  }));

/** The CLI in this process, with this process's environment (the config's key variables). */
const cli = (args: string[]) => runCliInProcess(args, undefined, { ...process.env });

describe('a YAML config with two providers', () => {
  it('splits a 45-request native job into 3 parts of at most 20 (maxRequestsPerPart), through the API', async () => {
    const client = createBatchClient({ config: await loadConfig(yamlPath), store: memoryStore() });
    const summary = await client.run(requests(45));
    expect(summary.counts.succeeded).toBe(45);
    const job = await client.status(summary.jobId);
    expect(job.provider).toBe('openai');
    expect(job.parts.map((part) => part.requestCount)).toEqual([20, 20, 5]);
    expect(job.parts.every((part) => part.providerBatchId?.startsWith('batch_'))).toBe(true);
    await client.close();
  });

  it('the CLI reads the same file (--config) and plans the same 3 parts', async () => {
    const input = join(folder, 'requests.jsonl');
    await writeFile(input, `${requests(45).map((request) => JSON.stringify(request)).join('\n')}\n`);
    const store = join(folder, 'cli-store');
    const run = await cli(['run', input, '--config', yamlPath, '--store', store, '--quiet']);
    expect(run.stderr).not.toMatch(/emulator/);
    expect(run.code).toBe(0);
    const [job] = await fileStore({ dir: store }).listJobs();
    expect(job?.provider).toBe('openai');
    expect(job?.parts.map((part) => part.requestCount)).toEqual([20, 20, 5]);
    expect(JSON.stringify(job)).not.toContain('sk-test-config');
  });
});

describe('a job whose requests name their provider', () => {
  it('runs 30 requests mixing openai: and anthropic: models natively as parts on both, with one aggregate', async () => {
    const client = createBatchClient({ config: await loadConfig(yamlPath), store: memoryStore() });
    const mixed = requests(30, (index) => (index % 3 === 0 ? 'anthropic:claude-haiku-4-5' : 'openai:gpt-5.4-mini'));
    const summary = await client.run(mixed);
    expect(summary.counts).toMatchObject({ total: 30, succeeded: 30 });
    const job = await client.status(summary.jobId);
    expect(job.provider).toBe('openai+anthropic');
    // The estimate made at submit prices each request by its model, the provider prefix taken off.
    expect(job.estimate?.perModel.map((model) => model.model).sort()).toEqual(['claude-haiku-4-5', 'gpt-5.4-mini']);
    expect(job.estimate?.unknownModels ?? []).toEqual([]);
    const byProvider = job.parts.map((part) => [part.provider ?? 'openai', part.model, part.requestCount, part.providerBatchId?.slice(0, 6)]);
    expect(byProvider).toEqual([
      ['anthropic', undefined, 10, 'msgbat'],
      ['openai', 'gpt-5.4-mini', 20, 'batch_'],
    ]);
    // Results in input order, each from its own provider's batch.
    expect(summary.results.map((result) => result.id)).toEqual(mixed.map((request) => request.id));
    const models = summary.results.map((result) => (result.status === 'succeeded' ? result.model : 'failed'));
    expect(models.filter((model) => model?.startsWith('claude'))).toHaveLength(10);
    // One aggregate: usage and cost summed across both providers' parts.
    const usage = summary.results.reduce((sum, result) => sum + (result.status === 'succeeded' ? result.usage.totalTokens : 0), 0);
    expect(summary.usage.totalTokens).toBe(usage);
    expect(summary.usage.totalTokens).toBeGreaterThan(0);
    expect(summary.costUsd).toBeGreaterThan(0);
    const stats = server.stats();
    expect(stats.batchesCreated.anthropic).toBeGreaterThan(0);
    await client.close();
  });

  it('a dry run and an estimate plan and price them as submit does, previewing each part with its own provider', async () => {
    const client = createBatchClient({ config: await loadConfig(yamlPath), store: memoryStore() });
    const before = server.stats().batchesCreated;
    const mixed = requests(4, (index) => (index % 2 === 0 ? 'anthropic:claude-haiku-4-5' : 'openai:gpt-5.4-mini'));
    const dryRun = await client.submit(mixed, { dryRun: true, previewCount: 4 });
    expect(dryRun.parts.map((part) => [part.provider ?? 'openai', part.requestCount])).toEqual([
      ['anthropic', 2],
      ['openai', 2],
    ]);
    // Anthropic's batch lines carry params; OpenAI's carry a body.
    expect(dryRun.preview.map((line) => Object.keys(line as object).sort().join(','))).toEqual([
      'custom_id,params',
      'custom_id,params',
      'body,custom_id,method,url',
      'body,custom_id,method,url',
    ]);
    expect(dryRun.estimate.unknownModels ?? []).toEqual([]);
    const estimate = await client.estimate(mixed);
    expect(estimate.perModel.map((model) => model.model).sort()).toEqual(['claude-haiku-4-5', 'gpt-5.4-mini']);
    expect(server.stats().batchesCreated).toEqual(before);
    await client.close();
  });

  it('refuses a request for a provider the config disabled, naming the item, before any call', async () => {
    const before = server.stats().batchesCreated;
    const client = createBatchClient({
      config: { provider: 'openai', providers: { openai: { baseURL: `${server.url}/v1`, apiKeyEnv: openaiKeyVariable }, anthropic: { enabled: false } } },
      store: memoryStore(),
    });
    await expect(client.submit(requests(2, (index) => (index === 1 ? 'anthropic:claude-haiku-4-5' : 'gpt-5.4-mini')))).rejects.toThrow(
      /request 1 \(id "r1"\): model: Provider "anthropic" is disabled/,
    );
    expect(server.stats().batchesCreated).toEqual(before);
    await client.close();
  });
});

describe('a mixed-provider job with failures', () => {
  it('retry sends each failed item back to its own provider, and another client reads the job from the store', async () => {
    const faulty = await createMockProviderServer({ seed: 7, batch: { validatingMs: 0, processingMs: 20, finalizingMs: 0 }, batchFaults: { itemErrorRate: 0.5 } });
    const config = {
      provider: 'openai',
      pollIntervalMs: 10,
      maxPollIntervalMs: 20,
      providers: {
        openai: { apiKeyEnv: openaiKeyVariable, baseURL: `${faulty.url}/v1` },
        anthropic: { apiKeyEnv: anthropicKeyVariable, baseURL: faulty.url },
      },
    };
    const dir = join(folder, 'mixed-store');
    try {
      const client = createBatchClient({ config, store: fileStore({ dir }) });
      const mixed = requests(12, (index) => (index % 2 === 0 ? 'anthropic:claude-haiku-4-5' : 'openai:gpt-5.4-mini'));
      const summary = await client.run(mixed);
      expect(summary.counts.failed).toBeGreaterThan(0);
      const failedIds = new Set(summary.results.filter((result) => result.status === 'failed').map((result) => result.id));
      const retried = await client.retry(summary.jobId);
      const providerOf = (id: string): string => (Number(id.slice(1)) % 2 === 0 ? 'anthropic' : 'openai');
      const expected = [...new Set([...failedIds].map(providerOf))].sort();
      expect(retried.parts.map((part) => part.provider ?? 'openai').sort()).toEqual(expected);
      const ended = await client.wait(retried.id);
      expect(ended.counts.total).toBe(failedIds.size);
      await client.close();
      // Another client (another process) reads the mixed job from the store.
      const reader = createBatchClient({ config, store: fileStore({ dir }) });
      const again = await reader.aggregate(summary.jobId);
      expect(again.counts).toEqual(summary.counts);
      expect(again.usage).toEqual(summary.usage);
      await reader.close();
    } finally {
      await faulty.close();
    }
  });
});

