import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

const keyVariable = 'LLM_BATCH_TEST_CONFIG_PATH_KEY';

let server: MockProviderServer;
let folder: string;
let goodPath: string;
let badPath: string;

const requests = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `r${index}`, messages: [{ role: 'user' as const, content: `q${index}` }] }));

beforeAll(async () => {
  server = await createMockProviderServer({ batch: { validatingMs: 0, processingMs: 10, finalizingMs: 0 } });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-config-path-'));
  process.env[keyVariable] = 'sk-test-config-path-0001';
  const good = ['provider: openai', 'pollIntervalMs: 10', 'maxPollIntervalMs: 20', 'providers:', '  openai:', `    apiKeyEnv: ${keyVariable}`, `    baseURL: ${server.url}/v1`, 'defaults:', '  model: gpt-5.4-mini', ''];
  goodPath = join(folder, 'good', 'llm-batch.config.yaml');
  await mkdir(join(folder, 'good', 'nested', 'deeper'), { recursive: true });
  await writeFile(goodPath, good.join('\n'));
  badPath = join(folder, 'bad.yaml');
  await writeFile(badPath, ['provider: openai', 'providers:', '  openai:', `    baseURL: ${server.url}/v1`, '    enabeld: true', ''].join('\n'));
});

afterAll(async () => {
  delete process.env[keyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

describe('createBatchClient({ config: path })', () => {
  it('reads the file on first use and runs with its settings', async () => {
    const client = createBatchClient({ config: goodPath, store: memoryStore() });
    const summary = await client.run(requests(3));
    expect(summary.counts.succeeded).toBe(3);
    expect((await client.provider()).name).toBe('openai');
    expect(summary.results.every((result) => result.status === 'succeeded' && result.model.startsWith('gpt-5.4-mini'))).toBe(true);
    await client.close();
  });

  it('takes a path relative to the working directory', async () => {
    const client = createBatchClient({ config: relative(process.cwd(), goodPath), store: memoryStore() });
    expect((await client.run(requests(1))).counts.succeeded).toBe(1);
    await client.close();
  });

  it('is made synchronously from a bad file, and the first call rejects naming the key and its line; nothing is sent', async () => {
    const before = server.stats().requests;
    const client = createBatchClient({ config: badPath, store: memoryStore() });
    const error = await client.submit(requests(2), { model: 'gpt-5.4-mini' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/line 5: providers\.openai\.enabeld: unknown key.*enabled/);
    // Every later call gets the same error; close() has nothing to close.
    await expect(client.status('job_x')).rejects.toThrow(/enabeld/);
    await client.close();
    expect(server.stats().requests).toBe(before);
  });

  it('a file that is not there is an error of the first call, naming the file', async () => {
    const client = createBatchClient({ config: join(folder, 'missing.yaml'), store: memoryStore() });
    await expect(client.list()).rejects.toThrow(/missing\.yaml/);
    await client.close();
  });

  it('config: true finds the file from the working directory up, as the CLI does', async () => {
    const cwd = process.cwd();
    let client;
    try {
      process.chdir(join(folder, 'good', 'nested', 'deeper'));
      client = createBatchClient({ config: true, store: memoryStore() });
    } finally {
      process.chdir(cwd);
    }
    // The search starts where the client was made, not where the first call happens.
    expect((await client.run(requests(2))).counts.succeeded).toBe(2);
    await client.close();
  });

  it('an empty path is refused at once', () => {
    expect(() => createBatchClient({ config: '' })).toThrow(/config/);
  });

  it('is await using-disposable before and after loading', async () => {
    {
      await using unused = createBatchClient({ config: goodPath, store: memoryStore() });
      expect(unused).toBeDefined();
    }
    {
      await using client = createBatchClient({ config: goodPath, store: memoryStore() });
      expect((await client.run(requests(1))).counts.succeeded).toBe(1);
    }
  });
});
