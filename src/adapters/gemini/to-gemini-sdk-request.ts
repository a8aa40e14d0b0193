import type { GeminiContent, GeminiGenerateContentRequest } from './gemini-request.js';

/** What `@google/genai` takes for one request: contents and a flat `config` (its converters split it again). */
export interface GeminiSdkRequest {
  contents: GeminiContent[];
  config: Record<string, unknown>;
}

/**
 * Rewrites a REST `GenerateContentRequest` into the SDK's shape (`models.generateContent` and an
 * inlined batch request): the `generationConfig` fields and the request-level fields
 * (`systemInstruction`, `tools`, `toolConfig`, `cachedContent`, `safetySettings` ...) side by side in
 * `config`, which the SDK's converters put back where the wire wants them.
 */
export function toGeminiSdkRequest(body: GeminiGenerateContentRequest): GeminiSdkRequest {
  const { contents, generationConfig, ...requestFields } = body;
  return { contents, config: { ...generationConfig, ...requestFields } };
}
