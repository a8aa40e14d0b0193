import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { MockProviderServer, MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../support/emulator.js';

const emulators = emulatorPerTest();

async function start(options: MockProviderServerOptions = {}): Promise<{ server: MockProviderServer; client: Anthropic }> {
  const server = await emulators.start({ batch: { clock: 'manual' }, ...options });
  return { server, client: new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 }) };
}

function requests(count: number): Anthropic.Messages.Batches.BatchCreateParams['requests'] {
  return Array.from({ length: count }, (_, index) => ({
    custom_id: `item-${index}`,
    params: { model: 'claude-test-model', max_tokens: 64, messages: [{ role: 'user' as const, content: `Question ${index}` }] },
  }));
}

async function collect(client: Anthropic, id: string): Promise<Anthropic.Messages.Batches.MessageBatchIndividualResponse[]> {
  const results = [];
  for await (const result of await client.messages.batches.results(id)) results.push(result);
  return results;
}

describe('Anthropic message batches through the official SDK', () => {
  it('creates, polls and reads the results of a batch', async () => {
    const { server, client } = await start();
    const created = await client.messages.batches.create({ requests: requests(4) });
    expect(created.processing_status).toBe('in_progress');
    expect(created.results_url).toBeNull();
    expect(created.request_counts).toEqual({ processing: 4, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    expect(new Date(created.expires_at).getTime() - new Date(created.created_at).getTime()).toBe(24 * 3600 * 1000);

    await server.advance(250);
    const running = await client.messages.batches.retrieve(created.id);
    // Counters other than processing stay zero until the batch ends.
    expect(running.request_counts).toEqual({ processing: 4, succeeded: 0, errored: 0, canceled: 0, expired: 0 });

    await server.advance(250);
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.ended_at).not.toBeNull();
    expect(ended.results_url).toBe(`${server.url}/v1/messages/batches/${created.id}/results`);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 4, errored: 0, canceled: 0, expired: 0 });

    const results = await collect(client, created.id);
    expect(results.map((result) => result.custom_id).sort()).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
    const first = results[0]?.result;
    expect(first?.type).toBe('succeeded');
    if (first?.type === 'succeeded') {
      expect(first.message.content[0]?.type).toBe('text');
      expect(first.message.usage.service_tier).toBe('batch');
    }
  });

  it('reports errored items in the nested error format', async () => {
    const { server, client } = await start({ respond: (request) => (request.batch?.customId === 'item-1' ? { status: 400, error: { message: 'bad item' } } : undefined) });
    const created = await client.messages.batches.create({ requests: requests(3) });
    await server.advance(1000);
    expect((await client.messages.batches.retrieve(created.id)).request_counts).toMatchObject({ succeeded: 2, errored: 1 });
    const errored = (await collect(client, created.id)).find((result) => result.custom_id === 'item-1');
    expect(errored?.result).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'bad item' } } });
  });

  it('reports items without max_tokens as errored', async () => {
    const { server, client } = await start();
    const created = await client.messages.batches.create({
      requests: [{ custom_id: 'no-max', params: { model: 'claude-test-model', messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.Messages.MessageCreateParamsNonStreaming }],
    });
    await server.advance(1000);
    const [result] = await collect(client, created.id);
    expect(result?.result.type).toBe('errored');
  });

  it('cancels: finished items keep their results, the rest are canceled', async () => {
    const { server, client } = await start({ batch: { clock: 'manual', processingMs: { perRequest: 100 } } });
    const created = await client.messages.batches.create({ requests: requests(5) });
    await server.advance(250);
    const canceling = await client.messages.batches.cancel(created.id);
    expect(canceling.processing_status).toBe('canceling');
    expect(canceling.cancel_initiated_at).not.toBeNull();
    await server.advance(100);
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 0, canceled: 3, expired: 0 });
    const types = (await collect(client, created.id)).map((result) => result.result.type).sort();
    expect(types).toEqual(['canceled', 'canceled', 'canceled', 'succeeded', 'succeeded']);
  });

  it('expires unfinished items at the end of the window', async () => {
    const { server, client } = await start({ batch: { clock: 'manual', processingMs: { perRequest: 100 }, expireAfterMs: 150 } });
    const created = await client.messages.batches.create({ requests: requests(3) });
    await server.advance(1000);
    const ended = await client.messages.batches.retrieve(created.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 1, errored: 0, canceled: 0, expired: 2 });
    expect((await collect(client, created.id)).filter((result) => result.result.type === 'expired')).toHaveLength(2);
  });

  it('deletes only after the batch ended', async () => {
    const { server, client } = await start();
    const created = await client.messages.batches.create({ requests: requests(1) });
    await expect(client.messages.batches.delete(created.id)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await server.advance(1000);
    expect(await client.messages.batches.delete(created.id)).toEqual({ id: created.id, type: 'message_batch_deleted' });
    await expect(client.messages.batches.retrieve(created.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('lists most recent first and pages with after_id and before_id', async () => {
    const { client } = await start();
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) ids.push((await client.messages.batches.create({ requests: requests(1) })).id);
    const page = await client.messages.batches.list({ limit: 2 });
    expect(page.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const batch of client.messages.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all).toEqual([...ids].reverse());
    const before = await client.messages.batches.list({ before_id: ids[0] ?? '', limit: 1 });
    expect(before.data.map((batch) => batch.id)).toEqual([ids[1]]);
  });

  it.each([
    ['a bad custom_id', [{ custom_id: 'has space', params: requests(1)[0]?.params }]],
    ['a duplicate custom_id', [...requests(1), ...requests(1)]],
    ['no requests', []],
  ])('rejects %s', async (_name, batchRequests) => {
    const { client } = await start();
    const error = await client.messages.batches.create({ requests: batchRequests as Anthropic.Messages.Batches.BatchCreateParams['requests'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('answers 413 request_too_large above the body limit', async () => {
    const { client } = await start({ batch: { clock: 'manual', maxAnthropicBodyBytes: 1000 } });
    const error = await client.messages.batches.create({ requests: requests(20) }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('request_too_large');
  });

  it('limits the number of requests per batch', async () => {
    const { client } = await start({ batch: { clock: 'manual', maxAnthropicRequests: 2 } });
    await expect(client.messages.batches.create({ requests: requests(3) })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe('Anthropic messages through the official SDK', () => {
  it('answers with a Message and a request-id header', async () => {
    const { client } = await start();
    const { data, response } = await client.messages
      .create({ model: 'claude-test-model', max_tokens: 100, messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.input_tokens).toBe(Math.ceil('Hello there'.length / 4));
    expect(data.usage.cache_read_input_tokens).toBe(0);
    expect(data.usage.cache_creation_input_tokens).toBe(0);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
  });

  it('stops with max_tokens when the answer does not fit', async () => {
    const { client } = await start({ respond: () => ({ text: 'word '.repeat(100) }) });
    const message = await client.messages.create({ model: 'claude-test-model', max_tokens: 5, messages: [{ role: 'user', content: 'Hello' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(5);
  });

  it('validates required fields with the Anthropic error body', async () => {
    const { client } = await start();
    const error = await client.messages
      .create({ model: 'claude-test-model', max_tokens: 0, messages: [{ role: 'user', content: 'Hello' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' }, request_id: expect.stringMatching(/^req_/) });
  });

  it('answers a forced tool with a tool_use block matching the input schema', async () => {
    const { client } = await start();
    const message = await client.messages.create({
      model: 'claude-test-model',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['city', 'days'] } }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(message.stop_reason).toBe('tool_use');
    const block = message.content.find((item) => item.type === 'tool_use');
    expect(block).toMatchObject({ name: 'get_weather', input: { city: expect.any(String), days: expect.any(Number) } });
  });
});
