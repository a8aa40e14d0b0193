import type { BatchRequest } from '../../models/batch-request.js';
import { convertToOpenAIChatBody } from './convert-to-openai-chat-body.js';
import { convertToOpenAIResponsesBody } from './convert-to-openai-responses-body.js';
import type { OpenAIBatchEndpoint, OpenAIBodyConversion } from './openai-body-conversion.js';

/**
 * The body for one endpoint. Embeddings take their `input` (and anything else) from
 * `providerOptions.openai`; messages are not sent there.
 */
export function convertToOpenAIRequestBody(
  request: BatchRequest,
  endpoint: OpenAIBatchEndpoint,
  options: { model?: string } = {},
): OpenAIBodyConversion {
  switch (endpoint) {
    case '/v1/chat/completions':
      return convertToOpenAIChatBody(request, options);
    case '/v1/responses':
      return convertToOpenAIResponsesBody(request, options);
    case '/v1/embeddings': {
      const body: Record<string, unknown> = {};
      const model = request.model ?? options.model;
      if (model !== undefined) body['model'] = model;
      Object.assign(body, request.providerOptions?.['openai']);
      return { body, dropped: [] };
    }
  }
}
