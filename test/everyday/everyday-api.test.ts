import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiBatch, openaiChat } from '../../src/adapters/openai/index.js';
import { answerAsyncDispose } from '../../src/client/async-dispose.js';
import { batchComplete } from '../../src/client/batch-complete.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { LlmBatchError } from '../../src/errors/llm-batch-error.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { noRetry } from '../../src/retry/no-retry.js';
import { fixedDelay } from '../../src/retry/fixed-delay.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockAnswer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

// The emulator answers "re: <last user message>", unless a prompt is scripted; every body is kept.
const script = new Map<string, MockAnswer[]>();
const bodies: Record<string, unknown>[] = [];
let server: MockProviderServer;

function lastUserText(body: Record<string, unknown>): string {
  const messages = (body['messages'] ?? []) as { role: string; content: unknown }[];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}

beforeAll(async () => {
  server = await createMockProviderServer({
    batch: { validatingMs: 5, processingMs: 20, finalizingMs: 5 },
    respond: (request) => {
      bodies.push(request.body);
      const prompt = lastUserText(request.body);
      return script.get(prompt)?.shift() ?? { text: `re: ${prompt}` };
    },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  script.clear();
  bodies.length = 0;
});

const connection = (): { apiKey: string; baseURL: string } => ({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
const emulatedProvider = (model?: string) => emulated({ call: openaiChat({ ...connection(), ...(model === undefined ? {} : { model }) }), retry: noRetry() });
const texts = (results: readonly BatchResult[]): unknown[] => results.map((result) => (result.status === 'succeeded' ? result.text : result.status));

describe('client defaults', () => {
  const defaults = {
    // Not a reasoning model: the OpenAI model rules would drop its temperature.
    model: 'gpt-4.1-mini',
    system: 'Answer in one word.',
    temperature: 0,
    maxTokens: 40,
    tools: [{ name: 'lookup', parameters: { type: 'object', properties: {} } }],
  };

  it('fill every request that does not set them, in the preview, the estimate and the bodies sent', async () => {
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore(), defaults });
    const requests = [
      { id: 'plain', messages: [{ role: 'user' as const, content: 'a' }] },
      { id: 'own', model: 'gpt-4.1', system: 'Be long.', temperature: 1, maxTokens: 7, tools: [], messages: [{ role: 'user' as const, content: 'b' }] },
    ];
    const dryRun = await client.submit(requests, { dryRun: true, exactTokens: false });
    const [plain, own] = dryRun.preview as Record<string, unknown>[];
    expect(plain).toMatchObject({ model: 'gpt-4.1-mini', temperature: 0, max_completion_tokens: 40, messages: [{ role: 'system', content: 'Answer in one word.' }, { role: 'user', content: 'a' }] });
    expect((plain?.['tools'] as unknown[]).length).toBe(1);
    expect(own).toMatchObject({ model: 'gpt-4.1', temperature: 1, max_completion_tokens: 7, messages: [{ role: 'system', content: 'Be long.' }, { role: 'user', content: 'b' }] });
    // Its own (empty) list of tools is kept, not replaced by the default one.
    expect(own?.['tools'] ?? []).toEqual([]);
    const estimate = await client.estimate(requests, { exactTokens: false });
    expect(estimate.outputTokensMax).toBe(40 + 7);
    expect(estimate.perModel.map((entry) => entry.model).sort()).toEqual(['gpt-4.1', 'gpt-4.1-mini']);
    const summary = await client.run(requests);
    expect(summary.counts.succeeded).toBe(2);
    expect(bodies.find((body) => lastUserText(body) === 'a')).toMatchObject({ model: 'gpt-4.1-mini', max_completion_tokens: 40 });
  });

  it('a submit model wins over defaults.model, and a system message counts as a system prompt', async () => {
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore(), defaults });
    const dryRun = await client.submit([{ id: 'a', messages: [{ role: 'system', content: 'Mine.' }, { role: 'user', content: 'x' }] }], { dryRun: true, model: 'gpt-5.4', exactTokens: false });
    const body = dryRun.preview[0] as { model: string; messages: unknown[] };
    expect(body.model).toBe('gpt-5.4');
    expect(body.messages).toEqual([{ role: 'system', content: 'Mine.' }, { role: 'user', content: 'x' }]);
  });

  it('defaults.schema gives every job structured output', async () => {
    script.set('city', [{ text: '{"name":"Paris"}' }]);
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore(), defaults: { model: 'gpt-5.4-mini', schema: z.object({ name: z.string() }) } });
    const summary = await client.run(['city']);
    expect(summary.results[0]).toMatchObject({ status: 'succeeded', output: { name: 'Paris' } });
    expect(bodies[0]?.['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it('the call strategy\'s own model fills model-less requests (the planner no longer refuses them)', async () => {
    await using client = createBatchClient({ provider: emulatedProvider('gpt-5.4-nano'), store: memoryStore() });
    const dryRun = await client.submit(['hello'], { dryRun: true, exactTokens: false });
    expect(dryRun.parts).toHaveLength(1);
    expect(dryRun.estimate.perModel[0]?.model).toBe('gpt-5.4-nano');
    const summary = await client.run(['hello']);
    expect(summary.results[0]).toMatchObject({ status: 'succeeded', text: 're: hello' });
    expect(bodies[0]?.['model']).toBe('gpt-5.4-nano');
  });

  it('bad defaults are a ValidationError naming each key, before anything runs', () => {
    const make = (given: object) => () => createBatchClient({ provider: emulatedProvider(), store: memoryStore(), defaults: given as never });
    expect(make({ modle: 'x' })).toThrow(/defaults\.modle.*did you mean 'defaults\.model'/);
    expect(make({ temperature: 3 })).toThrow(ValidationError);
    expect(make({ temperature: 3 })).toThrow(/defaults\.temperature/);
    expect(make({ maxTokens: 1.5 })).toThrow(/defaults\.maxTokens/);
    expect(make({ tools: [{ description: 'no name' }] })).toThrow(/defaults\.tools\.0/);
  });
});

describe('plain prompts', () => {
  it('submit and run take strings and { prompt, system, metadata } with ids made from their position', async () => {
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore() });
    const summary = await client.run(['one', { prompt: 'two', system: 'Be brief.', metadata: { row: 2 } }], { model: 'gpt-5.4-mini' });
    expect(summary.results.map((result) => [result.id, result.metadata])).toEqual([
      ['prompt_0', undefined],
      ['prompt_1', { row: 2 }],
    ]);
    expect(texts(summary.results)).toEqual(['re: one', 're: two']);
    expect(bodies.find((body) => lastUserText(body) === 'two')?.['messages']).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'two' }]);
  });

  it('a bad plain prompt is named in the one ValidationError', async () => {
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore() });
    const error = await client.submit(['ok', { prompt: 5 } as never, { prompt: 'x', sytem: 'y' } as never], { model: 'gpt-5.4-mini' }).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    const issues = (error as ValidationError).issues.map((issue) => `${issue.index}:${issue.field}`);
    expect(issues).toEqual(['1:prompt', '2:sytem']);
  });

  it('keep their ids across a resume: the interrupted items run with the same ids', async () => {
    const store = memoryStore();
    const prompts = Array.from({ length: 12 }, (_, index) => `p${index}`);
    const slow = emulated({ call: openaiChat(connection()), concurrency: 2, middleware: [{ before: async (request) => { await new Promise((resolve) => setTimeout(resolve, 30)); return request; } }] });
    const first = createBatchClient({ provider: slow, store });
    const job = await first.submit(prompts, { model: 'gpt-5.4-mini' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.close();
    await using second = createBatchClient({ provider: emulatedProvider(), store });
    await second.resume(job.id);
    await second.wait(job.id);
    const results: BatchResult[] = [];
    for await (const result of second.results(job.id)) results.push(result);
    expect(results.map((result) => result.id)).toEqual(prompts.map((_, index) => `prompt_${index}`));
    expect(texts(results)).toEqual(prompts.map((prompt) => `re: ${prompt}`));
  });
});

describe('client.complete()', () => {
  it('makes one call through the emulated adapter\'s strategy, with its retries', async () => {
    script.set('flaky', [{ status: 500 }]);
    const provider = emulated({ call: openaiChat(connection()), retry: fixedDelay({ maxRetries: 2, delayMs: 1 }) });
    await using client = createBatchClient({ provider, store: memoryStore(), defaults: { model: 'gpt-5.4-mini', system: 'S.' } });
    const result = await client.complete({ prompt: 'flaky', metadata: { ticket: 7 } });
    expect(result).toMatchObject({ id: 'prompt_0', status: 'succeeded', text: 're: flaky', attempts: 2, metadata: { ticket: 7 } });
    expect(bodies.at(-1)?.['messages']).toEqual([{ role: 'system', content: 'S.' }, { role: 'user', content: 'flaky' }]);
  });

  it('returns a failure as a value, classified', async () => {
    script.set('bad', [{ status: 400, error: { message: 'no such parameter' } }]);
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore() });
    const result = await client.complete('bad', { model: 'gpt-5.4-mini' });
    expect(result).toMatchObject({ status: 'failed', error: { category: 'invalid_request', retryable: false } });
  });

  it('on a native shorthand, calls the same provider\'s synchronous API', async () => {
    await using client = createBatchClient({ provider: 'openai', ...connection(), store: memoryStore() });
    const result = await client.complete({ id: 'q', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'now' }] });
    expect(result).toMatchObject({ id: 'q', status: 'succeeded', text: 're: now' });
    expect(server.journal.at(-1)?.endpoint).toBe('chat.completions');
  });

  it('a native adapter value has no synchronous path: an error that says what to use', async () => {
    await using client = createBatchClient({ provider: openaiBatch(connection()), store: memoryStore() });
    const error = await client.complete('x', { model: 'gpt-5.4-mini' }).catch((caught: unknown) => caught);
    expect(LlmBatchError.isInstance(error) && error.code).toBe('complete_unsupported');
    expect(bodies).toHaveLength(0);
  });

  it('a request with no model is a ValidationError before any call', async () => {
    await using client = createBatchClient({ provider: emulatedProvider(), store: memoryStore() });
    await expect(client.complete('x')).rejects.toThrow(/no model/);
    expect(bodies).toHaveLength(0);
  });
});

describe('batchComplete()', () => {
  it('returns the texts in input order, emulated, with a failure as a value', async () => {
    script.set('broken', [{ status: 400, error: { message: 'bad request' } }]);
    const answers = await batchComplete(['a', { prompt: 'broken', metadata: { row: 1 } }, { prompt: 'c', system: 'Short.' }], {
      provider: emulatedProvider(),
      store: memoryStore(),
      model: 'gpt-5.4-mini',
    });
    expect(answers[0]).toBe('re: a');
    expect(answers[1]).toMatchObject({ id: 'prompt_1', status: 'failed', error: { category: 'invalid_request' }, metadata: { row: 1 } });
    expect(answers[2]).toBe('re: c');
  });

  it('runs natively through the shorthand when told', async () => {
    const answers = await batchComplete(['x', 'y', 'z'], {
      provider: 'openai',
      mode: 'native',
      ...connection(),
      store: memoryStore(),
      model: 'gpt-5.4-mini',
      pollIntervalMs: 10,
    });
    expect(answers).toEqual(['re: x', 're: y', 're: z']);
    expect((await server.batches()).length).toBeGreaterThan(0);
  });

  it('refuses an unknown option, naming it', async () => {
    await expect(batchComplete(['x'], { provider: emulatedProvider(), modle: 'x' } as never)).rejects.toThrow(/unknown option 'modle'/);
  });
});

describe('await using', () => {
  it('closing at the end of the scope gives the leases of an unfinished run up', async () => {
    const store = memoryStore();
    let jobId = '';
    {
      const slow = emulated({ call: openaiChat(connection()), concurrency: 1, middleware: [{ before: async (request) => { await new Promise((resolve) => setTimeout(resolve, 40)); return request; } }] });
      await using client = createBatchClient({ provider: slow, store });
      jobId = (await client.submit(['a', 'b', 'c', 'd'], { model: 'gpt-5.4-mini' })).id;
      expect(await store.readLease(jobId)).toBeDefined();
    }
    expect(await store.readLease(jobId)).toBeUndefined();
  });

  it('a client answers to a Symbol.asyncDispose that a polyfill defines later', async () => {
    const late = Symbol('polyfilled asyncDispose');
    let closed = 0;
    const target = answerAsyncDispose({}, async () => void closed++, late) as Record<symbol, () => Promise<void>>;
    await target[late]!();
    expect(closed).toBe(1);
    // A key it already answers to is left alone.
    const own = { [late]: async () => {} };
    expect(answerAsyncDispose(own, async () => void closed++, late)[late]).toBe(own[late]);
  });
});
