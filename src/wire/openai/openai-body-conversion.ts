/** A provider body built from a `BatchRequest`, with what could not be carried over. */
export interface OpenAIBodyConversion {
  readonly body: Record<string, unknown>;
  /** Request fields the endpoint has no place for (reported as warnings by the adapter). */
  readonly dropped: DroppedParameter[];
}

/** A request field left out of a body: the endpoint has no place for it, or a model rule removed it. */
export interface DroppedParameter {
  readonly parameter: string;
  readonly model: string;
  readonly reason: string;
}

/** The endpoints the adapter builds bodies for. */
export const openaiBatchEndpoints = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'] as const;
export type OpenAIBatchEndpoint = (typeof openaiBatchEndpoints)[number];
