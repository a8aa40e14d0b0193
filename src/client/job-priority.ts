import { jobPriorities, type JobPriority } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import { failOption } from '../validation/check-options.js';

/*
 * A job's priority: stored with the job, shown by `status` and `list`, sent as provider batch
 * metadata, and, when asked (`serviceTierFromPriority`), sent to OpenAI as `service_tier`.
 */
export type { JobPriority } from '../models/batch-job.js';

/** OpenAI's `service_tier` for each priority: flex processing, the default tier, priority processing. */
export const openaiServiceTiers: Readonly<Record<JobPriority, string>> = { low: 'flex', normal: 'default', high: 'priority' };

/** Checks `priority` and `serviceTierFromPriority` of submit, run and retry. */
export function validatePriorityOptions(where: string, options: { readonly priority?: unknown; readonly serviceTierFromPriority?: unknown }): void {
  const { priority, serviceTierFromPriority } = options;
  if (priority !== undefined && !(jobPriorities as readonly unknown[]).includes(priority)) failOption(where, 'priority', '"low", "normal" or "high"', priority);
  if (serviceTierFromPriority !== undefined && typeof serviceTierFromPriority !== 'boolean') {
    failOption(where, 'serviceTierFromPriority', 'true or false', serviceTierFromPriority);
  }
}

/**
 * The request transform of `serviceTierFromPriority`: OpenAI's `service_tier` from the priority,
 * on each request whose `providerOptions.openai` sets none (other providers ignore it).
 */
export function serviceTierTransform(options: { readonly priority?: JobPriority; readonly serviceTierFromPriority?: boolean }): ((request: BatchRequest) => BatchRequest) | undefined {
  if (options.serviceTierFromPriority !== true) return undefined;
  const tier = openaiServiceTiers[options.priority ?? 'normal'];
  return (request) => {
    const openai = request.providerOptions?.['openai'];
    if (openai !== undefined && 'service_tier' in openai) return request;
    return { ...request, providerOptions: { ...request.providerOptions, openai: { service_tier: tier, ...openai } } };
  };
}
