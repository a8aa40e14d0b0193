/**
 * `llm-batch/anthropic`: the Anthropic Message Batches adapter and the Messages call strategy for
 * emulated batches. Importing it loads the `@anthropic-ai/sdk` SDK.
 */
export {
  anthropicBatch,
  anthropicMessages,
  type AnthropicBatchOptions,
  type AnthropicBatchProvider,
  type AnthropicClientOptions,
  type AnthropicMessagesOptions,
  type AnthropicMessagesStrategy,
} from './adapters/anthropic/index.js';
