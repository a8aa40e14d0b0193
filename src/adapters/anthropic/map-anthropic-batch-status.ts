import type Anthropic from '@anthropic-ai/sdk';
import type { PollResult } from '../../provider/batch-provider.js';

/** The fields of a `MessageBatch` this library reads. */
export type AnthropicMessageBatch = Pick<
  Anthropic.Messages.MessageBatch,
  'id' | 'processing_status' | 'request_counts' | 'created_at' | 'expires_at' | 'ended_at' | 'cancel_initiated_at' | 'results_url'
> & { readonly archived_at?: string | null };

/**
 * Maps a Message Batch to the part's state.
 *
 * - `in_progress` -> `in_progress`, `canceling` -> `cancelling`; any other non-`ended` value ->
 *   `in_progress` (kept verbatim as `rawStatus`).
 * - `ended` -> `cancelled` when a cancel was initiated; otherwise `expired` when any request expired
 *   (the 24-hour window passed, as OpenAI reports such a batch); otherwise `completed`, also when
 *   some requests errored (those are failed items, not a failed batch).
 *
 * Anthropic keeps every counter except `processing` at 0 until the batch ends, so while it runs the
 * counts honestly say: everything pending.
 */
export function mapAnthropicBatchStatus(batch: AnthropicMessageBatch): PollResult {
  const counts = batch.request_counts;
  const result: PollResult = {
    status: mapProcessingStatus(batch),
    rawStatus: batch.processing_status,
    counts: {
      succeeded: counts.succeeded,
      failed: counts.errored,
      cancelled: counts.canceled,
      expired: counts.expired,
      pending: counts.processing,
    },
    reference: {
      id: batch.id,
      createdAt: batch.created_at,
      expiresAt: batch.expires_at,
      ...(batch.ended_at ? { endedAt: batch.ended_at } : {}),
      ...(batch.cancel_initiated_at ? { cancelInitiatedAt: batch.cancel_initiated_at } : {}),
      ...(batch.results_url ? { resultsUrl: batch.results_url } : {}),
      ...(batch.archived_at ? { archivedAt: batch.archived_at } : {}),
    },
  };
  return result;
}

function mapProcessingStatus(batch: AnthropicMessageBatch): PollResult['status'] {
  switch (batch.processing_status) {
    case 'in_progress':
      return 'in_progress';
    case 'canceling':
      return 'cancelling';
    case 'ended':
      if (batch.cancel_initiated_at) return 'cancelled';
      if (batch.request_counts.expired > 0) return 'expired';
      return 'completed';
    default:
      return 'in_progress';
  }
}
