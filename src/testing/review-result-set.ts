import { checkAdapterResult } from '../client/check-adapter-result.js';
import type { BatchResult } from '../models/batch-result.js';

/** The results of one batch, sorted out: the well-formed ones by id, and every defect in words. */
export interface ResultSetReview {
  readonly byId: ReadonlyMap<string, BatchResult>;
  readonly defects: readonly string[];
}

/**
 * Reviews everything an adapter handed over for one batch (from `results()` and `recordResult`)
 * against the batch's request ids: each result well formed (the core's own check), no id outside
 * the batch, no id twice, and, when `complete`, no request without a result.
 */
export function reviewResultSet(
  adapterName: string,
  handedOver: readonly unknown[],
  requestIds: readonly string[],
  options: { complete: boolean },
): ResultSetReview {
  const known = new Set(requestIds);
  const byId = new Map<string, BatchResult>();
  const defects: string[] = [];
  const unknown: string[] = [];
  const duplicated: string[] = [];
  for (const raw of handedOver) {
    const checked = checkAdapterResult(raw, adapterName);
    if (checked.problem !== undefined) defects.push(checked.problem);
    const id = checked.result?.id;
    if (id === undefined) continue;
    if (!known.has(id)) unknown.push(id);
    else if (byId.has(id)) duplicated.push(id);
    else if (checked.problem === undefined) byId.set(id, checked.result);
  }
  if (unknown.length > 0) defects.push(`results for ids that are not in the batch: ${listed(unknown)}`);
  if (duplicated.length > 0) defects.push(`more than one result for ${listed(duplicated)}`);
  if (options.complete) {
    const seen = new Set(handedOver.map((raw) => (raw as { id?: unknown } | null)?.id));
    const missing = requestIds.filter((id) => !seen.has(id));
    if (missing.length > 0) defects.push(`no result for ${listed(missing)} of a completed batch`);
  }
  return { byId, defects };
}

function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => `"${id}"`).join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}
