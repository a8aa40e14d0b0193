import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { runCliInProcess } from '../cli/cli-harness.js';
import { LlmBatchError } from '../../src/errors/llm-batch-error.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

const openaiKeyVariable = 'LLM_BATCH_TEST_ATTACH_OPENAI_KEY';
const anthropicKeyVariable = 'LLM_BATCH_TEST_ATTACH_ANTHROPIC_KEY';
const openaiKey = 'sk-test-attach-openai-0001';
const anthropicKey = 'sk-ant-test-attach-0001';

let server: MockProviderServer;
let folder: string;
let configPath: string;

beforeAll(async () => {
  server = await createMockProviderServer({ batch: { validatingMs: 0, processingMs: 50, finalizingMs: 0 } });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-attach-'));
  process.env[openaiKeyVariable] = openaiKey;
  process.env[anthropicKeyVariable] = anthropicKey;
  configPath = join(folder, 'llm-batch.config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      pollIntervalMs: 10,
      maxPollIntervalMs: 20,
      providers: {
        openai: { apiKeyEnv: openaiKeyVariable, baseURL: `${server.url}/v1` },
        anthropic: { apiKeyEnv: anthropicKeyVariable, baseURL: server.url },
      },
    }),
  );
});

afterAll(async () => {
  delete process.env[openaiKeyVariable];
  delete process.env[anthropicKeyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** An OpenAI batch made with the plain SDK, as another tool would. */
async function openaiBatchMadeElsewhere(count: number): Promise<string> {
  const openai = new OpenAI({ apiKey: openaiKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      custom_id: `item-${index}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `question ${index}` }] },
    }),
  );
  const file = await openai.files.create({ file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'input.jsonl'), purpose: 'batch' });
  const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  return batch.id;
}

/** The CLI in this process, with this process's environment (the config's key variables). */
const cli = (args: string[]) => runCliInProcess(args, undefined, { ...process.env });

describe('attaching a batch this library did not create', () => {
  it('the CLI attaches an OpenAI batch made with the plain SDK, waits on it and reads its results', async () => {
    const batchId = await openaiBatchMadeElsewhere(5);
    const store = join(folder, 'cli-store');
    const common = ['--config', configPath, '--store', store];
    const attached = await cli(['attach', 'openai', batchId, '--metadata', 'team=risk', ...common]);
    expect(attached.stderr).not.toContain(openaiKey);
    expect(attached.code).toBe(0);
    const jobId = /Attached \S+ as (job_\w+)/.exec(attached.stdout)?.[1];
    expect(jobId).toBeDefined();
    const waited = await cli(['wait', jobId!, '--quiet', ...common]);
    expect(waited.code, waited.stderr).toBe(0);
    const results = await cli(['results', jobId!, '--output', 'jsonl', ...common]);
    expect(results.code).toBe(0);
    const lines = results.stdout.trim().split('\n').map((text) => JSON.parse(text) as { id: string; status: string });
    expect(lines.map((result) => [result.id, result.status])).toEqual(Array.from({ length: 5 }, (_, index) => [`item-${index}`, 'succeeded']));
    const status = await cli(['status', jobId!, '--json', ...common]);
    const job = JSON.parse(status.stdout) as { provider: string; metadata: Record<string, string>; parts: { providerBatchId: string }[] };
    expect([job.provider, job.metadata['team'], job.parts[0]?.providerBatchId]).toEqual(['openai', 'risk', batchId]);
    // The same batch again is the same job, not a second one.
    const again = await cli(['attach', 'openai', batchId, ...common]);
    expect(again.stdout).toContain(`as ${jobId}`);
  });

  it('client.attach reads the OpenAI input file back: the requests are known, and errors and retry work', async () => {
    const batchId = await openaiBatchMadeElsewhere(3);
    const client = createBatchClient({ provider: 'openai', apiKey: openaiKey, baseURL: `${server.url}/v1`, store: memoryStore(), pollIntervalMs: 10 });
    const attached = await client.attach({ batchId });
    expect(attached.parts.map((part) => [part.providerBatchId, part.requestCount, part.model])).toEqual([[batchId, 3, 'gpt-5.4-mini']]);
    const ended = await client.wait(attached.id);
    expect(ended.counts).toMatchObject({ total: 3, succeeded: 3 });
    expect(await client.errors(attached.id)).toEqual([]);
    await expect(client.retry(attached.id)).rejects.toThrow(/has no/);
    await client.close();
  });

  it('an Anthropic batch: results kept under their ids; retry refused, saying what to do', async () => {
    const anthropic = new Anthropic({ apiKey: anthropicKey, baseURL: server.url, maxRetries: 0 });
    const batch = await anthropic.messages.batches.create({
      requests: ['a', 'b'].map((id) => ({ custom_id: id, params: { model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user' as const, content: id }] } })),
    });
    const client = createBatchClient({ config: { provider: 'openai', providers: { openai: { apiKeyEnv: openaiKeyVariable }, anthropic: { apiKeyEnv: anthropicKeyVariable, baseURL: server.url } } }, store: memoryStore(), pollIntervalMs: 10 });
    const attached = await client.attach({ provider: 'anthropic', batchId: batch.id });
    expect([attached.provider, attached.parts[0]?.requestCount]).toEqual(['anthropic', 2]);
    const ended = await client.wait(attached.id);
    expect(ended.counts).toMatchObject({ total: 2, succeeded: 2 });
    const results = [];
    for await (const result of client.results(attached.id)) results.push(result.id);
    expect(results.sort()).toEqual(['a', 'b']);
    const refused = await client.retry(attached.id).catch((error: unknown) => error);
    expect(LlmBatchError.isInstance(refused) && refused.code).toBe('requests_unknown');
    await client.close();
  });

  it('refuses bad options before any call', async () => {
    const client = createBatchClient({ provider: 'openai', apiKey: openaiKey, baseURL: `${server.url}/v1`, store: memoryStore() });
    await expect(client.attach({ batchId: '' })).rejects.toThrow(/batchId/);
    await expect(client.attach({ batchId: 'batch_x', bacthId: 'y' } as never)).rejects.toThrow(/unknown option 'bacthId'/);
    await client.close();
  });
});
