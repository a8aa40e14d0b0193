import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulated, type EmulatedEvent } from '../../../src/adapters/emulated/index.js';
import { openaiChat } from '../../../src/adapters/openai/index.js';
import { noRetry } from '../../../src/retry/no-retry.js';
import { createMockProviderServer, type MockAnswer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import { byId, makeContext, makePart, makeRequests, runToEnd } from './helpers.js';

/** Answers scripted per prompt: `script[prompt]` is a list of answers for successive calls. */
const script = new Map<string, MockAnswer[]>();
let server: MockProviderServer;

function lastUserText(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: unknown }[];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  return typeof last?.content === 'string' ? last.content : '';
}

beforeAll(async () => {
  server = await createMockProviderServer({
    respond: (request) => script.get(lastUserText(request.body))?.shift(),
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  script.clear();
  server.reset();
});

function call() {
  return openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
}

function request(id: string, prompt = `prompt of ${id}`): BatchRequest {
  return { id, model: 'gpt-5.4-mini', maxTokens: 16, messages: [{ role: 'user', content: prompt }] };
}

describe('emulated adapter against the emulator', () => {
  it('describes itself as a one-part emulated provider named after its call strategy', () => {
    const provider = emulated({ call: call() });
    expect(provider.mode).toBe('emulated');
    expect(provider.name).toBe('openai');
    expect(provider.limits).toEqual({ maxRequests: Infinity, maxBytes: Infinity, oneModelPerPart: false });
  });

  it('journals one succeeded result per request with text, usage and attempts', async () => {
    const requests = makeRequests(50);
    const { poll, journal } = await runToEnd(emulated({ call: call(), concurrency: 8 }), requests);
    expect(poll.status).toBe('completed');
    expect(journal).toHaveLength(50);
    expect(new Set(journal.map((result) => result.id)).size).toBe(50);
    const first = byId(journal).get('item_0');
    expect(first).toMatchObject({ status: 'succeeded', attempts: 1, model: expect.any(String), text: expect.any(String) });
    expect(first?.status === 'succeeded' && first.usage.totalTokens).toBeGreaterThan(0);
    expect(poll.counts).toMatchObject({ succeeded: 50, failed: 0, cancelled: 0, pending: 0 });
  });

  it('retries a transient 500 and records the attempts', async () => {
    script.set('flaky', [{ status: 500 }, { status: 503 }]);
    const { journal } = await runToEnd(emulated({ call: call() }), [request('a', 'flaky')]);
    expect(journal[0]).toMatchObject({ id: 'a', status: 'succeeded', attempts: 3 });
  });

  it('fails a non-retryable 400 at once with its category', async () => {
    script.set('bad', [{ status: 400, error: { message: 'Invalid value for temperature' } }]);
    const { journal, poll } = await runToEnd(emulated({ call: call() }), [request('a', 'bad'), request('b')]);
    expect(byId(journal).get('a')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { category: 'invalid_request', statusCode: 400, retryable: false },
    });
    expect(byId(journal).get('b')?.status).toBe('succeeded');
    expect(poll.status).toBe('completed');
  });

  it('gives up a retryable failure when the retry strategy says so', async () => {
    script.set('down', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    const { journal } = await runToEnd(emulated({ call: call(), retry: noRetry() }), [request('a', 'down')]);
    expect(journal[0]).toMatchObject({ status: 'failed', attempts: 1, error: { category: 'server', retryable: true } });
  });

  it('does not spend the retry budget on 429s', async () => {
    script.set('limited', [{ status: 429 }, { status: 429 }, { status: 429 }]);
    const provider = emulated({ call: call(), retry: noRetry(), rateLimit: { adaptive: false } });
    const { journal } = await runToEnd(provider, [request('a', 'limited')]);
    expect(journal[0]).toMatchObject({ status: 'succeeded', attempts: 4 });
  });

  it('fails an item after maxRateLimitRetries 429s', async () => {
    script.set('limited', [{ status: 429 }, { status: 429 }, { status: 429 }]);
    const provider = emulated({ call: call(), maxRateLimitRetries: 1, rateLimit: { adaptive: false } });
    const { journal } = await runToEnd(provider, [request('a', 'limited')]);
    expect(journal[0]).toMatchObject({ status: 'failed', attempts: 2, error: { category: 'rate_limit' } });
  });

  it('stops the whole run on an abortOn category (auth by default)', async () => {
    script.set('key', [{ status: 401, error: { message: 'Incorrect API key provided' } }]);
    const requests = [request('a', 'key'), ...makeRequests(200)];
    const { poll, journal } = await runToEnd(emulated({ call: call(), concurrency: 2 }), requests);
    expect(poll.status).toBe('failed');
    expect(poll.error).toMatch(/auth/);
    expect(byId(journal).get('a')).toMatchObject({ status: 'failed', error: { category: 'auth' } });
    expect(journal.length).toBeLessThan(requests.length);
  });

  it('with fail-fast, the first item that fails for good stops the run', async () => {
    script.set('bad', [{ status: 400 }]);
    const requests = [request('a', 'bad'), ...makeRequests(200)];
    const provider = emulated({ call: call(), concurrency: 2, errorStrategy: 'fail-fast' });
    const { poll, journal } = await runToEnd(provider, requests);
    expect(poll.status).toBe('failed');
    expect(poll.error).toMatch(/fail-fast/);
    expect(journal.length).toBeLessThan(requests.length);
  });

  it('with continue, a failure does not stop the run', async () => {
    script.set('bad', [{ status: 400 }]);
    const requests = [request('a', 'bad'), ...makeRequests(20)];
    const { poll, journal } = await runToEnd(emulated({ call: call(), concurrency: 2 }), requests);
    expect(poll.status).toBe('completed');
    expect(journal).toHaveLength(21);
  });

  it('with skip, failed results carry skipped: true', async () => {
    script.set('bad', [{ status: 400 }]);
    const provider = emulated({ call: call(), errorStrategy: 'skip' });
    const { journal } = await runToEnd(provider, [request('a', 'bad'), { ...request('b'), metadata: { row: 7 } }]);
    expect(byId(journal).get('a')).toMatchObject({ status: 'failed', skipped: true });
    expect(byId(journal).get('a')?.metadata).toBeUndefined();
    // A request's metadata comes back on its result, and skip adds nothing to it.
    expect(byId(journal).get('b')?.metadata).toEqual({ row: 7 });
  });

  it('aborts a call that hangs past timeoutMs as a retryable timeout', async () => {
    // The fault header forces a hang; an SDK client of our own sends it with every call.
    const client = new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-mock-fault': 'hang' } });
    const hanging = openaiChat({ client });
    const provider = emulated({ call: hanging, timeoutMs: 200, retry: noRetry() });
    const { journal } = await runToEnd(provider, [request('a')]);
    expect(journal[0]).toMatchObject({ status: 'failed', error: { category: 'timeout', retryable: true } });
  });

  it('cancel aborts calls in flight, records them cancelled and ends the run cancelled', async () => {
    const slow = await createMockProviderServer({ latency: 5_000 });
    try {
      const provider = emulated({ call: openaiChat({ apiKey: 'k', baseURL: `${slow.url}/v1` }), concurrency: 3 });
      const context = makeContext();
      const reference = await provider.submit(makePart(makeRequests(100), 100), context);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await provider.cancel(reference, context);
      await provider.waitForRun(reference);
      const poll = await provider.poll(reference, context);
      expect(poll.status).toBe('cancelled');
      expect(context.journal).toHaveLength(3);
      expect(context.journal.every((result) => result.status === 'cancelled')).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('runs middleware: before rewrites or skips, after rewrites, onError sees every failed call', async () => {
    script.set('flaky', [{ status: 500 }]);
    const errors: number[] = [];
    const provider = emulated({
      call: call(),
      middleware: [
        {
          before: (input) => (input.id === 'skip-me' ? { skip: true } : { ...input, metadata: { seen: true } }),
          after: (_input, result) => ({ ...result, metadata: { ...result.metadata, after: true } }),
          onError: (_input, _error, context) => void errors.push(context.attempt),
        },
      ],
    });
    const { journal } = await runToEnd(provider, [request('a', 'flaky'), request('skip-me')]);
    expect(byId(journal).get('a')).toMatchObject({ status: 'succeeded', metadata: { after: true } });
    expect(byId(journal).get('skip-me')).toMatchObject({ status: 'cancelled', error: { message: 'Skipped by middleware' } });
    expect(errors).toEqual([1]);
  });

  it('reports results, progress and typed events', async () => {
    const events: EmulatedEvent[] = [];
    const progress: number[] = [];
    const results: string[] = [];
    const provider = emulated({
      call: call(),
      concurrency: 2,
      observers: [(event) => events.push(event)],
      onProgress: (update) => progress.push(update.done),
      onResult: (result) => void results.push(result.id),
    });
    await runToEnd(provider, makeRequests(5));
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(results.sort()).toEqual(['item_0', 'item_1', 'item_2', 'item_3', 'item_4']);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('job.started');
    expect(types.at(-1)).toBe('job.completed');
    expect(types.filter((type) => type === 'item.started')).toHaveLength(5);
    expect(types.filter((type) => type === 'item.completed')).toHaveLength(5);
    expect(types.filter((type) => type === 'worker.started')).toHaveLength(2);
    expect(types.filter((type) => type === 'worker.stopped')).toHaveLength(2);
  });

  it('stops scheduling when the budget refuses a request and marks that item cancelled (budget)', async () => {
    let allowed = 3;
    const settled: string[] = [];
    const provider = emulated({
      call: call(),
      concurrency: 1,
      budget: { reserve: () => allowed-- > 0, settle: (input) => void settled.push(input.id) },
    });
    const { journal, poll } = await runToEnd(provider, makeRequests(10));
    expect(journal.filter((result) => result.status === 'succeeded')).toHaveLength(3);
    expect(journal.find((result) => result.status === 'cancelled')).toMatchObject({ error: { category: 'budget' } });
    expect(poll.status).toBe('cancelled');
    expect(settled).toHaveLength(3);
  });

  it('rejects bad options with a TypeError naming the option and value', () => {
    expect(() => emulated({ call: call(), concurrency: 0 })).toThrow(/"concurrency".*0/);
    expect(() => emulated({ call: call(), errorStrategy: 'later' as never })).toThrow(/"errorStrategy".*later/);
    expect(() => emulated({ call: call(), abortOn: ['nope' as never] })).toThrow(/"abortOn"/);
    expect(() => emulated({ call: {} as never })).toThrow(/"call"/);
  });

  it('poll of a run that is not in this process reports it detached', async () => {
    const provider = emulated({ call: call() });
    const poll = await provider.poll({ id: 'emu_unknown' }, makeContext());
    expect(poll).toMatchObject({ status: 'failed', rawStatus: 'detached' });
  });
});
