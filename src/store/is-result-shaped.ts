import type { BatchResult } from '../models/batch-result.js';

const itemStatuses = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

/** Whether a journal record is a result at all: an id and a known status (the rest is the writer's promise). */
export function isResultShaped(value: unknown): value is BatchResult {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as { id?: unknown; status?: unknown };
  return typeof record.id === 'string' && record.id !== '' && typeof record.status === 'string' && itemStatuses.has(record.status);
}
