import type { ItemError } from '../models/item-error.js';
import type { ErrorClassification } from './error-classification.js';

/**
 * The `ItemError` of a classification already made (the emulated adapter classifies each failed
 * call once, to decide on a retry, and reports the same classification). Drops the request id.
 */
export function itemErrorFromClassification(classification: ErrorClassification): ItemError {
  const itemError: ItemError = {
    category: classification.category,
    message: classification.message,
    retryable: classification.retryable,
  };
  if (classification.statusCode !== undefined && Number.isInteger(classification.statusCode)) {
    itemError.statusCode = classification.statusCode;
  }
  if (classification.code !== undefined) itemError.code = classification.code;
  if (classification.type !== undefined) itemError.type = classification.type;
  if (classification.retryAfterMs !== undefined) itemError.retryAfterMs = classification.retryAfterMs;
  return itemError;
}
