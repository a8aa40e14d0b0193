/**
 * `llm-batch/openai`: the OpenAI native batch adapter and the call strategies for emulated
 * batches over the Chat Completions and Responses APIs (any OpenAI-compatible server).
 */
export * from './adapters/openai/index.js';
