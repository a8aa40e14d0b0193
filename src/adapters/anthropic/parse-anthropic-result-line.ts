import type { BatchResult } from '../../models/batch-result.js';
import { convertAnthropicMessage, type AnthropicMessageLike } from './convert-anthropic-message.js';
import { toItemError } from '../../errors/classify-error.js';

/** Why a results line could not be turned into a result. */
export interface UnreadableResultLine {
  readonly unreadable: string;
}

/**
 * Maps one decoded line of a Message Batch results file (`{custom_id, result}`) to a `BatchResult`:
 * `succeeded` -> succeeded, `errored` -> failed (classified by the nested `error.error.type`),
 * `canceled` -> cancelled, `expired` -> expired. A line without a usable `custom_id` or result type
 * comes back as `{ unreadable }` so the caller can warn; the core reports its request as missing.
 */
export function parseAnthropicResultLine(line: unknown): BatchResult | UnreadableResultLine {
  if (typeof line !== 'object' || line === null) return { unreadable: 'the line is not a JSON object' };
  const { custom_id: id, result } = line as { custom_id?: unknown; result?: unknown };
  if (typeof id !== 'string' || id === '') return { unreadable: 'the line has no custom_id' };
  if (typeof result !== 'object' || result === null) return { unreadable: `the line of \`${id}\` has no result` };
  const typed = result as { type?: unknown; message?: unknown; error?: unknown };

  switch (typed.type) {
    case 'succeeded': {
      if (typeof typed.message !== 'object' || typed.message === null) {
        return { unreadable: `the succeeded line of \`${id}\` has no message` };
      }
      return { id, status: 'succeeded', ...convertAnthropicMessage(typed.message as AnthropicMessageLike) };
    }
    // The shared classifier reads the nested `error.error.type` (invalid_request_error is final,
    // overloaded_error and api_error are retryable) and the canceled / expired results.
    case 'errored':
      return { id, status: 'failed', error: toItemError(result), raw: typed.error };
    case 'canceled':
      return { id, status: 'cancelled', error: toItemError(result) };
    case 'expired':
      return { id, status: 'expired', error: toItemError(result) };
    default:
      return { unreadable: `the line of \`${id}\` has an unknown result type ${JSON.stringify(typed.type)}` };
  }
}

/** True when {@link parseAnthropicResultLine} could not read the line. */
export function isUnreadableResultLine(value: BatchResult | UnreadableResultLine): value is UnreadableResultLine {
  return 'unreadable' in value;
}
