// The Gemini adapter's exports, for the client's shorthands and the tests; src/gemini.ts names the public ones.
export { geminiBatch, type GeminiBatchOptions, type GeminiBatchProvider, type GeminiBatchReference } from './gemini-batch-adapter.js';
export { geminiGenerate, type GeminiGenerateOptions, type GeminiGenerateStrategy } from './gemini-generate-strategy.js';
export type { GeminiClientOptions } from './create-gemini-client.js';
export type { GeminiCacheOptions } from './gemini-context-cache.js';
export { convertToGeminiRequest, type ConvertToGeminiRequestOptions } from './convert-to-gemini-request.js';
export { convertGeminiResponse } from './convert-gemini-response.js';
export { mapGeminiBatchState } from './map-gemini-batch-state.js';
export { mapGeminiUsage } from './map-gemini-usage.js';
export { parseGeminiResultLine } from './parse-gemini-result-line.js';
