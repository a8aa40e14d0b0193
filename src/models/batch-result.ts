import { z } from 'zod';
import { toolCallSchema } from './batch-request.js';
import { itemErrorSchema } from './item-error.js';
import { usageSchema } from './usage.js';

export const itemStatuses = ['succeeded', 'failed', 'cancelled', 'expired'] as const;
export const itemStatusSchema = z.enum(itemStatuses);
export type ItemStatus = z.infer<typeof itemStatusSchema>;

/** Why the model stopped, normalised across providers (the provider's own value is kept in `rawFinishReason`). */
export const finishReasonSchema = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'refusal', 'other']);
export type FinishReason = z.infer<typeof finishReasonSchema>;

const resultCommon = {
  id: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /**
   * When the item ended (epoch milliseconds): stamped by the client as it journals the result (an
   * emulated item when its last call returned; a native one when its result was read).
   */
  finishedAt: z.number().nonnegative().optional(),
};

export const succeededResultSchema = z.object({
  ...resultCommon,
  status: z.literal('succeeded'),
  text: z.string(),
  output: z.unknown().optional(),
  finishReason: finishReasonSchema,
  rawFinishReason: z.string().optional(),
  toolCalls: z.array(toolCallSchema).optional(),
  usage: usageSchema,
  model: z.string(),
  attempts: z.number().int().positive().optional(),
  latencyMs: z.number().nonnegative().optional(),
  raw: z.unknown().optional(),
});

export const failedResultSchema = z.object({
  ...resultCommon,
  status: z.literal('failed'),
  error: itemErrorSchema,
  usage: usageSchema.optional(),
  attempts: z.number().int().positive().optional(),
  latencyMs: z.number().nonnegative().optional(),
  raw: z.unknown().optional(),
  /**
   * Set by an emulated run with `errorStrategy: 'skip'`: the failure is kept in the journal and in
   * `results()`, and left out of `aggregate().results` (its usage still counts).
   */
  skipped: z.boolean().optional(),
});

export const cancelledResultSchema = z.object({
  ...resultCommon,
  status: z.literal('cancelled'),
  error: itemErrorSchema.optional(),
});

export const expiredResultSchema = z.object({
  ...resultCommon,
  status: z.literal('expired'),
  error: itemErrorSchema.optional(),
});

export const batchResultSchema = z.discriminatedUnion('status', [
  succeededResultSchema,
  failedResultSchema,
  cancelledResultSchema,
  expiredResultSchema,
]);

/** A succeeded item; `output` is the parsed structured output when a schema was given. */
export type SucceededResult<T = unknown> = Omit<z.infer<typeof succeededResultSchema>, 'output'> & { output?: T };
export type FailedResult = z.infer<typeof failedResultSchema>;
export type CancelledResult = z.infer<typeof cancelledResultSchema>;
export type ExpiredResult = z.infer<typeof expiredResultSchema>;

/** The outcome of one request, correlated by `id`, discriminated on `status`. */
export type BatchResult<T = unknown> = SucceededResult<T> | FailedResult | CancelledResult | ExpiredResult;
