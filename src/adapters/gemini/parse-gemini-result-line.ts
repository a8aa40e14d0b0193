import { toItemError } from '../../errors/classify-error.js';
import { readGoogleStatus } from '../../errors/read-google-error.js';
import type { BatchResult } from '../../models/batch-result.js';
import { convertGeminiResponse } from './convert-gemini-response.js';
import type { GeminiGenerateContentResponse } from './gemini-request.js';

/** Why a results line could not be turned into a result. */
export interface UnreadableGeminiLine {
  readonly unreadable: string;
}

/**
 * Maps one result of a Gemini batch to a `BatchResult`. Reads the responses file's lines
 * (`{ key, response }` or `{ key, error }`) and the SDK's inlined responses (`{ response, metadata: { key }, error }`)
 * alike: a `response` is a succeeded result (or `failed` with `content_filter` when Gemini blocked it);
 * an `error` (a `google.rpc.Status`) is a failed result classified by `classifyError` from its status
 * and details. Without a key, `fallbackKey` is used (inlined responses keep the order of the requests).
 *
 * @param model Reported when the response names no `modelVersion` (the part's model).
 */
export function parseGeminiResultLine(line: unknown, model: string, fallbackKey?: string): BatchResult | UnreadableGeminiLine {
  if (typeof line !== 'object' || line === null) return { unreadable: 'the line is not a JSON object' };
  const value = line as { key?: unknown; metadata?: unknown; response?: unknown; error?: unknown; status?: unknown };
  const metadataKey = typeof value.metadata === 'object' && value.metadata !== null ? (value.metadata as { key?: unknown }).key : undefined;
  const key = typeof value.key === 'string' ? value.key : typeof metadataKey === 'string' ? metadataKey : fallbackKey;
  if (key === undefined || key === '') return { unreadable: 'the line has no key' };

  const error = value.error ?? (typeof value.status === 'object' ? value.status : undefined);
  if (typeof error === 'object' && error !== null) {
    const google = readGoogleStatus(error as Record<string, unknown>);
    // A gRPC code alone is enough here: `{ error: ... }` puts it where the classifier reads Google errors.
    return { id: key, status: 'failed', error: toItemError(google === undefined ? error : { error: google }), raw: error };
  }
  if (typeof value.response !== 'object' || value.response === null) return { unreadable: `the line of \`${key}\` has neither response nor error` };
  const converted = convertGeminiResponse(value.response as GeminiGenerateContentResponse, model);
  if (converted.kind === 'blocked') {
    return { id: key, status: 'failed', error: converted.error, usage: converted.usage, raw: { model: converted.model } };
  }
  const { kind: _kind, ...answer } = converted;
  return { id: key, status: 'succeeded', ...answer };
}

/** True when {@link parseGeminiResultLine} could not read the line. */
export function isUnreadableGeminiLine(value: BatchResult | UnreadableGeminiLine): value is UnreadableGeminiLine {
  return 'unreadable' in value;
}
