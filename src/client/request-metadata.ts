import type { JobManifest, PartManifest } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { ClientCore } from './client-core.js';
import { withKey } from '../models/with-key.js';

/*
 * Per-item context through to the result: a request's `metadata` is kept in the store with the
 * request (never sent to the provider: the wire builders leave it out) and put back on the
 * request's result before the result is journaled, in every mode, so a host app joins results to
 * its own records by it.
 */

/** A part's request ids, and the metadata of those requests that carry some. */
export interface PartRequestIndex {
  readonly ids: Set<string>;
  readonly metadata: Map<string, Record<string, unknown>>;
}

/** Reads a part's request file once: its ids, and the metadata by id (only requests that have some). */
export async function readPartRequestIndex(core: ClientCore, job: JobManifest, part: PartManifest): Promise<PartRequestIndex> {
  const ids = new Set<string>();
  const metadata = new Map<string, Record<string, unknown>>();
  for await (const { request } of core.store.readRequests(job.id, part.index)) {
    ids.add(request.id);
    if (request.metadata !== undefined) metadata.set(request.id, request.metadata);
  }
  return { ids, metadata };
}

/** The metadata of a part's requests by id (only requests that have some; the ids are not kept). */
export async function readPartMetadata(core: ClientCore, job: JobManifest, part: PartManifest): Promise<Map<string, Record<string, unknown>>> {
  const metadata = new Map<string, Record<string, unknown>>();
  for await (const { request } of core.store.readRequests(job.id, part.index)) {
    if (request.metadata !== undefined) metadata.set(request.id, request.metadata);
  }
  return metadata;
}

/** The result with its request's metadata, unless the adapter already put some on it. */
export function withRequestMetadata(result: BatchResult, metadata: ReadonlyMap<string, Record<string, unknown>>): BatchResult {
  if (result.metadata !== undefined) return result;
  const found = metadata.get(result.id);
  return found === undefined ? result : withKey(result, 'metadata', found);
}
