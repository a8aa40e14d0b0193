/**
 * `llm-batch/openai`: the OpenAI native batch adapter and the call strategies for emulated
 * batches over the Chat Completions and Responses APIs (any OpenAI-compatible server).
 * Importing it loads the `openai` SDK.
 */
export {
  openaiBatch,
  openaiChat,
  openaiResponses,
  type OpenAIBatchEndpoint,
  type OpenAIBatchOptions,
  type OpenAICallStrategyOptions,
  type OpenAIConnectionOptions,
} from './adapters/openai/index.js';
