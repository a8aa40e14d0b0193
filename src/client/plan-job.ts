import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { batchRequestSchema, isOpenAIBatchLine, type BatchRequest, type BatchRequestInput } from '../models/batch-request.js';
import { fromOpenAIBatchLine } from '../wire/openai/openai-batch-line.js';
import type { ProviderLimits } from '../provider/batch-provider.js';
import type { BatchStore, RequestWriter } from '../store/batch-store.js';
import { applyRequestDefaults, type RequestDefaults } from './apply-defaults.js';
import { fromPlainPrompt, isPlainPrompt } from './plain-prompt.js';
import { isSimpleBatchRequest } from '../models/simple-request.js';
import { IdTable, type IdTableOptions } from './id-table.js';
import { withKey } from '../models/with-key.js';

/** A part as planned: which requests it holds is in the store. */
export interface PlannedPart {
  index: number;
  model?: string;
  /** The provider of the part when a route sent it to one that is not the client's. */
  provider?: string;
  /** The mode of the part when its provider runs in another mode than the client's. */
  mode?: 'native' | 'emulated';
  requestCount: number;
  bytes: number;
  /** How many of its requests carry metadata. */
  requestsWithMetadata: number;
}

export interface PlanJobOptions {
  jobId: string;
  input: Iterable<BatchRequestInput> | AsyncIterable<BatchRequestInput>;
  store: BatchStore;
  limits: ProviderLimits;
  /** The model for requests that name none. */
  defaultModel?: string;
  /** The client's per-request defaults (system, temperature, maxTokens, tools) for requests that set none. */
  defaults?: RequestDefaults;
  /** Serialized size of a request as the provider receives it. */
  measure?: (request: BatchRequest) => number;
  /** Applied to every valid request before it is stored (structured output, for example). */
  transform?: (request: BatchRequest) => BatchRequest;
  /** Sees every request as it is stored, while no item has been found bad (the estimate's count). */
  observe?: (request: BatchRequest) => void | Promise<void>;
  /**
   * Where a request goes: its provider (a `provider:model` request), the model as sent, that
   * provider's limits and a per-model cap (`maxRequestsPerPart` of the config file). A throw is
   * the item's problem (field `model`).
   */
  route?: (request: BatchRequest) => PartRoute | Promise<PartRoute>;
  /** The table that finds duplicate ids (tests force hash collisions through it). */
  ids?: IdTableOptions;
}

/** What {@link PlanJobOptions.route} says of one request. */
export interface PartRoute {
  /** The provider's registry name, when it is not the client's. */
  readonly provider?: string;
  /** That provider's mode, when it is not the client's (the config's `providers.<name>.mode`). */
  readonly mode?: 'native' | 'emulated';
  /** The request as it is stored and sent (the provider prefix taken off its model). */
  readonly request: BatchRequest;
  readonly limits: ProviderLimits;
  /** Most requests of this request's model in one part. */
  readonly maxRequests?: number;
}

export interface PlannedJob {
  parts: PlannedPart[];
  total: number;
}

interface OpenPart extends PlannedPart {
  writer: RequestWriter;
}

/**
 * Validates every request, normalizes it (OpenAI batch lines become `BatchRequest`s, the default
 * model is filled in), and streams it into the part it belongs to: a new part opens when the
 * adapter's request or byte limit would be passed, and per model when the adapter needs one model
 * per part. Every problem of every item is collected; if there is any, nothing is kept and one
 * `ValidationError` lists them all. Nothing here touches the network.
 */
export async function planJob(options: PlanJobOptions): Promise<PlannedJob> {
  const { jobId, store, limits } = options;
  const issues: ValidationIssue[] = [];
  // Duplicate ids: exact for small jobs; past 65,536 ids a table of 64-bit hashes, whose hits are
  // suspects confirmed exactly once the input is read (see resolveSuspects).
  const firstIndexById = new IdTable({ positions: false, ...options.ids });
  const suspects: Suspect[] = [];
  // The ids of requests that were not stored (only once an item is bad): a suspect's first id may be one.
  const unstored = new Map<number, string>();
  const open = new Map<string, OpenPart>();
  const parts: PlannedPart[] = [];
  const measure = options.measure ?? defaultMeasure;
  let index = 0;

  async function sealPart(key: string): Promise<void> {
    const part = open.get(key);
    if (!part) return;
    open.delete(key);
    await part.writer.close();
  }

  async function partFor(key: string, model: string | undefined, bytes: number, route?: PartRoute): Promise<OpenPart> {
    const current = open.get(key);
    const partLimits = route?.limits ?? limits;
    const maxRequests = Math.min(partLimits.maxRequests, route?.maxRequests ?? Number.POSITIVE_INFINITY);
    if (current && current.requestCount + 1 <= maxRequests && current.bytes + bytes <= partLimits.maxBytes) {
      return current;
    }
    await sealPart(key);
    const part: OpenPart = {
      index: parts.length,
      requestCount: 0,
      bytes: 0,
      requestsWithMetadata: 0,
      writer: await store.createRequestWriter(jobId, parts.length),
      ...(model === undefined ? {} : { model }),
      ...(route?.provider === undefined ? {} : { provider: route.provider }),
      ...(route?.mode === undefined ? {} : { mode: route.mode }),
    };
    parts.push(part);
    open.set(key, part);
    return part;
  }

  // The route of a request depends on its model alone: asked once per model, not once per request.
  const routes = new Map<string, PartRoute>();
  const routeOf = (request: BatchRequest, model: string): PartRoute | Promise<PartRoute> => {
    const known = routes.get(model);
    if (known !== undefined) return known.request === request || known.request.model === model ? { ...known, request } : { ...known, request: { ...request, model: known.request.model! } };
    return Promise.resolve(options.route!(request)).then((route) => {
      routes.set(model, route);
      return route;
    });
  };

  /** Plans one input item; returns a promise only when it has to wait (a new part, a full write buffer, a route not seen yet). */
  function planItem(item: unknown): void | Promise<void> {
    const position = index++;
    const normalized = normalize(item, position, options.defaultModel, issues, options.defaults);
    if (!normalized) return;
    if (options.route && normalized.model) {
      let route: PartRoute | Promise<PartRoute>;
      try {
        route = routeOf(normalized, normalized.model);
      } catch (error) {
        issues.push({ index: position, id: normalized.id, field: 'model', reason: (error as Error).message });
        return;
      }
      if (!(route instanceof Promise)) return place(position, normalized, route);
      return route.then(
        (found) => place(position, normalized, found),
        (error: unknown) => {
          issues.push({ index: position, id: normalized.id, field: 'model', reason: (error as Error).message });
        },
      );
    }
    return place(position, normalized, undefined);
  }

  function place(position: number, normalized: BatchRequest, route: PartRoute | undefined): void | Promise<void> {
    const request = route?.request ?? normalized;
    const itemLimits = route?.limits ?? limits;
    const firstIndex = firstIndexById.add(request.id, position);
    if (firstIndex !== -1) {
      if (firstIndexById.exact) issues.push(duplicateIssue(position, request.id, firstIndex));
      else suspects.push({ position, id: request.id });
    }
    if (itemLimits.idPattern && !itemLimits.idPattern.test(request.id)) {
      issues.push({ index: position, id: request.id, field: 'id', reason: `does not match the provider's id rule ${itemLimits.idPattern}` });
    }
    if (!request.model) {
      issues.push({ index: position, id: request.id, field: 'model', reason: 'no model: set request.model, the "model" option or defaults.model of the client' });
    }
    const stored = options.transform ? options.transform(request) : request;
    // Without an adapter measure, the size is that of the JSON the store writes: serialized once, for both.
    const json = options.measure ? undefined : JSON.stringify(stored);
    // The adapter's measure also refuses what its provider cannot express (a ValidationError of the request).
    const bytes = json === undefined ? measureOrReport(measure, stored, position, issues) : Buffer.byteLength(json) + 1;
    // Once any item is bad, nothing is stored: keep validating only, to report every problem at once.
    if (issues.length > 0 || bytes === undefined) {
      unstored.set(position, request.id);
      return;
    }
    if (bytes > itemLimits.maxBytes) {
      issues.push({ index: position, id: request.id, field: '', reason: `request is ${bytes} bytes, over the provider's limit of ${itemLimits.maxBytes}` });
      unstored.set(position, request.id);
      return;
    }
    // One part per model where the provider needs it or a per-model cap applies; per provider always.
    // A part in another mode than the job's holds one model, so its results are priced in its mode.
    const byModel = itemLimits.oneModelPerPart || route?.maxRequests !== undefined || route?.mode !== undefined;
    const key = route?.provider === undefined && !byModel ? 'all' : `${route?.provider ?? ''}|${byModel ? `model:${stored.model}` : 'all'}`;
    const current = open.get(key);
    if (current !== undefined && fits(current, bytes, route)) return keep(current, position, stored, json, bytes);
    return partFor(key, byModel ? stored.model : undefined, bytes, route).then((part) => keep(part, position, stored, json, bytes));
  }

  function fits(part: OpenPart, bytes: number, route: PartRoute | undefined): boolean {
    const partLimits = route?.limits ?? limits;
    const maxRequests = Math.min(partLimits.maxRequests, route?.maxRequests ?? Number.POSITIVE_INFINITY);
    return part.requestCount + 1 <= maxRequests && part.bytes + bytes <= partLimits.maxBytes;
  }

  function keep(part: OpenPart, position: number, stored: BatchRequest, json: string | undefined, bytes: number): void | Promise<void> {
    part.requestCount++;
    part.bytes += bytes;
    if (stored.metadata !== undefined) part.requestsWithMetadata++;
    const written = json !== undefined && part.writer.writeJson ? part.writer.writeJson(position, json) : part.writer.write({ index: position, request: stored });
    const observed = options.observe?.(stored);
    if (written && observed) return Promise.all([written, observed]).then(() => undefined);
    return written ?? observed;
  }

  try {
    const input = options.input;
    // A synchronous iterable (an array, a generator) is read without an await per item.
    if (Symbol.iterator in input && !(Symbol.asyncIterator in input)) {
      for (const item of input) {
        const pending = planItem(item);
        if (pending) await pending;
      }
    } else {
      for await (const item of input) {
        const pending = planItem(item);
        if (pending) await pending;
      }
    }
    if (index === 0) issues.push({ index: 0, field: '', reason: 'no requests: the input is empty' });
  } finally {
    for (const key of [...open.keys()]) await sealPart(key);
  }
  if (suspects.length > 0) {
    const duplicates = await resolveSuspects(suspects, unstored, store, jobId, parts.length);
    if (duplicates.length > 0) {
      issues.push(...duplicates);
      // Stable: the issues of one item keep their order.
      issues.sort((left, right) => left.index - right.index);
    }
  }

  if (issues.length > 0) {
    await store.deleteJob(jobId);
    throw new ValidationError(issues);
  }
  return {
    total: index,
    parts: parts.map(({ index: partIndex, model, provider, mode, requestCount, bytes, requestsWithMetadata }) => ({
      index: partIndex,
      requestCount,
      bytes,
      requestsWithMetadata,
      ...(model === undefined ? {} : { model }),
      ...(provider === undefined ? {} : { provider }),
      ...(mode === undefined ? {} : { mode }),
    })),
  };
}

/** A request whose id hashes like an earlier one's: a duplicate only if an earlier id is equal. */
interface Suspect {
  readonly position: number;
  readonly id: string;
}

function duplicateIssue(position: number, id: string, firstIndex: number): ValidationIssue {
  return { index: position, id, field: 'id', reason: `duplicate id (first used by request ${firstIndex})` };
}

/**
 * The real duplicates among the suspects, exactly: the first position of each suspect's id, found
 * by one more read of the stored requests (only when there are suspects, which for 64-bit hashes
 * is about never unless an id really repeats) and of the ids of the requests that were not
 * stored. A suspect is a duplicate when its id was used before it.
 */
async function resolveSuspects(
  suspects: readonly Suspect[],
  unstored: ReadonlyMap<number, string>,
  store: BatchStore,
  jobId: string,
  partCount: number,
): Promise<ValidationIssue[]> {
  const firstById = new Map<string, number>();
  for (const { id } of suspects) firstById.set(id, Number.POSITIVE_INFINITY);
  const see = (index: number, id: string): void => {
    const first = firstById.get(id);
    if (first !== undefined && index < first) firstById.set(id, index);
  };
  for (const [index, id] of unstored) see(index, id);
  for (let part = 0; part < partCount; part++) {
    for await (const { index, request } of store.readRequests(jobId, part)) see(index, request.id);
  }
  const duplicates: ValidationIssue[] = [];
  for (const { position, id } of suspects) {
    const first = firstById.get(id)!;
    if (first < position) duplicates.push(duplicateIssue(position, id, first));
  }
  return duplicates;
}

/** The adapter's size of a request, or its problems added to `issues` (then `undefined`). */
export function measureOrReport(
  measure: (request: BatchRequest) => number,
  request: BatchRequest,
  index: number,
  issues: ValidationIssue[],
): number | undefined {
  try {
    return measure(request);
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    for (const issue of error.issues) issues.push({ ...issue, index, id: issue.id ?? request.id });
    return undefined;
  }
}

/**
 * One input item as a `BatchRequest` (an OpenAI batch line or a plain prompt converted, the defaults
 * and the default model filled in), or `undefined` with its problems added to `issues`.
 */
export function normalize(
  item: unknown,
  index: number,
  defaultModel: string | undefined,
  issues: ValidationIssue[],
  defaults: RequestDefaults | undefined,
): BatchRequest | undefined {
  if (isSimpleBatchRequest(item)) return finish(item, defaultModel, defaults);
  if (isPlainPrompt(item)) {
    const prompt = fromPlainPrompt(item, index, issues);
    return prompt === undefined ? undefined : finish(prompt, defaultModel, defaults);
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    issues.push({ index, field: '', reason: `expected a request object, got ${describeType(item)}` });
    return undefined;
  }
  let candidate: unknown = item;
  if (isOpenAIBatchLine(item)) {
    try {
      candidate = fromOpenAIBatchLine(item, index);
    } catch (error) {
      if (ValidationError.isInstance(error)) {
        issues.push(...error.issues);
        return undefined;
      }
      const id = typeof item.custom_id === 'string' ? item.custom_id : undefined;
      issues.push({ index, ...(id === undefined ? {} : { id }), field: 'body', reason: (error as Error).message });
      return undefined;
    }
  }
  const parsed = batchRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    const rawId = (candidate as { id?: unknown }).id;
    const id = typeof rawId === 'string' ? rawId : undefined;
    for (const issue of parsed.error.issues) issues.push(toValidationIssue(issue, index, id));
    return undefined;
  }
  return finish(parsed.data, defaultModel, defaults);
}

/** A valid request with the default model and the client's defaults where it sets none. */
function finish(request: BatchRequest, defaultModel: string | undefined, defaults: RequestDefaults | undefined): BatchRequest {
  const filled = applyRequestDefaults(request, defaults);
  // A copy: a request that passed the fast check is the caller's own object.
  // withKey, not a spread that adds a key: see there.
  return filled.model === undefined && defaultModel !== undefined ? withKey(filled, 'model', defaultModel) : filled;
}

function toValidationIssue(issue: z.core.$ZodIssue, index: number, id: string | undefined): ValidationIssue {
  const path = issue.path.map(String).join('.');
  const base = { index, ...(id === undefined ? {} : { id }) };
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    return { ...base, field: keys.map((key) => (path ? `${path}.${key}` : key)).join(', '), reason: `unknown ${keys.length === 1 ? 'key' : 'keys'}` };
  }
  return { ...base, field: path, reason: issue.message };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function defaultMeasure(request: BatchRequest): number {
  return Buffer.byteLength(JSON.stringify(request)) + 1;
}
