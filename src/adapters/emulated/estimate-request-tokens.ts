import { approximateRequestTokens } from '../../cost/count-tokens.js';
import { defaultEstimateMaxTokens } from '../../cost/estimate-cost.js';
import type { BatchRequest } from '../../models/batch-request.js';

/**
 * A quick upper estimate of the tokens a request will count against a tokens-per-minute limit,
 * before it is sent: its input tokens (the library's one approximation, `approximateRequestTokens`)
 * plus the most output it may produce. The rate limiter corrects its bucket with the real usage
 * once the response arrives.
 *
 * @param maxOutputTokens the max tokens really sent (the call strategy's `maxOutputTokens`);
 *   defaults to the request's `maxTokens`, else `defaultEstimateMaxTokens`.
 */
export function estimateRequestTokens(request: BatchRequest, maxOutputTokens?: number): number {
  return approximateRequestTokens(request) + (maxOutputTokens ?? request.maxTokens ?? defaultEstimateMaxTokens);
}
