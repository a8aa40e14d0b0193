import type { CallOutput, CallStrategy } from '../../provider/call-strategy.js';
import { createKeepAliveTransport } from '../../http/keep-alive-fetch.js';
import { buildOpenAICallBody } from './build-openai-call-body.js';
import { createOpenAIClient } from './create-openai-client.js';
import { createDirectOpenAICall } from './direct-openai-call.js';
import { type OpenAICallStrategyOptions, validateCallStrategyOptions } from './openai-call-strategy-options.js';
import { parseOpenAIResponseBody } from './parse-openai-response-body.js';

/**
 * A call strategy for the emulated adapter over Chat Completions (`POST /chat/completions`),
 * against OpenAI or any OpenAI-compatible server (vLLM, Ollama, Groq, Together, Azure ...).
 * Errors are thrown as the SDK throws them; the emulated adapter classifies and retries them.
 * A request without `maxTokens` goes out with no cap on its answer: a budget books 1,024 output
 * tokens for it, which a longer answer passes.
 *
 * @example
 * import { createBatchClient, emulated } from 'llm-batch';
 * import { openaiChat } from 'llm-batch/openai';
 *
 * const provider = emulated({ call: openaiChat({ baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' }), concurrency: 4 });
 */
export function openaiChat(options: OpenAICallStrategyOptions = {}): CallStrategy {
  validateCallStrategyOptions(options, 'openaiChat()');
  const transport = options.fetch === undefined ? createKeepAliveTransport() : undefined;
  const client = createOpenAIClient(options, 'openaiChat()', options.fetch ?? transport?.fetch);
  // The client made here, over the default transport: each call skips the SDK's per-call work.
  const direct = options.client === undefined && transport !== undefined ? createDirectOpenAICall(client, transport, '/chat/completions') : undefined;
  return {
    name: options.name ?? 'openai',
    ...(options.model === undefined ? {} : { model: options.model }),
    async call(request, context): Promise<CallOutput> {
      const body = buildOpenAICallBody(request, '/v1/chat/completions', options);
      const answer = direct === undefined ? undefined : await direct({ ...body, stream: false }, context.signal, context.timeoutMs);
      if (answer !== undefined) return { ...parseOpenAIResponseBody(answer.data), headers: answer.headers, raw: answer.data };
      const { data, response } = await client.chat.completions
        .create({ ...body, stream: false } as never, { signal: context.signal, timeout: context.timeoutMs })
        .withResponse();
      return { ...parseOpenAIResponseBody(data), headers: response.headers, raw: data };
    },
    preview(request) {
      return buildOpenAICallBody(request, '/v1/chat/completions', options);
    },
    maxOutputTokens(request) {
      // The body's merge order: `maxTokens` as max_completion_tokens, then endpointOptions, then
      // providerOptions.openai; a legacy max_tokens beside it caps the answer too.
      const merged: Readonly<Record<string, unknown>> = { ...options.endpointOptions, ...request.providerOptions?.['openai'] };
      const caps = [merged['max_completion_tokens'] ?? request.maxTokens, merged['max_tokens']].filter((cap): cap is number => typeof cap === 'number');
      return caps.length === 0 ? undefined : Math.min(...caps);
    },
  };
}
