/**
 * The Gemini wire shapes this adapter writes and reads, SDK-free (REST JSON, camelCase, as the
 * `@google/genai` converters send them). Field names follow the SDK's types.
 */

/** One part of a turn. */
export interface GeminiPart {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { id?: string; name: string; args: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
  thought?: boolean;
}

/** One turn: `user` or `model`. */
export interface GeminiContent {
  role?: 'user' | 'model';
  parts: GeminiPart[];
}

/** `generationConfig` of a `GenerateContentRequest`. */
export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  responseMimeType?: string;
  responseJsonSchema?: unknown;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  [key: string]: unknown;
}

/** A `GenerateContentRequest` (the body of `models/{model}:generateContent`, and of a batch line's `request`). */
export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: Array<{ functionDeclarations: Array<{ name: string; description?: string; parametersJsonSchema?: unknown }> }>;
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
  /** `cachedContents/{id}`: the context cache this request builds on. */
  cachedContent?: string;
  safetySettings?: unknown[];
  [key: string]: unknown;
}

/** The usage Gemini reports (`usageMetadata`). */
export interface GeminiUsageMetadata {
  promptTokenCount?: number | null;
  candidatesTokenCount?: number | null;
  cachedContentTokenCount?: number | null;
  thoughtsTokenCount?: number | null;
  toolUsePromptTokenCount?: number | null;
  totalTokenCount?: number | null;
}

/** A `GenerateContentResponse`, as far as this adapter reads it. */
export interface GeminiGenerateContentResponse {
  candidates?: Array<{
    content?: { role?: string; parts?: GeminiPart[] | null } | null;
    finishReason?: string | null;
    finishMessage?: string | null;
    safetyRatings?: unknown[] | null;
  }> | null;
  promptFeedback?: { blockReason?: string | null; blockReasonMessage?: string | null } | null;
  usageMetadata?: GeminiUsageMetadata | null;
  modelVersion?: string | null;
  responseId?: string | null;
}
