import { z } from 'zod';

/** Every error category an item or call can fall into. */
export const errorCategories = [
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
  'permission',
  'insufficient_quota',
  'invalid_request',
  'not_found',
  'context_length',
  'content_filter',
  'truncated',
  'validation',
  'budget',
  'expired',
  'cancelled',
  'unknown',
] as const;

export const errorCategorySchema = z.enum(errorCategories);
export type ErrorCategory = z.infer<typeof errorCategorySchema>;

/** Why one item did not succeed. Failed items are data, not exceptions. */
export const itemErrorSchema = z.object({
  category: errorCategorySchema,
  message: z.string(),
  statusCode: z.number().int().optional(),
  code: z.string().optional(),
  type: z.string().optional(),
  retryable: z.boolean(),
  retryAfterMs: z.number().nonnegative().optional(),
});

export type ItemError = z.infer<typeof itemErrorSchema>;
