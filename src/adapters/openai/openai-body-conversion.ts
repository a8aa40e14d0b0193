import type { DroppedParameter } from './openai-model-rules.js';

/** A provider body built from a `BatchRequest`, with what could not be carried over. */
export interface OpenAIBodyConversion {
  readonly body: Record<string, unknown>;
  /** Request fields the endpoint has no place for (reported as warnings by the adapter). */
  readonly dropped: DroppedParameter[];
}

/** The endpoints the adapter builds bodies for. */
export const openaiBatchEndpoints = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'] as const;
export type OpenAIBatchEndpoint = (typeof openaiBatchEndpoints)[number];
