import { afterEach, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, memoryStore, type BatchRequest, type SucceededResult } from 'llm-batch';
import { anthropicBatch } from 'llm-batch/anthropic';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const requests = (count: number, model = 'gpt-5.4-mini'): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `item_${index}`, model, maxTokens: 16, messages: [{ role: 'user' as const, content: `raw prompt ${index}` }] }));

const fast = { batch: { validatingMs: 10, processingMs: 40, finalizingMs: 10 } };
const polling = { store: memoryStore(), pollIntervalMs: 20, maxPollIntervalMs: 40 };

describe('includeRaw', () => {
  it('openaiBatch({ includeRaw }) keeps each result line with its full response body; without it, none', async () => {
    server = await createMockProviderServer(fast);
    const withRaw = await createBatchClient({ provider: openaiBatch({ apiKey: 'k', baseURL: `${server.url}/v1`, includeRaw: true }), ...polling }).run(requests(2));
    const first = withRaw.results[0] as SucceededResult;
    expect(first.raw).toMatchObject({ custom_id: 'item_0', response: { status_code: 200, body: { object: 'chat.completion', choices: [expect.objectContaining({ message: expect.objectContaining({ content: first.text }) })] } } });
    const without = await createBatchClient({ provider: openaiBatch({ apiKey: 'k', baseURL: `${server.url}/v1` }), ...polling, store: memoryStore() }).run(requests(1));
    expect((without.results[0] as SucceededResult).raw).toBeUndefined();
  });

  it('anthropicBatch({ includeRaw }) keeps the full message of each result line', async () => {
    server = await createMockProviderServer(fast);
    const summary = await createBatchClient({ provider: anthropicBatch({ apiKey: 'k', baseURL: server.url, includeRaw: true }), ...polling }).run(requests(2, 'claude-haiku-4-5'));
    const first = summary.results[0] as SucceededResult;
    expect(first.raw).toMatchObject({ custom_id: 'item_0', result: { type: 'succeeded', message: { type: 'message', role: 'assistant', usage: expect.any(Object) } } });
  });

  it('emulated({ includeRaw }) keeps the response body; a tool loop keeps every response and each tool call its output', async () => {
    server = await createMockProviderServer({
      respond: (request) => {
        const messages = request.body.messages as { role: string; content: unknown }[];
        if (!JSON.stringify(messages).includes('weather')) return undefined;
        const answered = messages.find((message) => message.role === 'tool');
        return answered === undefined
          ? { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }], finishReason: 'tool_calls' }
          : { text: `It is ${String(answered.content)}` };
      },
    });
    const call = openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` });
    const tools = { weather: { parameters: { type: 'object', properties: { city: { type: 'string' } } }, execute: (args: unknown) => `sunny in ${(args as { city: string }).city}` } };
    const client = createBatchClient({ provider: emulated({ call, includeRaw: true, tools }), store: memoryStore() });
    const summary = await client.run([...requests(1), { id: 'tool', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'weather in Oslo?' }] }]);
    const plain = summary.results[0] as SucceededResult;
    expect(plain.raw).toMatchObject({ object: 'chat.completion', model: expect.any(String), usage: expect.any(Object) });
    const looped = summary.results[1] as SucceededResult;
    expect(looped.text).toBe('It is sunny in Oslo');
    expect(looped.toolCalls).toEqual([{ id: expect.any(String), name: 'weather', arguments: '{"city":"Oslo"}', output: 'sunny in Oslo' }]);
    expect(Array.isArray(looped.raw) && looped.raw.length).toBe(2);
    // Read back from the store, the execution history is still there.
    const stored: SucceededResult[] = [];
    for await (const result of client.results(summary.jobId)) stored.push(result as SucceededResult);
    expect(stored[1]?.toolCalls?.[0]?.output).toBe('sunny in Oslo');
    const without = await createBatchClient({ provider: emulated({ call }), store: memoryStore() }).run(requests(1));
    expect((without.results[0] as SucceededResult).raw).toBeUndefined();
  });

  it('is a boolean', () => {
    expect(() => emulated({ call: openaiChat({ apiKey: 'k' }), includeRaw: 'yes' as never })).toThrow(/includeRaw.*boolean/s);
    expect(() => openaiBatch({ apiKey: 'k', includeRaw: 1 as never })).toThrow(/includeRaw.*boolean/s);
    expect(() => anthropicBatch({ apiKey: 'k', includeRaw: {} as never })).toThrow(/includeRaw.*boolean/s);
  });
});
