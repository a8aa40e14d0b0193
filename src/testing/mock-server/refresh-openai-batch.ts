/**
 * The lifecycle of an OpenAI batch, derived from the batch clock whenever it is read: validating,
 * in progress, finalizing, and the terminal states with their output and error files.
 */
import { finishedCount, processingDuration, unixSeconds } from './batch-clock.js';
import type { ItemOutcome, OpenAIBatchRecord } from './openai-batch-record.js';
import { shuffleInPlace } from './random.js';
import type { EmulatorState } from './route-context.js';

/** Brings a batch up to the batch clock. */
export async function refreshOpenAIBatch(record: OpenAIBatchRecord, state: EmulatorState): Promise<void> {
  if (record.terminal) return;
  const now = state.clock.now();
  const options = state.batch;
  const validatedAt = record.createdAtMs + options.validatingMs;
  const cancelAt = record.cancelRequestedAtMs;

  if (cancelAt !== undefined && cancelAt < validatedAt) {
    // Cancelled while validating: nothing ran.
    record.timestamps.cancelling_at = unixSeconds(cancelAt);
    if (now >= cancelAt + options.cancellingMs) {
      record.status = 'cancelled';
      record.timestamps.cancelled_at = unixSeconds(cancelAt + options.cancellingMs);
      record.terminal = true;
    } else record.status = 'cancelling';
    return;
  }
  if (now < validatedAt) {
    record.status = 'validating';
    return;
  }
  if (record.validationErrors !== undefined) {
    record.status = 'failed';
    record.timestamps.failed_at = unixSeconds(validatedAt);
    record.terminal = true;
    return;
  }
  await record.outcomesReady;
  record.timestamps.in_progress_at = unixSeconds(validatedAt);
  const processingEnd = validatedAt + processingDuration(record.total, options.processingMs);
  const deadline = Math.min(record.createdAtMs + options.expireAfterMs, record.forcedExpiryMs ?? Number.POSITIVE_INFINITY);

  if (cancelAt !== undefined && cancelAt < Math.min(processingEnd, deadline)) {
    const finished = finishedCount(cancelAt - validatedAt, record.total, options.processingMs);
    countFinished(record, finished, false);
    record.timestamps.cancelling_at = unixSeconds(cancelAt);
    if (now >= cancelAt + options.cancellingMs) {
      record.status = 'cancelled';
      record.timestamps.cancelled_at = unixSeconds(cancelAt + options.cancellingMs);
      record.terminal = true;
      writeResultFiles(record, state, finished, false, cancelAt + options.cancellingMs);
    } else record.status = 'cancelling';
    return;
  }
  if (deadline < processingEnd && now >= deadline) {
    const finished = finishedCount(deadline - validatedAt, record.total, options.processingMs);
    countFinished(record, finished, true);
    record.status = 'expired';
    record.timestamps.expired_at = unixSeconds(deadline);
    record.terminal = true;
    writeResultFiles(record, state, finished, true, deadline);
    return;
  }
  if (now < processingEnd) {
    record.status = 'in_progress';
    countFinished(record, finishedCount(now - validatedAt, record.total, options.processingMs), false);
    return;
  }
  countFinished(record, record.total, false);
  record.timestamps.finalizing_at = unixSeconds(processingEnd);
  if (now < processingEnd + options.finalizingMs) {
    record.status = 'finalizing';
    return;
  }
  record.status = 'completed';
  record.timestamps.completed_at = unixSeconds(processingEnd + options.finalizingMs);
  record.terminal = true;
  writeResultFiles(record, state, record.total, false, processingEnd);
}

/** Writes the output and error files of a batch that reached a terminal state with results. */
function writeResultFiles(record: OpenAIBatchRecord, state: EmulatorState, finished: number, expired: boolean, atMs: number): void {
  const outcomes = record.outcomes ?? [];
  const outputLines: string[] = [];
  const errorLines: string[] = [];
  const dropRate = state.batchFaults.dropLineRate ?? 0;
  const unknownRate = state.batchFaults.unknownCustomIdRate ?? 0;
  for (let index = 0; index < finished; index += 1) {
    const outcome = outcomes[index] as ItemOutcome;
    if (dropRate > 0 && state.random() < dropRate) continue;
    let line = outcome.line;
    if (unknownRate > 0 && state.random() < unknownRate) {
      line = line.replace(JSON.stringify(outcome.customId), JSON.stringify(`unknown-${state.createId('', 8)}`));
    }
    (outcome.succeeded ? outputLines : errorLines).push(line);
  }
  if (expired) {
    for (let index = finished; index < outcomes.length; index += 1) {
      const outcome = outcomes[index] as ItemOutcome;
      errorLines.push(
        JSON.stringify({
          id: state.createId('batch_req_', 32),
          custom_id: outcome.customId,
          response: null,
          error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
        }),
      );
    }
  }
  // Result files do not keep input order; a seeded shuffle makes that visible to clients.
  shuffleInPlace(outputLines, state.random);
  shuffleInPlace(errorLines, state.random);
  const createdAt = unixSeconds(atMs);
  if (outputLines.length > 0) {
    record.outputFileId = state.files.addLines(state.createId('file-', 22), `batch_${record.id}_output.jsonl`, 'batch_output', outputLines, createdAt).id;
  }
  if (errorLines.length > 0) {
    record.errorFileId = state.files.addLines(state.createId('file-', 22), `batch_${record.id}_error.jsonl`, 'batch_output', errorLines, createdAt).id;
  }
}

function countFinished(record: OpenAIBatchRecord, finished: number, expiredRest: boolean): void {
  let completed = 0;
  let failed = 0;
  const outcomes = record.outcomes ?? [];
  for (let index = 0; index < finished; index += 1) {
    if (outcomes[index]?.succeeded === true) completed += 1;
    else failed += 1;
  }
  if (expiredRest) failed += record.total - finished;
  record.counts = { total: record.total, completed, failed };
}
