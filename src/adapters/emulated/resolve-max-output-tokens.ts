import type { BatchRequest } from '../../models/batch-request.js';
import type { CallStrategy } from '../../provider/call-strategy.js';

/**
 * The max output tokens the strategy sends for a request: what it says, else the request's own
 * `maxTokens`; undefined when nothing caps the answer.
 */
export function resolveMaxOutputTokens(call: CallStrategy, request: BatchRequest): number | undefined {
  return call.maxOutputTokens?.(request) ?? request.maxTokens;
}
