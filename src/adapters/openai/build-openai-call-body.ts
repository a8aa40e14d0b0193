import type { BatchRequest } from '../../models/batch-request.js';
import { convertToOpenAIRequestBody } from '../../wire/openai/convert-to-openai-request-body.js';
import type { OpenAIBatchEndpoint } from '../../wire/openai/openai-body-conversion.js';
import type { OpenAICallStrategyOptions } from './openai-call-strategy-options.js';
import { applyOpenAIModelRules } from './openai-model-rules.js';

/** The body a call strategy sends: converted, endpoint options under the request's own provider options, model rules applied. */
export function buildOpenAICallBody(
  request: BatchRequest,
  endpoint: OpenAIBatchEndpoint,
  options: OpenAICallStrategyOptions,
): Record<string, unknown> {
  const withDefaults: BatchRequest =
    options.endpointOptions === undefined
      ? request
      : {
          ...request,
          providerOptions: {
            ...request.providerOptions,
            openai: { ...options.endpointOptions, ...request.providerOptions?.['openai'] },
          },
        };
  const { body } = convertToOpenAIRequestBody(withDefaults, endpoint, options.model === undefined ? {} : { model: options.model });
  return options.applyModelRules === false ? body : applyOpenAIModelRules(body).body;
}
