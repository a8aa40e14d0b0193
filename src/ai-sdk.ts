/**
 * `llm-batch/ai-sdk`: a call strategy for emulated batches over any AI SDK `LanguageModel`
 * (`generateText` with the AI SDK's retries off). Importing it loads `ai` (an optional peer, 6 or 7).
 */
export { aiSdk, type AiSdkOptions } from './adapters/ai-sdk/index.js';
