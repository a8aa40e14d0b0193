import type { CallOutput, CallStrategy } from '../../provider/call-strategy.js';
import { createKeepAliveFetch } from '../../http/keep-alive-fetch.js';
import { buildOpenAICallBody } from './build-openai-call-body.js';
import { createOpenAIClient } from './create-openai-client.js';
import { type OpenAICallStrategyOptions, validateCallStrategyOptions } from './openai-call-strategy-options.js';
import { parseOpenAIResponseBody } from './parse-openai-response-body.js';

/**
 * A call strategy for the emulated adapter over the Responses API (`POST /responses`).
 * `request.system` becomes `instructions`, `maxTokens` becomes `max_output_tokens`, a response
 * format becomes `text.format`; `stop` is not sent (the Responses API has none). A request without
 * `maxTokens` goes out with no cap on its answer: a budget books 1,024 output tokens for it, which a
 * longer answer passes.
 *
 * @example
 * const provider = emulated({ call: openaiResponses({ model: 'gpt-5-mini' }), concurrency: 8 });
 */
export function openaiResponses(options: OpenAICallStrategyOptions = {}): CallStrategy {
  validateCallStrategyOptions(options, 'openaiResponses()');
  const client = createOpenAIClient(options, 'openaiResponses()', options.fetch ?? createKeepAliveFetch());
  return {
    name: options.name ?? 'openai',
    ...(options.model === undefined ? {} : { model: options.model }),
    async call(request, context): Promise<CallOutput> {
      const body = buildOpenAICallBody(request, '/v1/responses', options);
      const { data, response } = await client.responses
        .create({ ...body, stream: false } as never, { signal: context.signal, timeout: context.timeoutMs })
        .withResponse();
      return { ...parseOpenAIResponseBody(data), headers: response.headers, raw: data };
    },
    preview(request) {
      return buildOpenAICallBody(request, '/v1/responses', options);
    },
    maxOutputTokens(request) {
      // The body's merge order: `maxTokens` as max_output_tokens, then endpointOptions, then providerOptions.openai.
      const merged: Readonly<Record<string, unknown>> = { ...options.endpointOptions, ...request.providerOptions?.['openai'] };
      const cap = merged['max_output_tokens'] ?? request.maxTokens;
      return typeof cap === 'number' ? cap : undefined;
    },
  };
}
