import { APICallError } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { classifyError, createBatchClient, emulated, memoryStore, type BatchRequest, type CallContext } from 'llm-batch';
import { aiSdk } from 'llm-batch/ai-sdk';

type GenerateResult = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;

const usage = (input: number, output: number, details: { cacheRead?: number; reasoning?: number } = {}): GenerateResult['usage'] => ({
  inputTokens: { total: input, noCache: input - (details.cacheRead ?? 0), cacheRead: details.cacheRead, cacheWrite: undefined },
  outputTokens: { total: output, text: output - (details.reasoning ?? 0), reasoning: details.reasoning },
});

function answer(text: string, extra: Partial<GenerateResult> = {}): GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: usage(10, 5),
    warnings: [],
    response: { modelId: 'mock-model-1', headers: { 'x-ratelimit-remaining-requests': '99' } },
    ...extra,
  };
}

const context = (): CallContext => ({ attempt: 1, signal: new AbortController().signal, timeoutMs: 10_000 });

describe('aiSdk() with the AI SDK mock language model', () => {
  it('maps messages, system, sampling and tools into generateText, and text, usage and finish reason back', async () => {
    const model = new MockLanguageModelV3({ doGenerate: async () => answer('It is sunny.', { usage: usage(120, 30, { cacheRead: 100, reasoning: 8 }) }) });
    const strategy = aiSdk({ model });
    const request: BatchRequest = {
      id: 'weather',
      system: 'Be brief.',
      maxTokens: 64,
      temperature: 0.2,
      stop: 'END',
      messages: [
        { role: 'system', content: 'Answer in English.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', toolCallId: 'call_1', content: 'sunny, 21 C' },
      ],
      tools: [{ name: 'weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
      toolChoice: 'auto',
    };
    const output = await strategy.call(request, context());
    expect(output).toMatchObject({ text: 'It is sunny.', finishReason: 'stop', rawFinishReason: 'stop', model: 'mock-model-1' });
    expect(output.usage).toEqual({ inputTokens: 120, outputTokens: 30, totalTokens: 150, cachedInputTokens: 100, reasoningTokens: 8 });
    expect(output.headers).toMatchObject({ 'x-ratelimit-remaining-requests': '99' });
    const call = model.doGenerateCalls[0]!;
    expect(call.maxOutputTokens).toBe(64);
    expect(call.temperature).toBe(0.2);
    expect(call.stopSequences).toEqual(['END']);
    expect(call.prompt[0]).toEqual({ role: 'system', content: 'Be brief.\n\nAnswer in English.' });
    expect(call.prompt[1]).toMatchObject({ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] });
    expect(call.prompt[2]).toMatchObject({ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' } }] });
    expect(call.prompt[3]).toMatchObject({ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', output: { type: 'text', value: 'sunny, 21 C' } }] });
    expect(call.tools).toEqual([
      expect.objectContaining({ type: 'function', name: 'weather', description: 'Weather of a city', inputSchema: expect.objectContaining({ required: ['city'] }) }),
    ]);
    expect(call.toolChoice).toEqual({ type: 'auto' });
  });

  it('returns tool calls with their arguments as JSON text and finish reason tool_calls', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => ({
        ...answer(''),
        content: [{ type: 'tool-call', toolCallId: 'call_9', toolName: 'weather', input: '{"city":"Oslo"}' }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      }),
    });
    const output = await aiSdk({ model }).call(
      { id: 'a', messages: [{ role: 'user', content: 'Oslo?' }], tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }], toolChoice: { name: 'weather' } },
      context(),
    );
    expect(output.finishReason).toBe('tool_calls');
    expect(output.rawFinishReason).toBe('tool_calls');
    expect(output.toolCalls).toEqual([{ id: 'call_9', name: 'weather', arguments: '{"city":"Oslo"}' }]);
    expect(model.doGenerateCalls[0]!.toolChoice).toEqual({ type: 'tool', toolName: 'weather' });
  });

  it('asks for structured output, and hands back an answer that does not match it as text (our check fails it)', async () => {
    const schema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'], additionalProperties: false };
    const good = new MockLanguageModelV3({ doGenerate: async () => answer('{"score":7}') });
    const output = await aiSdk({ model: good }).call({ id: 'a', messages: [{ role: 'user', content: 'Rate it' }], responseFormat: { type: 'json_schema', name: 'rating', schema } }, context());
    expect(output.text).toBe('{"score":7}');
    expect(good.doGenerateCalls[0]!.responseFormat).toMatchObject({ type: 'json', name: 'rating', schema: expect.objectContaining({ required: ['score'] }) });
    const bad = new MockLanguageModelV3({ doGenerate: async () => answer('not json at all') });
    const unparsed = await aiSdk({ model: bad }).call({ id: 'b', messages: [{ role: 'user', content: 'Rate it' }], responseFormat: { type: 'json_schema', schema } }, context());
    expect(unparsed).toMatchObject({ text: 'not json at all', finishReason: 'stop' });
    expect(unparsed.usage.totalTokens).toBe(15);
  });

  it('never retries: an APICallError 429 reaches our classifier once, with its retry-after', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: async () => {
        throw new APICallError({
          message: 'Rate limit reached',
          url: 'https://api.example.com/v1/chat/completions',
          requestBodyValues: {},
          statusCode: 429,
          responseHeaders: { 'retry-after-ms': '1500', 'x-request-id': 'req_123' },
          responseBody: '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}',
          isRetryable: true,
        });
      },
    });
    const error = await aiSdk({ model }).call({ id: 'a', messages: [{ role: 'user', content: 'hi' }] }, context()).catch((caught: unknown) => caught);
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(classifyError(error)).toMatchObject({ category: 'rate_limit', retryable: true, retryAfterMs: 1500, statusCode: 429, code: 'rate_limit_exceeded', requestId: 'req_123' });
  });

  it('classifies APICallErrors by status and details, RetryError by its last error', () => {
    const apiError = (statusCode: number, body: unknown, headers: Record<string, string> = {}) =>
      new APICallError({ message: `status ${statusCode}`, url: 'u', requestBodyValues: {}, statusCode, responseHeaders: headers, responseBody: JSON.stringify(body) });
    expect(classifyError(apiError(503, { error: { message: 'busy' } }))).toMatchObject({ category: 'server', retryable: true, statusCode: 503 });
    expect(classifyError(apiError(401, { error: { message: 'bad key' } }))).toMatchObject({ category: 'auth', retryable: false });
    expect(classifyError(apiError(429, { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } }))).toMatchObject({ category: 'insufficient_quota', retryable: false });
    expect(classifyError(apiError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }))).toMatchObject({ category: 'overloaded', retryable: true });
    expect(classifyError(apiError(500, {}, { 'x-should-retry': 'false' }))).toMatchObject({ category: 'server', retryable: false });
    // What the AI SDK throws when its own retries ran out: the last error decides.
    const retryError = Object.assign(new Error('Failed after 3 attempts'), { name: 'AI_RetryError', reason: 'maxRetriesExceeded', lastError: apiError(429, {}, { 'retry-after': '2' }), errors: [] });
    expect(classifyError(retryError)).toMatchObject({ category: 'rate_limit', retryable: true, retryAfterMs: 2000 });
    const aborted = Object.assign(new Error('Aborted'), { name: 'AI_RetryError', reason: 'abort', errors: [] });
    expect(classifyError(aborted)).toMatchObject({ category: 'cancelled', retryable: false });
    // No answer at all (fetch failed inside an APICallError without a status).
    const noAnswer = new APICallError({ message: 'Cannot connect to API', url: 'u', requestBodyValues: {}, cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), isRetryable: true });
    expect(classifyError(noAnswer)).toMatchObject({ category: 'network', retryable: true });
  });

  it('runs a job through the emulated adapter, taking the model from the request through a function', async () => {
    const seen: string[] = [];
    const strategy = aiSdk({
      model: (modelId) => {
        seen.push(modelId);
        return new MockLanguageModelV3({ modelId, doGenerate: async (options) => answer(`echo ${JSON.stringify(options.prompt.at(-1)?.content)}`, { response: { modelId } }) });
      },
      name: 'mock-ai',
    });
    const client = createBatchClient({ provider: emulated({ call: strategy, concurrency: 4 }), store: memoryStore() });
    const summary = await client.run(
      Array.from({ length: 6 }, (_, index) => ({ id: `item_${index}`, messages: [{ role: 'user' as const, content: `prompt ${index}` }] })),
      { model: 'mock-large' },
    );
    expect(summary.status).toBe('completed');
    expect(summary.counts.succeeded).toBe(6);
    expect(summary.results[3]).toMatchObject({ status: 'succeeded', model: 'mock-large', text: expect.stringContaining('prompt 3') });
    expect(new Set(seen)).toEqual(new Set(['mock-large']));
  });

  it('refuses bad options with a ValidationError naming them', () => {
    expect(() => aiSdk({ model: 42 } as never)).toThrow(/"model"/);
    expect(() => aiSdk({ model: new MockLanguageModelV3(), modle: 'x' } as never)).toThrow(/modle.*model/s);
    expect(() => aiSdk({ model: new MockLanguageModelV3(), maxOutputTokens: 0 })).toThrow(/maxOutputTokens/);
    expect(() => aiSdk({ model: new MockLanguageModelV3(), headers: { a: 1 } } as never)).toThrow(/headers\.a/);
  });
});
