// The OpenAI adapter's exports, for the client's shorthands and the tests; src/openai.ts names the public ones.
export { openaiBatch, openaiBatchLimits, type OpenAIBatchOptions, type OpenAIBatchReference } from './openai-batch-adapter.js';
export { openaiChat } from './openai-chat-strategy.js';
export { openaiResponses } from './openai-responses-strategy.js';
export type { OpenAICallStrategyOptions } from './openai-call-strategy-options.js';
export type { OpenAIConnectionOptions } from './create-openai-client.js';
export { openaiBatchEndpoints, type OpenAIBatchEndpoint } from '../../wire/openai/openai-body-conversion.js';
export { openaiModelRules, type OpenAIModelRule } from './openai-model-rules.js';
export { convertToOpenAIChatBody } from '../../wire/openai/convert-to-openai-chat-body.js';
export { convertToOpenAIResponsesBody } from '../../wire/openai/convert-to-openai-responses-body.js';
export { mapOpenAIBatchStatus } from './map-openai-batch-status.js';
export { parseOpenAIResultLine } from './parse-openai-result-line.js';
