import { afterEach, describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../../src/adapters/anthropic/anthropic-messages-strategy.js';
import { emulated, type EmulatedBudget } from '../../../src/adapters/emulated/index.js';
import { openaiChat } from '../../../src/adapters/openai/openai-chat-strategy.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { Usage } from '../../../src/models/usage.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import { runToEnd } from './helpers.js';

let server: MockProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A budget that admits everything and remembers what it was asked. */
function recordingBudget(admit: (reservation: number) => boolean = () => true) {
  const reserved: BatchRequest[] = [];
  const settled: { request: BatchRequest; usage: Usage | undefined }[] = [];
  const budget: EmulatedBudget = {
    reserve: (request) => {
      reserved.push(request);
      return admit(reserved.length);
    },
    settle: (request, usage) => void settled.push({ request, usage }),
  };
  return { budget, reserved, settled };
}

const weather = { weather: { description: 'Current weather of a city', execute: () => 'sunny' } };

async function toolLoopEmulator(): Promise<MockProviderServer> {
  return createMockProviderServer({
    respond: (request) => {
      const messages = request.body.messages as { content: unknown }[];
      const answered = messages.some((message) => Array.isArray(message.content) && message.content.some((block: { type?: string }) => block.type === 'tool_result'));
      return answered
        ? { text: 'Sunny.', usage: { inputTokens: 40, outputTokens: 5 } }
        : { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }], usage: { inputTokens: 30, outputTokens: 9 } };
    },
  });
}

const question: BatchRequest = { id: 'a', model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Weather in Oslo?' }] };

describe('budget bookings of the emulated adapter', () => {
  it('books each call of a tool loop as sent, with the max_tokens the strategy sends, and settles once with the total', async () => {
    server = await toolLoopEmulator();
    const { budget, reserved, settled } = recordingBudget();
    const provider = emulated({ call: anthropicMessages({ apiKey: 'k', baseURL: server.url }), tools: weather, budget });
    const { journal } = await runToEnd(provider, [question]);
    expect(journal[0]).toMatchObject({ status: 'succeeded', text: 'Sunny.' });
    expect(reserved).toHaveLength(2);
    for (const booking of reserved) {
      expect(booking.maxTokens).toBe(4096);
      expect(booking.tools?.map((tool) => tool.name)).toEqual(['weather']);
    }
    // The second booking carries the turn the first call added: the tool call and its answer.
    expect(reserved[1]?.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(settled).toEqual([{ request: question, usage: expect.objectContaining({ inputTokens: 70, outputTokens: 14 }) }]);
  });

  it('stops a tool loop whose further call is refused: failed with category budget and the usage paid so far', async () => {
    server = await toolLoopEmulator();
    const { budget, settled } = recordingBudget((reservation) => reservation === 1);
    const provider = emulated({ call: anthropicMessages({ apiKey: 'k', baseURL: server.url }), tools: weather, budget });
    const { journal, poll } = await runToEnd(provider, [question, { ...question, id: 'b' }]);
    expect(journal.find((result) => result.id === 'a')).toMatchObject({
      status: 'failed',
      error: { category: 'budget', retryable: true },
      usage: { inputTokens: 30, outputTokens: 9 },
    });
    expect(journal.find((result) => result.id === 'b')).toMatchObject({ status: 'cancelled', error: { category: 'budget' } });
    expect(server.journal.filter((entry) => entry.endpoint === 'messages')).toHaveLength(1);
    expect(settled.map((entry) => entry.usage?.outputTokens)).toEqual([9]);
    expect(poll.status).toBe('cancelled');
  });

  it('warns once when the strategy sends no cap, since the booking then only assumes one', async () => {
    server = await createMockProviderServer({ respond: () => ({ text: 'ok', usage: { inputTokens: 3, outputTokens: 2 } }) });
    const { budget, reserved } = recordingBudget();
    const provider = emulated({ call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }), budget });
    const gpt = (id: string): BatchRequest => ({ id, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const { warnings } = await runToEnd(provider, [gpt('a'), gpt('b'), { ...gpt('c'), maxTokens: 50 }]);
    expect(reserved.map((request) => request.maxTokens)).toEqual([undefined, undefined, 50]);
    expect(warnings.filter((warning) => /sends no max tokens/.test(warning))).toHaveLength(1);
  });
});
