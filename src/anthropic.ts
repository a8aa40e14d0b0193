/** `llm-batch/anthropic`: the Anthropic Message Batches adapter and the Messages call strategy. */
export * from './adapters/anthropic/index.js';
