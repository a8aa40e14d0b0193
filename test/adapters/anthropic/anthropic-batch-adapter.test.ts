import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicBatch } from '../../../src/adapters/anthropic/anthropic-batch-adapter.js';
import type { MockProviderServer, MockProviderServerOptions } from '../../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../../support/emulator.js';
import { collect, makeContext, makePart, makeRequests } from './anthropic-test-helpers.js';

const emulators = emulatorPerTest();

function start(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  return emulators.start({ batch: { clock: 'manual', processingMs: 1000 }, ...options });
}

const secret = 'sk-ant-test-secret-value';

describe('anthropicBatch construction', () => {
  it('throws at construction without an API key, naming where one is expected', () => {
    const saved = process.env['ANTHROPIC_API_KEY'];
    delete process.env['ANTHROPIC_API_KEY'];
    try {
      expect(() => anthropicBatch()).toThrow(/ANTHROPIC_API_KEY/);
    } finally {
      if (saved !== undefined) process.env['ANTHROPIC_API_KEY'] = saved;
    }
  });

  it('rejects invalid options with a ValidationError naming the option and value', () => {
    expect(() => anthropicBatch({ apiKey: secret, pollIntervalMs: -5 })).toThrow(/pollIntervalMs.*-5/);
    expect(() => anthropicBatch({ apiKey: secret, defaultMaxTokens: 1.5 })).toThrow(/defaultMaxTokens.*1\.5/);
    expect(() => anthropicBatch({ apiKey: secret, baseURL: 'not a url' })).toThrow(/baseURL/);
  });

  it('never puts the API key into an error', async () => {
    const emulator = await start({ apiKeys: ['another-key'] });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const error = await provider.poll({ id: 'msgbatch_x' }, { warn: () => {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(String((error as Error).message)).not.toContain(secret);
  });

  it('declares the Anthropic limits', () => {
    const provider = anthropicBatch({ apiKey: secret });
    expect(provider.limits).toMatchObject({ maxRequests: 100_000, maxBytes: 256 * 1024 * 1024, oneModelPerPart: false });
    expect(provider.limits.idPattern?.test('a'.repeat(65))).toBe(false);
    expect(provider.mode).toBe('native');
  });
});

describe('anthropicBatch against the emulator', () => {
  it('submits a part, reports it pending while running and completed once ended', async () => {
    const emulator = await start();
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const reference = await provider.submit(makePart(makeRequests(3)), context);
    expect(reference.id).toMatch(/^msgbatch_/);
    expect(reference.expiresAt).toEqual(expect.any(String));
    expect(context.checkpoints).toEqual([
      expect.objectContaining({ submittingAt: expect.any(String), requestCount: 3, firstCustomId: 'r-0', lastCustomId: 'r-2' }),
    ]);

    const running = await provider.poll(reference, context);
    expect(running).toMatchObject({ status: 'in_progress', rawStatus: 'in_progress', counts: { pending: 3, succeeded: 0 } });

    await emulator.advance(2000);
    const ended = await provider.poll(reference, context);
    expect(ended).toMatchObject({ status: 'completed', rawStatus: 'ended', counts: { succeeded: 3, pending: 0 } });
    expect(ended.reference).toMatchObject({ endedAt: expect.any(String), resultsUrl: expect.stringContaining(reference.id) });
  });

  it('warns once per part, with the count, when requests have no maxTokens', async () => {
    const emulator = await start({ journalBodies: true });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url, defaultMaxTokens: 777 });
    const requests = [...makeRequests(2, 'with'), ...makeRequests(3, 'without', { maxTokens: undefined })];
    const context = makeContext();
    await provider.submit(makePart(requests), context);
    expect(context.warnings).toEqual([expect.stringMatching(/3 of 5 requests.*max_tokens: 777/)]);
    const create = emulator.journal.find((entry) => entry.endpoint === 'messages.batches.create');
    const sent = (create?.body as { requests: { custom_id: string; params: { max_tokens: number } }[] }).requests;
    expect(sent.map((line) => line.params.max_tokens)).toEqual([64, 64, 777, 777, 777]);
  });

  it('maps every result type: succeeded, errored (by nested type), canceled and expired', async () => {
    const emulator = await start({
      respond: (request) => {
        const id = request.batch?.customId;
        if (id === 'r-1') return { status: 400, error: { type: 'invalid_request_error', message: 'bad request' } };
        if (id === 'r-2') return { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } };
        if (id === 'r-3') return { status: 500, error: { type: 'api_error', message: 'Internal' } };
        return { text: `answer ${id ?? ''}`, usage: { inputTokens: 11, outputTokens: 4 } };
      },
    });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const reference = await provider.submit(makePart(makeRequests(4)), context);
    await emulator.advance(2000);
    expect((await provider.poll(reference, context)).status).toBe('completed');
    const results = await collect(provider.results(reference, context));

    expect(results.get('r-0')).toMatchObject({ status: 'succeeded', text: 'answer r-0', finishReason: 'stop', usage: { inputTokens: 11, outputTokens: 4 } });
    expect(results.get('r-1')).toMatchObject({ status: 'failed', error: { category: 'invalid_request', retryable: false } });
    expect(results.get('r-2')).toMatchObject({ status: 'failed', error: { category: 'overloaded', retryable: true } });
    expect(results.get('r-3')).toMatchObject({ status: 'failed', error: { category: 'server', retryable: true } });
  });

  it('reports the unfinished requests of a cancelled batch as cancelled', async () => {
    const emulator = await start({ batch: { clock: 'manual', processingMs: { perRequest: 100 }, cancellingMs: 10 } });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const reference = await provider.submit(makePart(makeRequests(10)), context);
    await emulator.advance(250);
    await provider.cancel(reference, context);
    expect((await provider.poll(reference, context)).status).toBe('cancelling');
    await emulator.advance(50);
    const ended = await provider.poll(reference, context);
    expect(ended).toMatchObject({ status: 'cancelled', counts: { succeeded: 2, cancelled: 8 } });
    const results = [...(await collect(provider.results(reference, context))).values()];
    expect(results.filter((result) => result.status === 'cancelled')).toHaveLength(8);
    expect(results.filter((result) => result.status === 'succeeded')).toHaveLength(2);
  });

  it('reports an expired batch and its unfinished requests as expired', async () => {
    const emulator = await start({ batch: { clock: 'manual', processingMs: { perRequest: 100 } }, batchFaults: { expireRate: 1 } });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const reference = await provider.submit(makePart(makeRequests(4)), context);
    await emulator.advance(1000);
    expect((await provider.poll(reference, context)).status).toBe('expired');
    const results = [...(await collect(provider.results(reference, context))).values()];
    expect(results.filter((result) => result.status === 'expired').length).toBeGreaterThan(0);
    expect(results.find((result) => result.status === 'expired')).toMatchObject({ error: { category: 'expired' } });
  });

  it('maps tool calls and structured output requests', async () => {
    const emulator = await start({ journalBodies: true });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const reference = await provider.submit(
      makePart([
        {
          id: 'tool',
          model: 'claude-haiku-4-5',
          maxTokens: 100,
          messages: [{ role: 'user', content: 'weather?' }],
          tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
          toolChoice: { name: 'weather' },
        },
        {
          id: 'json',
          model: 'claude-haiku-4-5',
          maxTokens: 100,
          messages: [{ role: 'user', content: 'label it' }],
          responseFormat: { type: 'json_schema', schema: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] } },
        },
      ]),
      context,
    );
    await emulator.advance(2000);
    const results = await collect(provider.results(reference, context));
    const tool = results.get('tool');
    expect(tool).toMatchObject({ status: 'succeeded', finishReason: 'tool_calls', toolCalls: [{ name: 'weather' }] });
    if (tool?.status !== 'succeeded') throw new Error('expected a succeeded tool result');
    expect(JSON.parse(tool.toolCalls?.[0]?.arguments ?? '')).toHaveProperty('city');
    const json = results.get('json');
    if (json?.status !== 'succeeded') throw new Error('expected a succeeded json result');
    expect(JSON.parse(json.text)).toHaveProperty('label');
  });

  it('skips malformed and truncated result lines with a warning instead of losing the file', async () => {
    const emulator = await start({ batchFaults: { truncateResults: true } });
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const reference = await provider.submit(makePart(makeRequests(5)), context);
    await emulator.advance(2000);
    const results = await collect(provider.results(reference, context));
    // The emulator cuts the download halfway through the third of five lines.
    expect(results.size).toBe(2);
    expect(context.warnings).toEqual([expect.stringMatching(/1 result line\(s\).*not valid JSON/)]);
  });

  it('creates a batch exactly once even when the create fails and the user client would retry', async () => {
    const emulator = await start({ faults: { rates: { '500': 1 }, endpoints: ['messages.batches.create'] } });
    const client = new Anthropic({ apiKey: secret, baseURL: emulator.url, maxRetries: 3 });
    const provider = anthropicBatch({ client });
    await expect(provider.submit(makePart(makeRequests(2)), makeContext())).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    expect(emulator.journal.filter((entry) => entry.endpoint === 'messages.batches.create')).toHaveLength(1);
  });

  it('finds the batch of a part whose create was interrupted, by request count around the submit time', async () => {
    const emulator = await start();
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const first = makeContext();
    await provider.submit(makePart(makeRequests(2, 'other')), makeContext());
    const reference = await provider.submit(makePart(makeRequests(3)), first);
    await provider.submit(makePart(makeRequests(4, 'later')), makeContext());

    const restarted = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const found = await restarted.find?.(makePart(makeRequests(3)), makeContext(first.checkpoints[0]));
    expect(found?.id).toBe(reference.id);
    expect(await restarted.find?.(makePart(makeRequests(7)), makeContext(first.checkpoints[0]))).toBeUndefined();
  });

  it('tells same-sized batches apart by their result ids once they ended', async () => {
    const emulator = await start();
    const provider = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const context = makeContext();
    const mine = await provider.submit(makePart(makeRequests(3, 'mine')), context);
    await provider.submit(makePart(makeRequests(3, 'theirs')), makeContext());
    await emulator.advance(2000);
    const found = await provider.find?.(makePart(makeRequests(3, 'mine')), makeContext(context.checkpoints[0]));
    expect(found?.id).toBe(mine.id);
  });

  it('deletes the batch on cleanup only when asked to', async () => {
    const emulator = await start();
    const keeping = anthropicBatch({ apiKey: secret, baseURL: emulator.url });
    const deleting = anthropicBatch({ apiKey: secret, baseURL: emulator.url, deleteAfterResults: true });
    const context = makeContext();
    const reference = await keeping.submit(makePart(makeRequests(1)), context);
    await emulator.advance(2000);
    await keeping.cleanup?.(reference, context);
    expect(await emulator.getBatch(reference.id)).toBeDefined();
    await deleting.cleanup?.(reference, context);
    expect(await emulator.getBatch(reference.id)).toBeUndefined();
    await expect(deleting.cleanup?.(reference, context)).resolves.toBeUndefined();
  });

  it('previews the batch line and measures its size', () => {
    const provider = anthropicBatch({ apiKey: secret });
    const [request] = makeRequests(1);
    if (request === undefined) throw new Error('no request');
    const preview = provider.preview?.(request);
    expect(preview).toEqual({
      custom_id: 'r-0',
      params: { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'question r-0' }] }] },
    });
    expect(provider.measure?.(request)).toBe(Buffer.byteLength(JSON.stringify(preview)) + 1);
  });
});
