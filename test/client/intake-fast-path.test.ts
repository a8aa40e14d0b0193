import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

// The intake's fast path: plain requests are taken without the schema's copy, a
// synchronous input is read without an await per request, and each request is serialized once.
// What it must not change: the caller's objects, what is stored and sent, and the errors.

let server: MockProviderServer;
beforeAll(async () => {
  server = await createMockProviderServer({});
});
afterAll(async () => {
  await server.close();
});

const provider = () => emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }) });

describe('the intake fast path', () => {
  it("never changes the caller's request objects (the model option fills a copy) and stores the same requests from a sync or an async input", async () => {
    const make = (): BatchRequest[] => [
      { id: 'a', messages: [{ role: 'user', content: 'one' }], metadata: { row: 1 } },
      { id: 'b', messages: [{ role: 'user', content: 'two' }], maxTokens: 8 },
    ];
    const given = make();
    const store = memoryStore();
    await using client = createBatchClient({ provider: provider(), store });
    const fromArray = await client.run(given, { model: 'gpt-5.4-mini' });
    expect(given).toEqual(make());
    expect(fromArray.counts.succeeded).toBe(2);

    async function* asyncInput(): AsyncGenerator<BatchRequest> {
      yield* make();
    }
    const fromAsync = await client.run(asyncInput(), { model: 'gpt-5.4-mini' });
    const stored = async (jobId: string) => {
      const requests = [];
      for await (const record of store.readRequests(jobId, 0)) requests.push(record);
      return requests;
    };
    expect(await stored(fromArray.jobId)).toEqual(await stored(fromAsync.jobId));
    expect((await stored(fromArray.jobId)).map(({ index, request }) => [index, request.id, request.model])).toEqual([
      [0, 'a', 'gpt-5.4-mini'],
      [1, 'b', 'gpt-5.4-mini'],
    ]);
    // The part counts its requests with metadata: a result without metadata is looked up only then.
    expect((await store.loadJob(fromArray.jobId))?.parts[0]?.requestsWithMetadata).toBe(1);
    const a = fromArray.results.find((result) => result.id === 'a');
    expect(a?.metadata).toEqual({ row: 1 });
  });

  it('still names every bad item, fast-path shaped or not, and sends nothing', async () => {
    await using client = createBatchClient({ provider: provider(), store: memoryStore() });
    const before = server.stats().requests;
    const input: unknown[] = [
      { id: 'ok', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'fine' }] },
      { id: 'ok', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'same id' }] },
      { id: 'bad id', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'x' }] },
      { id: 'c', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'x' }], temperature: 3 },
      { id: 'd', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'x' }], colour: 'red' },
    ];
    const error = await client.run(input as BatchRequest[]).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    const issues = (error as ValidationError).issues.map((issue) => [issue.index, issue.field]);
    expect(issues).toEqual([
      [1, 'id'],
      [2, 'id'],
      [3, 'temperature'],
      [4, 'colour'],
    ]);
    expect(server.stats().requests).toBe(before);
  });
});
