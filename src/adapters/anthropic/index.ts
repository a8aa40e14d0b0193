// The Anthropic adapter's exports, for the client's shorthands and the tests; src/anthropic.ts names the public ones.
export {
  anthropicBatch,
  defaultAnthropicMaxTokens,
  type AnthropicBatchOptions,
  type AnthropicBatchProvider,
  type AnthropicBatchReference,
} from './anthropic-batch-adapter.js';
export {
  anthropicMessages,
  type AnthropicMessagesOptions,
  type AnthropicMessagesStrategy,
} from './anthropic-messages-strategy.js';
export type { AnthropicClientOptions } from './create-anthropic-client.js';
export {
  convertToAnthropicParams,
  type AnthropicMessageParams,
  type ConvertToAnthropicParamsOptions,
  type ConvertedAnthropicParams,
} from './convert-to-anthropic-params.js';
export { mapAnthropicBatchStatus } from './map-anthropic-batch-status.js';
export { parseAnthropicResultLine } from './parse-anthropic-result-line.js';
