import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

// `keepResults: false`: the aggregate of a large job sums counts, usage and cost as the results
// stream by, and holds none of them (a million results in one array was most of the memory).

let server: MockProviderServer;
let directory: string;

beforeAll(async () => {
  server = await createMockProviderServer({
    // Every fifth item fails for good, so the failed ones count in usage and cost as they do with kept results.
    respond: (request) => {
      const content = JSON.stringify(request.body);
      return content.includes('fail me') ? { status: 400, error: { message: 'bad item', type: 'invalid_request_error' } } : undefined;
    },
  });
  directory = await mkdtemp(join(tmpdir(), 'llm-batch-keep-results-'));
});
afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

const requests = (count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `item-${index}`,
    model: 'gpt-5.4-mini',
    maxTokens: 16,
    messages: [{ role: 'user' as const, content: index % 5 === 4 ? `fail me ${index}` : `question ${index}` }],
  }));

describe('run() and aggregate() with keepResults: false', () => {
  it('return the same counts, usage and cost as with the results kept, and no results', async () => {
    await using client = createBatchClient({
      provider: emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` })}),
      store: fileStore({ dir: directory }),
    });
    const lean = await client.run(requests(40), { keepResults: false });
    expect(lean.results).toEqual([]);
    expect(lean.counts).toMatchObject({ total: 40, succeeded: 32, failed: 8 });
    const full = await client.aggregate(lean.jobId);
    expect(full.results).toHaveLength(40);
    expect(full.results.map((result) => result.id)).toEqual(requests(40).map((request) => request.id));
    expect(lean.usage).toEqual(full.usage);
    expect(lean.usage.inputTokens).toBeGreaterThan(0);
    expect(lean.costUsd).toBeGreaterThan(0);
    expect(lean.costUsd).toBeCloseTo(full.costUsd!, 12);
    const again = await client.aggregate(lean.jobId, { keepResults: false });
    expect(again.results).toEqual([]);
    expect(again.usage).toEqual(full.usage);
  });

  it('refuses a keepResults that is not a boolean, before anything is sent', async () => {
    await using client = createBatchClient({ provider: emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }) }), store: memoryStore() });
    const before = server.stats().requests;
    await expect(client.run(requests(2), { keepResults: 'no' as unknown as boolean })).rejects.toSatisfy(
      (error: unknown) => ValidationError.isInstance(error) && /keepResults/.test((error as Error).message),
    );
    expect(server.stats().requests).toBe(before);
  });
});
