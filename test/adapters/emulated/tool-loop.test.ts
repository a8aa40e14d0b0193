import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated } from '../../../src/adapters/emulated/index.js';
import { openaiChat } from '../../../src/adapters/openai/index.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import { runToEnd } from './helpers.js';

let server: MockProviderServer;
const seenBodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  // The scripted model asks for the weather until a tool answer is in the conversation, then answers.
  server = await createMockProviderServer({
    respond: (request) => {
      seenBodies.push(request.body);
      const messages = request.body.messages as { role: string; content: unknown }[];
      const toolAnswers = messages.filter((message) => message.role === 'tool');
      const prompt = String(messages.find((message) => message.role === 'user')?.content);
      if (prompt === 'loop forever') return { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }], finishReason: 'tool_calls' };
      if (toolAnswers.length === 0) {
        return { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }], finishReason: 'tool_calls', usage: { inputTokens: 10, outputTokens: 5 } };
      }
      return { text: `It is ${String(toolAnswers[0]?.content)}`, usage: { inputTokens: 20, outputTokens: 7 } };
    },
  });
});
afterAll(async () => {
  await server.close();
});

describe('tool loop', () => {
  it('executes tool calls locally, calls again with the answers and sums the usage', async () => {
    const calls: unknown[] = [];
    const provider = emulated({
      call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }),
      tools: {
        weather: {
          description: 'Current weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          execute: (args) => {
            calls.push(args);
            return 'sunny';
          },
        },
      },
    });
    const { journal } = await runToEnd(provider, [
      { id: 'a', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'weather in Oslo?' }] },
    ]);
    expect(calls).toEqual([{ city: 'Oslo' }]);
    expect(journal[0]).toMatchObject({
      status: 'succeeded',
      text: 'It is sunny',
      toolCalls: [{ name: 'weather', arguments: JSON.stringify({ city: 'Oslo' }) }],
      usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 },
      attempts: 2,
    });
    // The tool definition was sent, since the request listed none.
    expect(JSON.stringify(seenBodies[0]?.tools)).toContain('Current weather of a city');
  });

  it('stops after maxToolIterations and keeps the last tool calls', async () => {
    let executions = 0;
    const provider = emulated({
      call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }),
      maxToolIterations: 2,
      tools: { weather: { execute: () => void executions++ } },
    });
    const { journal } = await runToEnd(provider, [
      { id: 'b', model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'loop forever' }] },
    ]);
    expect(executions).toBe(2);
    expect(journal[0]).toMatchObject({ status: 'succeeded', finishReason: 'tool_calls', attempts: 3 });
    expect(journal[0]?.status === 'succeeded' && journal[0].toolCalls).toHaveLength(3);
  });
});
