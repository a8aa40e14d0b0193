import { ValidationError } from '../../errors/validation-error.js';
import { requestIdPattern, type BatchRequest, type Message } from '../../models/batch-request.js';
import type { GeminiContent } from './gemini-request.js';

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/**
 * Turns one request of a Gemini batch made elsewhere back into a `BatchRequest`: a line of an input
 * file (`{ key, request }`) or an inline request as the REST API holds it (`{ request, metadata: { key } }`).
 *
 * Lossless: the `GenerateContentRequest` is kept verbatim in `providerOptions.gemini`, which
 * {@link convertToGeminiRequest} merges last, so a `retry` sends exactly what was sent before. The
 * turns are also summarised as text in `messages` (and the system instruction in `system`, the
 * output limit in `maxTokens`), for validation and token estimates.
 *
 * @param model The batch's model (`models/` stripped), set on the request so that a retry plans it.
 * @param index 0-based position in the batch, named in the error of a malformed request.
 * @param fallbackKey The id of a request without a key (inline requests: their results keep the
 *   order, so the adapter reads a key-less result by its position under the same id).
 * @throws ValidationError when the value has no `request` object or no key usable as a request id
 *   (the adapter's `attach` then keeps the results under the keys they carry).
 */
export function convertFromGeminiRequest(line: unknown, model: string | undefined, index: number, fallbackKey?: string): BatchRequest {
  const record = asRecord(line);
  const request = asRecord(record?.['request']);
  const key = record?.['key'] ?? asRecord(record?.['metadata'])?.['key'] ?? fallbackKey;
  const fail = (field: string, reason: string): never => {
    throw new ValidationError([{ index, ...(typeof key === 'string' ? { id: key } : {}), field, reason }], { subject: 'Gemini batch request' });
  };
  if (request === undefined) return fail('request', 'must be a GenerateContentRequest object');
  if (typeof key !== 'string' || !requestIdPattern.test(key)) {
    return fail('key', `must be a request id (${String(requestIdPattern)}), got ${JSON.stringify(key)}`);
  }
  const contents = Array.isArray(request['contents']) ? (request['contents'] as GeminiContent[]) : [];
  const messages: Message[] = contents.map((turn) => ({ role: turn.role === 'model' ? 'assistant' : 'user', content: textOf(turn) }));
  if (messages.length === 0) return fail('request.contents', 'must hold at least one turn');
  const system = asRecord(request['systemInstruction']) as GeminiContent | undefined;
  const maxTokens = asRecord(request['generationConfig'])?.['maxOutputTokens'];
  return {
    id: key,
    ...(model === undefined || model === '' ? {} : { model }),
    messages,
    ...(system === undefined ? {} : { system: textOf(system) }),
    ...(typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens > 0 ? { maxTokens } : {}),
    providerOptions: { gemini: { ...request } },
  };
}

/** The text parts of a turn, joined (other parts have no text to count). */
function textOf(turn: GeminiContent): string {
  const parts = Array.isArray(turn.parts) ? turn.parts : [];
  return parts.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
}
