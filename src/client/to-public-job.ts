import type { BatchJob, BatchPart, JobManifest, PartManifest } from '../models/batch-job.js';

/**
 * The job as the client returns it: a fresh copy of the public fields of the stored manifest, so
 * that nothing a caller does to it reaches the live job, and nothing of the store's internals
 * (provider references, submission states, stored options) becomes something callers rely on.
 */
export function toPublicJob(job: JobManifest): BatchJob {
  return {
    id: job.id,
    provider: job.provider,
    mode: job.mode,
    status: job.status,
    counts: { ...job.counts },
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.endedAt === undefined ? {} : { endedAt: job.endedAt }),
    parts: job.parts.map(toPublicPart),
    metadata: { ...job.metadata },
    warnings: [...job.warnings],
    ...(job.estimate === undefined ? {} : { estimate: structuredClone(job.estimate) }),
    ...(job.usage === undefined ? {} : { usage: { ...job.usage } }),
    ...(job.costUsd === undefined ? {} : { costUsd: job.costUsd }),
    ...(job.retryOf === undefined ? {} : { retryOf: job.retryOf }),
    ...(job.retriedBy === undefined ? {} : { retriedBy: job.retriedBy }),
    ...(job.cancelRequestedAt === undefined ? {} : { cancelRequestedAt: job.cancelRequestedAt }),
    ...(job.priority === undefined ? {} : { priority: job.priority }),
  };
}

function toPublicPart(part: PartManifest): BatchPart {
  return {
    id: part.id,
    status: part.status,
    ...(part.rawStatus === undefined ? {} : { rawStatus: part.rawStatus }),
    ...(part.providerBatchId === undefined ? {} : { providerBatchId: part.providerBatchId }),
    ...(part.model === undefined ? {} : { model: part.model }),
    ...(part.provider === undefined ? {} : { provider: part.provider }),
    ...(part.mode === undefined ? {} : { mode: part.mode }),
    requestCount: part.requestCount,
    ...(part.counts === undefined ? {} : { counts: { ...part.counts } }),
    ...(part.error === undefined ? {} : { error: part.error }),
  };
}
