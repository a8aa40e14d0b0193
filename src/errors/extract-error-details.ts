import { isRecord, type UnknownRecord } from './read-error-fields.js';

/** The provider's error details, flattened out of whichever envelope they arrived in. */
export interface ApiErrorDetails {
  message?: string;
  type?: string;
  code?: string;
  requestId?: string;
}

/**
 * Walks `error` envelopes down to the innermost error object. OpenAI's SDK gives
 * `{ error: { message, type, param, code } }`; Anthropic's gives the whole body
 * `{ error: { type: 'error', error: { type, message }, request_id } }`; result lines nest the same way.
 */
export function extractErrorDetails(value: unknown): ApiErrorDetails {
  const details: ApiErrorDetails = {};
  let current: unknown = value;
  const levels: UnknownRecord[] = [];
  for (let depth = 0; depth < 5 && isRecord(current); depth++) {
    levels.push(current);
    current = current.error;
  }
  // Innermost first: the outer levels are envelopes (`type: 'error'`) or SDK wrappers.
  for (const level of levels.reverse()) {
    if (details.message === undefined && typeof level.message === 'string' && level.message !== '') {
      details.message = level.message;
    }
    if (details.type === undefined && typeof level.type === 'string' && level.type !== 'error' && level.type !== 'errored') {
      details.type = level.type;
    }
    if (details.code === undefined && typeof level.code === 'string') details.code = level.code;
    if (details.code === undefined && isRecord(level.details) && typeof level.details.error_code === 'string') {
      details.code = level.details.error_code;
    }
    const requestId = level.request_id ?? level.requestID ?? level.requestId;
    if (details.requestId === undefined && typeof requestId === 'string') details.requestId = requestId;
  }
  // An SDK error's own `message` is "429 <inner message>"; prefer the inner message found above.
  return details;
}
