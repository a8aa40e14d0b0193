/**
 * `llm-batch/gemini`: the Gemini Batch Mode adapter and the `generateContent` call strategy for
 * emulated batches, both with context caching. Importing it loads the `@google/genai` SDK.
 */
export {
  geminiBatch,
  geminiGenerate,
  type GeminiBatchOptions,
  type GeminiBatchProvider,
  type GeminiCacheOptions,
  type GeminiClientOptions,
  type GeminiGenerateOptions,
  type GeminiGenerateStrategy,
} from './adapters/gemini/index.js';
