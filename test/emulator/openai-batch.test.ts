import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from '../../src/testing/mock-server/index.js';

let server: MockProviderServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockProviderServerOptions = {}): Promise<{ server: MockProviderServer; client: OpenAI }> {
  server = await createMockProviderServer({ batch: { clock: 'manual' }, ...options });
  return { server, client: new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 }) };
}

function lines(count: number, model = 'gpt-4o-mini', url = '/v1/chat/completions'): string {
  return Array.from({ length: count }, (_, index) =>
    JSON.stringify({ custom_id: `request-${index}`, method: 'POST', url, body: { model, messages: [{ role: 'user', content: `Question ${index}` }] } }),
  ).join('\n');
}

async function upload(client: OpenAI, text: string, name = 'input.jsonl'): Promise<string> {
  const file = await client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'batch' });
  return file.id;
}

function parseJsonl(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('OpenAI files and batches through the official SDK', () => {
  it('runs a batch from upload to completed output file', async () => {
    const { server, client } = await start();
    const inputFileId = await upload(client, lines(5));
    const created = await client.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'one' } });
    expect(created.status).toBe('validating');
    expect(created.request_counts).toEqual({ total: 5, completed: 0, failed: 0 });

    await server.advance(100);
    await server.advance(200);
    const running = await client.batches.retrieve(created.id);
    expect(running.status).toBe('in_progress');
    expect(running.request_counts?.completed).toBe(2);

    await server.advance(300);
    expect((await client.batches.retrieve(created.id)).status).toBe('finalizing');
    await server.advance(100);
    const done = await client.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 5, completed: 5, failed: 0 });
    expect(done.error_file_id).toBeNull();
    expect(done.model).toBe('gpt-4o-mini');
    expect(done.usage?.total_tokens).toBeGreaterThan(0);
    expect(done.completed_at).toBeGreaterThanOrEqual(done.finalizing_at ?? Number.POSITIVE_INFINITY);

    const content = await client.files.content(done.output_file_id ?? '');
    const output = parseJsonl(await content.text());
    expect(output.map((line) => line.custom_id).sort()).toEqual(['request-0', 'request-1', 'request-2', 'request-3', 'request-4']);
    const first = output[0] as { id: string; response: { status_code: number; body: { object: string } }; error: null };
    expect(first.id).toMatch(/^batch_req_/);
    expect(first.response.status_code).toBe(200);
    expect(first.response.body.object).toBe('chat.completion');
    expect(first.error).toBeNull();

    const outputMeta = await client.files.retrieve(done.output_file_id ?? '');
    expect(outputMeta.purpose).toBe('batch_output');
  });

  it('puts per-request HTTP failures in the error file with error null', async () => {
    const { server, client } = await start({
      respond: (request) => (request.batch?.customId === 'request-1' ? { status: 400, error: { message: 'bad item', code: 'invalid_value', param: 'messages' } } : undefined),
    });
    const created = await client.batches.create({ input_file_id: await upload(client, lines(3)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    await server.advance(10_000);
    const done = await client.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    const errors = parseJsonl(await (await client.files.content(done.error_file_id ?? '')).text());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ custom_id: 'request-1', error: null, response: { status_code: 400, body: { error: { message: 'bad item', type: 'invalid_request_error', param: 'messages', code: 'invalid_value' } } } });
  });

  it('ends completed with a null output file when every request fails', async () => {
    const { server, client } = await start({ respond: () => ({ status: 500 }) });
    const created = await client.batches.create({ input_file_id: await upload(client, lines(2)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    await server.advance(10_000);
    const done = await client.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.output_file_id).toBeNull();
    expect(done.error_file_id).toMatch(/^file-/);
  });

  it('sends an empty error_file_id when asked to imitate the real API', async () => {
    const { server, client } = await start({ batch: { clock: 'manual', emptyStringErrorFileId: true } });
    const created = await client.batches.create({ input_file_id: await upload(client, lines(1)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    await server.advance(10_000);
    expect((await client.batches.retrieve(created.id)).error_file_id).toBe('');
  });

  it('cancels a running batch and keeps the partial output', async () => {
    const { server, client } = await start();
    const created = await client.batches.create({ input_file_id: await upload(client, lines(10)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    await server.advance(100 + 250);
    const cancelling = await client.batches.cancel(created.id);
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).not.toBeNull();
    await server.advance(100);
    const cancelled = await client.batches.retrieve(created.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.request_counts).toEqual({ total: 10, completed: 5, failed: 0 });
    const output = parseJsonl(await (await client.files.content(cancelled.output_file_id ?? '')).text());
    expect(output).toHaveLength(5);
  });

  it('expires with batch_expired lines for unfinished requests', async () => {
    const { server, client } = await start({ batch: { clock: 'manual', expireAfterMs: 100 + 200, processingMs: { perRequest: 100 } } });
    const created = await client.batches.create({ input_file_id: await upload(client, lines(4)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    await server.advance(1000);
    const expired = await client.batches.retrieve(created.id);
    expect(expired.status).toBe('expired');
    expect(expired.expired_at).not.toBeNull();
    expect(expired.request_counts).toEqual({ total: 4, completed: 2, failed: 2 });
    expect(parseJsonl(await (await client.files.content(expired.output_file_id ?? '')).text())).toHaveLength(2);
    const errors = parseJsonl(await (await client.files.content(expired.error_file_id ?? '')).text());
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ response: null, error: { code: 'batch_expired' } });
  });

  it.each([
    ['invalid_json_line', `${lines(1)}\n{not json`, 2],
    ['duplicate_custom_id', `${lines(1)}\n${lines(1)}`, 2],
    ['url_mismatch', lines(1, 'gpt-4o-mini', '/v1/embeddings'), 1],
    ['model_mismatch', `${lines(1)}\n${lines(2, 'gpt-4o').split('\n')[1] ?? ''}`, 2],
    ['empty_file', '\n', null],
  ])('fails validation with %s', async (code, text, line) => {
    const { server, client } = await start();
    const created = await client.batches.create({ input_file_id: await upload(client, text), endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(created.status).toBe('validating');
    await server.advance(100);
    const failed = await client.batches.retrieve(created.id);
    expect(failed.status).toBe('failed');
    expect(failed.failed_at).not.toBeNull();
    expect(failed.errors?.data?.[0]).toMatchObject({ code, line });
  });

  it('fails validation with too_many_tasks above the configured limit', async () => {
    const { server, client } = await start({ batch: { clock: 'manual', maxOpenAIRequests: 3 } });
    const created = await client.batches.create({ input_file_id: await upload(client, lines(4)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    await server.advance(100);
    expect((await client.batches.retrieve(created.id)).errors?.data?.[0]?.code).toBe('too_many_tasks');
  });

  it('rejects bad create parameters with the OpenAI error body', async () => {
    const { client } = await start();
    const inputFileId = await upload(client, lines(1));
    const tooMuchMetadata = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    for (const params of [
      { input_file_id: inputFileId, endpoint: '/v1/nope', completion_window: '24h' },
      { input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '48h' },
      { input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: tooMuchMetadata },
      { input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { ['k'.repeat(65)]: 'v' } },
      { input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { key: 'v'.repeat(513) } },
    ]) {
      const error = await client.batches.create(params as unknown as OpenAI.Batches.BatchCreateParams).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ type: 'invalid_request_error' });
    }
  });

  it('rejects a non-jsonl batch upload', async () => {
    const { client } = await start();
    const error = await client.files.create({ file: await toFile(Buffer.from('a,b'), 'input.csv'), purpose: 'batch' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('Must be .jsonl');
  });

  it('lists, retrieves and deletes files', async () => {
    const { client } = await start();
    const first = await upload(client, lines(1), 'a.jsonl');
    const second = await upload(client, lines(1), 'b.jsonl');
    const listed = [];
    for await (const file of client.files.list({ limit: 1 })) listed.push(file.id);
    expect(listed).toEqual([second, first]);
    expect((await client.files.retrieve(first)).filename).toBe('a.jsonl');
    expect(await client.files.delete(first)).toEqual({ id: first, object: 'file', deleted: true });
    await expect(client.files.retrieve(first)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('lists batches newest first with cursor pagination', async () => {
    const { client } = await start();
    const inputFileId = await upload(client, lines(1));
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await client.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    }
    const page = await client.batches.list({ limit: 2 });
    expect(page.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const batch of client.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all).toEqual([...ids].reverse());
  });

  it('runs embeddings and responses batches', async () => {
    const { server, client } = await start();
    const embeddingLine = JSON.stringify({ custom_id: 'e1', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hello' } });
    const responsesLine = JSON.stringify({ custom_id: 'r1', method: 'POST', url: '/v1/responses', body: { model: 'gpt-5-mini', input: 'hello' } });
    const embeddings = await client.batches.create({ input_file_id: await upload(client, embeddingLine), endpoint: '/v1/embeddings', completion_window: '24h' });
    const responses = await client.batches.create({ input_file_id: await upload(client, responsesLine), endpoint: '/v1/responses', completion_window: '24h' });
    await server.advance(10_000);
    const embeddingOutput = parseJsonl(await (await client.files.content((await client.batches.retrieve(embeddings.id)).output_file_id ?? '')).text());
    expect(embeddingOutput[0]).toMatchObject({ response: { body: { object: 'list', data: [{ object: 'embedding' }] } } });
    const responseOutput = parseJsonl(await (await client.files.content((await client.batches.retrieve(responses.id)).output_file_id ?? '')).text());
    expect(responseOutput[0]).toMatchObject({ response: { body: { object: 'response', status: 'completed' } } });
  });

  it('advances on the real clock too', async () => {
    server = await createMockProviderServer({ batch: { validatingMs: 10, processingMs: 20, finalizingMs: 10 } });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const created = await client.batches.create({ input_file_id: await upload(client, lines(2)), endpoint: '/v1/chat/completions', completion_window: '24h' });
    let batch = created;
    while (batch.status !== 'completed') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      batch = await client.batches.retrieve(created.id);
    }
    expect(batch.request_counts?.completed).toBe(2);
  });
});
