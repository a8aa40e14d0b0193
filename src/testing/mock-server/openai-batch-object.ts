/**
 * The wire `Batch` object of an OpenAI batch.
 */
import { unixSeconds } from './batch-clock.js';
import type { OpenAIBatchRecord } from './openai-batch-record.js';
import type { EmulatorState } from './route-context.js';

/** The wire `Batch` object. */
export function openAIBatchObject(record: OpenAIBatchRecord, state: EmulatorState): Record<string, unknown> {
  const usage = { input: 0, output: 0, cached: 0, reasoning: 0 };
  if (record.outcomes !== undefined) {
    const finished = record.counts.completed + record.counts.failed;
    for (let index = 0; index < Math.min(finished, record.outcomes.length); index += 1) {
      const itemUsage = record.outcomes[index]?.usage;
      if (itemUsage === undefined) continue;
      usage.input += itemUsage.input;
      usage.output += itemUsage.output;
      usage.cached += itemUsage.cached;
      usage.reasoning += itemUsage.reasoning;
    }
  }
  const timestamps = record.timestamps;
  return {
    id: record.id,
    object: 'batch',
    endpoint: record.endpoint,
    model: record.model,
    errors: record.validationErrors === undefined ? null : { object: 'list', data: record.validationErrors },
    input_file_id: record.inputFileId,
    completion_window: '24h',
    status: record.status,
    output_file_id: record.outputFileId,
    error_file_id: record.errorFileId ?? (record.terminal && state.batch.emptyStringErrorFileId ? '' : null),
    created_at: unixSeconds(record.createdAtMs),
    in_progress_at: timestamps.in_progress_at ?? null,
    expires_at: unixSeconds(record.createdAtMs + state.batch.expireAfterMs),
    finalizing_at: timestamps.finalizing_at ?? null,
    completed_at: timestamps.completed_at ?? null,
    failed_at: timestamps.failed_at ?? null,
    expired_at: timestamps.expired_at ?? null,
    cancelling_at: timestamps.cancelling_at ?? null,
    cancelled_at: timestamps.cancelled_at ?? null,
    request_counts: record.counts,
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cached },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: usage.reasoning },
      total_tokens: usage.input + usage.output,
    },
    metadata: record.metadata,
  };
}
