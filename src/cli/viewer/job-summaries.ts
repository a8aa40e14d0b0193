import type { JobManifest } from '../../models/batch-job.js';
import type { BatchResult } from '../../models/batch-result.js';

/** One job as the jobs list shows it: no provider references, no stored options beyond the budget. */
export interface JobSummary {
  readonly id: string;
  readonly status: JobManifest['status'];
  readonly provider: string;
  readonly mode: JobManifest['mode'];
  readonly counts: JobManifest['counts'];
  readonly costUsd?: number;
  readonly estimateUsd?: number;
  readonly budgetUsd?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly endedAt?: string;
  readonly metadata: Record<string, string>;
  readonly priority?: string;
  readonly retryOf?: string;
  readonly retriedBy?: string;
  readonly cancelRequestedAt?: string;
}

/** The list view of a manifest. */
export function summarizeJob(job: JobManifest): JobSummary {
  return {
    id: job.id,
    status: job.status,
    provider: job.provider,
    mode: job.mode,
    counts: job.counts,
    ...(job.costUsd !== undefined ? { costUsd: job.costUsd } : {}),
    ...(job.estimate !== undefined ? { estimateUsd: job.estimate.costUsd } : {}),
    ...(job.options?.maxCostUsd !== undefined ? { budgetUsd: job.options.maxCostUsd } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.endedAt !== undefined ? { endedAt: job.endedAt } : {}),
    metadata: job.metadata,
    ...(job.priority !== undefined ? { priority: job.priority } : {}),
    ...(job.retryOf !== undefined ? { retryOf: job.retryOf } : {}),
    ...(job.retriedBy !== undefined ? { retriedBy: job.retriedBy } : {}),
    ...(job.cancelRequestedAt !== undefined ? { cancelRequestedAt: job.cancelRequestedAt } : {}),
  };
}

/** One job as its page shows it: the summary, its parts and warnings. */
export function describeJob(job: JobManifest) {
  return {
    ...summarizeJob(job),
    warnings: job.warnings,
    ...(job.usage !== undefined ? { usage: job.usage } : {}),
    parts: job.parts.map((part) => ({
      id: part.id,
      index: part.index,
      status: part.status,
      ...(part.rawStatus !== undefined ? { rawStatus: part.rawStatus } : {}),
      ...(part.providerBatchId !== undefined ? { providerBatchId: part.providerBatchId } : {}),
      ...(part.model !== undefined ? { model: part.model } : {}),
      ...(part.provider !== undefined ? { provider: part.provider } : {}),
      requestCount: part.requestCount,
      ...(part.counts !== undefined ? { counts: part.counts } : {}),
      ...(part.error !== undefined ? { error: part.error } : {}),
      resultsStored: part.resultsStored,
    })),
  };
}

/** A result without the provider's raw payload (large, and not for the page). */
export function withoutRaw(result: BatchResult): BatchResult {
  if (!('raw' in result)) return result;
  const { raw: _raw, ...rest } = result as BatchResult & { raw?: unknown };
  return rest as BatchResult;
}

/** A result as a table row: id, status, a short text or error, usage. */
export function resultRow(result: BatchResult) {
  const error = result.status === 'succeeded' ? undefined : result.error;
  const text = result.status === 'succeeded' ? (result.output !== undefined ? JSON.stringify(result.output) : result.text) : (error?.message ?? result.status);
  return {
    id: result.id,
    status: result.status,
    text: text.length > 300 ? `${text.slice(0, 300)}…` : text,
    ...(error ? { category: error.category } : {}),
    ...('usage' in result && result.usage ? { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens } : {}),
    ...('latencyMs' in result && result.latencyMs !== undefined ? { latencyMs: result.latencyMs } : {}),
    ...('attempts' in result && result.attempts !== undefined ? { attempts: result.attempts } : {}),
    ...(result.metadata !== undefined ? { metadata: result.metadata } : {}),
  };
}

/** True when `result` matches a search: its id, its text or error message, or a metadata value contains `query`. */
export function matchesSearch(result: BatchResult, query: string): boolean {
  const needle = query.toLowerCase();
  if (result.id.toLowerCase().includes(needle)) return true;
  if (result.status === 'succeeded') {
    if (result.text.toLowerCase().includes(needle)) return true;
  } else if (result.error?.message.toLowerCase().includes(needle)) return true;
  if (result.metadata !== undefined) {
    for (const [key, value] of Object.entries(result.metadata)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (`${key}=${text}`.toLowerCase().includes(needle)) return true;
    }
  }
  return false;
}
