import { GoogleGenAI } from '@google/genai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiBatch } from '../../../src/adapters/gemini/index.js';
import { createBatchClient } from '../../../src/client/create-batch-client.js';
import { LlmBatchError } from '../../../src/errors/llm-batch-error.js';
import { memoryStore } from '../../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import { runCliInProcess } from '../../cli/cli-harness.js';

const keyVariable = 'LLM_BATCH_TEST_ATTACH_GEMINI_KEY';
const apiKey = 'test-gemini-attach-key-0001';
const model = 'gemini-2.5-flash';

let server: MockProviderServer;
let folder: string;
let configPath: string;

beforeAll(async () => {
  server = await createMockProviderServer({
    batch: { validatingMs: 0, processingMs: 50 },
    respond: (request) => ({ text: `echo ${request.batch?.customId ?? ''}` }),
  });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-gemini-attach-'));
  process.env[keyVariable] = apiKey;
  configPath = join(folder, 'llm-batch.config.json');
  await writeFile(configPath, JSON.stringify({ pollIntervalMs: 10, maxPollIntervalMs: 20, providers: { gemini: { apiKeyEnv: keyVariable, baseURL: server.url } } }));
});

afterAll(async () => {
  delete process.env[keyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

/** The plain SDK, as another tool would use it. */
const genai = () => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: server.url, apiVersion: 'v1beta' } });

/** An inline batch made with the plain SDK; `keys: false` leaves out the `metadata.key`s. */
async function inlineBatchMadeElsewhere(ids: readonly string[], keys = true): Promise<string> {
  const job = await genai().batches.create({
    model,
    src: ids.map((id) => ({ contents: [{ role: 'user', parts: [{ text: `question ${id}` }] }], ...(keys ? { metadata: { key: id } } : {}) })),
    config: { displayName: 'made elsewhere' },
  });
  return job.name!;
}

/** A file batch made with the plain SDK: a JSONL file uploaded through the Files API. */
async function fileBatchMadeElsewhere(ids: readonly string[]): Promise<{ batchName: string; fileName: string }> {
  const lines = ids.map((id) => JSON.stringify({ key: id, request: { contents: [{ role: 'user', parts: [{ text: `question ${id}` }] }], generationConfig: { maxOutputTokens: 32 } } }));
  const path = join(folder, `input-${ids[0]}.jsonl`);
  await writeFile(path, `${lines.join('\n')}\n`);
  const file = await genai().files.upload({ file: path, config: { mimeType: 'jsonl' } });
  const job = await genai().batches.create({ model, src: file.name!, config: { displayName: 'file made elsewhere' } });
  return { batchName: job.name!, fileName: file.name! };
}

const clientFor = () => createBatchClient({ provider: geminiBatch({ apiKey, baseURL: server.url }), store: memoryStore(), pollIntervalMs: 10, maxPollIntervalMs: 20 });

/** The CLI in this process, with this process's environment (the config's key variable). */
const cli = (args: string[]) => runCliInProcess(args, undefined, { ...process.env });

describe('attaching a Gemini batch made with the plain @google/genai SDK', () => {
  it('the CLI attaches an inline batch, waits on it and reads its results under their keys', async () => {
    const batchName = await inlineBatchMadeElsewhere(['a', 'b', 'c']);
    const common = ['--config', configPath, '--store', join(folder, 'cli-store')];
    const attached = await cli(['attach', 'gemini', batchName, '--metadata', 'team=risk', ...common]);
    expect(attached.code, attached.stderr).toBe(0);
    expect(`${attached.stdout}${attached.stderr}`).not.toContain(apiKey);
    const jobId = /Attached \S+ as (job_\w+)/.exec(attached.stdout)?.[1];
    expect(jobId).toBeDefined();
    const waited = await cli(['wait', jobId!, '--quiet', ...common]);
    expect(waited.code, waited.stderr).toBe(0);
    const results = await cli(['results', jobId!, '--output', 'jsonl', ...common]);
    expect(results.code, results.stderr).toBe(0);
    const lines = results.stdout.trim().split('\n').map((text) => JSON.parse(text) as { id: string; status: string; text?: string });
    expect(lines.map((result) => [result.id, result.status, result.text])).toEqual(['a', 'b', 'c'].map((id) => [id, 'succeeded', `echo ${id}`]));
    const status = await cli(['status', jobId!, '--json', ...common]);
    const job = JSON.parse(status.stdout) as { provider: string; metadata: Record<string, string>; parts: { providerBatchId: string }[] };
    expect([job.provider, job.metadata['team'], job.parts[0]?.providerBatchId]).toEqual(['gemini', 'risk', batchName]);
    // The same batch again (with or without the `batches/` prefix) is the same job.
    for (const id of [batchName, batchName.slice('batches/'.length)]) {
      const again = await cli(['attach', 'gemini', id, ...common]);
      expect(again.stdout).toContain(`as ${jobId}`);
    }
  });

  it('client.attach of an inline batch: count and model known, requests not (retry refused)', async () => {
    const batchName = await inlineBatchMadeElsewhere(['x', 'y']);
    const client = clientFor();
    const attached = await client.attach({ batchId: batchName });
    expect(attached.parts.map((part) => [part.providerBatchId, part.requestCount, part.model])).toEqual([[batchName, 2, model]]);
    const ended = await client.wait(attached.id);
    expect(ended.counts).toMatchObject({ total: 2, succeeded: 2 });
    const refused = await client.retry(attached.id).catch((error: unknown) => error);
    expect(LlmBatchError.isInstance(refused) && refused.code).toBe('requests_unknown');
    await client.close();
  });

  it('an inline batch without keys: results are kept by position as request-1, request-2', async () => {
    const batchName = await inlineBatchMadeElsewhere(['p', 'q'], false);
    const client = clientFor();
    const attached = await client.attach({ batchId: batchName });
    await client.wait(attached.id);
    const results = [];
    for await (const result of client.results(attached.id)) results.push([result.id, result.status]);
    expect(results).toEqual([['request-1', 'succeeded'], ['request-2', 'succeeded']]);
    await client.close();
  });

  it('client.attach of a file batch reads the input file back: input order, errors and retry work, and its files are left alone', async () => {
    const { batchName, fileName } = await fileBatchMadeElsewhere(['f1', 'f2', 'f3']);
    const client = clientFor();
    const attached = await client.attach({ batchId: batchName });
    expect(attached.parts.map((part) => [part.requestCount, part.model])).toEqual([[3, model]]);
    const ended = await client.wait(attached.id);
    expect(ended.counts).toMatchObject({ total: 3, succeeded: 3 });
    const results = [];
    for await (const result of client.results(attached.id)) results.push(result.id);
    expect(results).toEqual(['f1', 'f2', 'f3']);
    expect(await client.errors(attached.id)).toEqual([]);
    // The requests are known: retry is possible, and has nothing to send.
    await expect(client.retry(attached.id)).rejects.toThrow(/has no/);
    // Another tool's input file is still there (cleanup deletes only what this library uploaded).
    await expect(genai().files.get({ name: fileName })).resolves.toMatchObject({ name: fileName });
    await client.close();
  });

  it('a file batch whose input file cannot be downloaded (Google refuses uploaded files): results kept under their keys, a warning, retry refused', async () => {
    const { batchName, fileName } = await fileBatchMadeElsewhere(['d1', 'd2']);
    // Google's Files API does not let an uploaded file be downloaded (the emulator does): refused here.
    const refusing: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.includes(`${fileName}:download`)) {
        return new Response(JSON.stringify({ error: { code: 400, message: 'Only generated files can be downloaded.', status: 'INVALID_ARGUMENT' } }), { status: 400, headers: { 'content-type': 'application/json' } });
      }
      return fetch(input, init);
    };
    const sdk = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: server.url, apiVersion: 'v1beta', fetch: refusing } });
    const client = createBatchClient({ provider: geminiBatch({ client: sdk }), store: memoryStore(), pollIntervalMs: 10, maxPollIntervalMs: 20 });
    const attached = await client.attach({ batchId: batchName });
    expect(attached.warnings.join('\n')).toMatch(/could not be read back/);
    expect(attached.parts[0]?.requestCount).toBe(2);
    const ended = await client.wait(attached.id);
    expect(ended.counts).toMatchObject({ total: 2, succeeded: 2 });
    const results = [];
    for await (const result of client.results(attached.id)) results.push(result.id);
    expect(results.sort()).toEqual(['d1', 'd2']);
    const refused = await client.retry(attached.id).catch((error: unknown) => error);
    expect(LlmBatchError.isInstance(refused) && refused.code).toBe('requests_unknown');
    await client.close();
  });

  it('the CLI attaches a file batch: results in input order, and errors lists none', async () => {
    const { batchName } = await fileBatchMadeElsewhere(['c1', 'c2']);
    const common = ['--config', configPath, '--store', join(folder, 'cli-store-file')];
    const attached = await cli(['attach', 'gemini', batchName, '--json', ...common]);
    expect(attached.code, attached.stderr).toBe(0);
    const job = JSON.parse(attached.stdout) as { id: string; parts: { requestCount: number }[] };
    expect(job.parts[0]?.requestCount).toBe(2);
    expect((await cli(['wait', job.id, '--quiet', ...common])).code).toBe(0);
    const results = await cli(['results', job.id, '--output', 'jsonl', ...common]);
    expect(results.stdout.trim().split('\n').map((text) => (JSON.parse(text) as { id: string; text: string }).text)).toEqual(['echo c1', 'echo c2']);
    const errors = await cli(['errors', job.id, '--json', ...common]);
    expect(errors.code, errors.stderr).toBe(0);
    expect(JSON.parse(errors.stdout)).toMatchObject({ jobId: job.id, counts: { total: 2, succeeded: 2 }, errors: [] });
  });

  it('a missing batch id is a clear error (exit code 2 in the CLI), with no job stored', async () => {
    const client = clientFor();
    const missing = await client.attach({ batchId: 'batches/doesnotexist' }).catch((error: unknown) => error);
    expect(LlmBatchError.isInstance(missing) && missing.code).toBe('batch_not_found');
    expect((missing as Error).message).toMatch(/no batch batches\/doesnotexist/);
    expect(await client.list()).toEqual([]);
    await client.close();
    const cli404 = await cli(['attach', 'gemini', 'batches/doesnotexist', '--config', configPath, '--store', join(folder, 'cli-store-404')]);
    expect(cli404.code).toBe(2);
    expect(cli404.stderr).toMatch(/no batch batches\/doesnotexist/);
  });
});
