import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { emulated } from '../../src/adapters/emulated/index.js';
import { fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { openaiBatch, openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchProvider } from '../../src/provider/batch-provider.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer, type MockRequest } from '../../src/testing/mock-server/index.js';

const sentiment = z.object({ label: z.enum(['positive', 'negative']), score: z.number() });
/** The fake native adapter, answering with the prompt itself (it says "echo: <prompt>"). */
function jsonEchoProvider(): BatchProvider {
  const fake = fakeBatchProvider();
  return {
    ...fake,
    async *results(reference, context) {
      for await (const result of fake.results(reference, context)) {
        yield result.status === 'succeeded' ? { ...result, text: result.text.replace(/^echo: /, '') } : result;
      }
    },
  };
}

const ask = (id: string, content: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', maxTokens: 50, messages: [{ role: 'user', content }] });

describe('structured output on a native adapter (fake: answers are the prompt)', () => {
  it('validates every answer: valid ones get a typed output, invalid ones fail with category validation', async () => {
    const client = createBatchClient({ provider: jsonEchoProvider(), store: memoryStore(), pollIntervalMs: 1 });
    const summary = await client.run(
      [ask('good', '{"label":"positive","score":0.9}'), ask('wrong', '{"label":"meh","score":1}'), ask('prose', 'I think it is positive')],
      { schema: sentiment },
    );
    expectTypeOf(summary.results[0]!).toExtend<{ status: string }>();
    const [good, wrong, prose] = summary.results;
    expect(good).toMatchObject({ status: 'succeeded', output: { label: 'positive', score: 0.9 } });
    if (good?.status === 'succeeded') expectTypeOf(good.output).toEqualTypeOf<{ label: 'positive' | 'negative'; score: number } | undefined>();
    expect(wrong).toMatchObject({ status: 'failed', error: { category: 'validation', retryable: true } });
    expect(prose).toMatchObject({ status: 'failed', error: { category: 'validation', message: expect.stringMatching(/not valid JSON/) } });
    expect(summary.counts).toMatchObject({ succeeded: 1, failed: 2 });
  });

  it('retry() resubmits only the items that failed validation', async () => {
    const store = memoryStore();
    const client = createBatchClient({ provider: jsonEchoProvider(), store, pollIntervalMs: 1 });
    const job = await client.submit([ask('good', '{"label":"negative","score":0}'), ask('bad', 'nope')], { schema: sentiment });
    await client.wait(job.id);
    const retried = await client.retry(job.id, { schema: sentiment });
    expect(retried.counts.total).toBe(1);
    expect((await store.loadJob(retried.id))?.options?.jsonSchema).toMatchObject({ required: ['label', 'score'] });
  });

  it('stores the JSON schema with the job and validates with it after a restart', async () => {
    const store = memoryStore();
    const provider = jsonEchoProvider();
    const job = await createBatchClient({ provider, store }).submit([ask('a', '{"label":"positive"}')], { schema: sentiment });
    // A new client (a new process) knows only the stored JSON schema.
    const restarted = createBatchClient({ provider, store, pollIntervalMs: 1 });
    await restarted.wait(job.id);
    const [result] = await restarted.errors(job.id);
    expect(result).toMatchObject({ status: 'failed', error: { category: 'validation', message: expect.stringMatching(/"score"/) } });
  });

  it('re-parses results with a schema given to results(), restoring zod transforms', async () => {
    const client = createBatchClient({ provider: jsonEchoProvider(), store: memoryStore(), pollIntervalMs: 1 });
    expect.assertions(1);
    const dated = z.object({ at: z.iso.date().transform((text) => new Date(text)) });
    const job = await client.submit([ask('a', '{"at":"2026-01-02"}')], { schema: dated });
    await client.wait(job.id);
    for await (const result of client.results(job.id, { schema: dated })) {
      expect(result.status === 'succeeded' && result.output?.at).toBeInstanceOf(Date);
    }
  });
});

describe('structured output against the emulator', () => {
  let server: MockProviderServer;
  const bodies: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = await createMockProviderServer({
      batch: { validatingMs: 5, processingMs: 5, finalizingMs: 5 },
      respond: (request: MockRequest) => {
        bodies.push(request.body);
        const text = JSON.stringify(request.body['messages'] ?? '');
        // Prompts that mention "broken" get an answer that breaks the schema.
        return text.includes('broken') ? { text: '{"label":"unsure"}' } : { text: '{"label":"negative","score":0.25}' };
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends the schema as response_format and fails invalid answers in emulated mode', async () => {
    const provider = emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), concurrency: 2 });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 5 });
    const summary = await client.run([ask('fine', 'rate this'), ask('odd', 'this is broken')], { schema: sentiment, schemaName: 'sentiment' });
    expect(summary.results[0]).toMatchObject({ status: 'succeeded', output: { label: 'negative', score: 0.25 } });
    expect(summary.results[1]).toMatchObject({ status: 'failed', error: { category: 'validation', retryable: true } });
    const sent = bodies.find((body) => JSON.stringify(body).includes('rate this'));
    expect(sent?.['response_format']).toMatchObject({ type: 'json_schema', json_schema: { name: 'sentiment', strict: true } });
  });

  it('does the same with a streaming intake: the schema reaches every request as it is read', async () => {
    const provider = emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), concurrency: 2 });
    const client = createBatchClient({ provider, store: memoryStore(), pollIntervalMs: 5 });
    async function* input(): AsyncGenerator<BatchRequest> {
      yield ask('fine', 'rate this streamed');
      yield ask('odd', 'this is broken too');
    }
    const summary = await client.run(input(), { schema: sentiment, schemaName: 'sentiment', intake: 'streaming' });
    expect(summary.results[0]).toMatchObject({ status: 'succeeded', output: { label: 'negative', score: 0.25 } });
    expect(summary.results[1]).toMatchObject({ status: 'failed', error: { category: 'validation', retryable: true } });
    const sent = bodies.find((body) => JSON.stringify(body).includes('rate this streamed'));
    expect(sent?.['response_format']).toMatchObject({ type: 'json_schema', json_schema: { name: 'sentiment', strict: true } });
  });

  it('validates the results of a native OpenAI batch the same way', async () => {
    const client = createBatchClient({
      provider: openaiBatch({ apiKey: 'test-key', baseURL: `${server.url}/v1` }),
      store: memoryStore(),
      pollIntervalMs: 5,
      maxPollIntervalMs: 20,
    });
    const summary = await client.run([ask('fine', 'rate this too'), ask('odd', 'also broken')], { schema: sentiment });
    expect(summary.results.map((result) => result.status)).toEqual(['succeeded', 'failed']);
    expect(summary.results[1]).toMatchObject({ error: { category: 'validation' } });
  });
});
