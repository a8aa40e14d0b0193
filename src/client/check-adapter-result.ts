import { batchResultSchema, finishReasonSchema, itemStatuses, type BatchResult, type FailedResult } from '../models/batch-result.js';
import { errorCategories } from '../models/item-error.js';
import { usageSchema } from '../models/usage.js';

/**
 * What {@link checkAdapterResult} made of one result handed over by an adapter:
 * - a well-formed result, unchanged, with no `problem`;
 * - a malformed result with a usable id, replaced by a `failed` result for that id, and a `problem`
 *   to show as a job warning;
 * - a result with no usable id: no `result` at all (there is no request to attach it to), only a
 *   `problem`.
 */
export type AdapterResultCheck =
  | { readonly result: BatchResult; readonly problem?: undefined }
  | { readonly result: FailedResult; readonly problem: string }
  | { readonly result: undefined; readonly problem: string };

const usageCounts = ['inputTokens', 'outputTokens', 'totalTokens', 'cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;
const requiredUsageCounts: ReadonlySet<string> = new Set(['inputTokens', 'outputTokens', 'totalTokens']);

/**
 * Checks one result an adapter handed over (from `results()` or `recordResult`) against the public
 * `BatchResult` model, and against what the model's schema leaves open:
 *
 * - `id` is a non-empty string;
 * - `status` is `succeeded`, `failed`, `cancelled` or `expired`;
 * - `succeeded` has a string `text` and a `usage` whose token counts are finite, non-negative whole
 *   numbers. `text` may be empty only when the result says why: it carries tool calls or an `output`
 *   (embeddings, structured output), or its `finishReason` is not `stop` (cut at `length`, filtered,
 *   refused). An empty `text` that ended with `stop` and nothing else is a lost answer;
 * - `failed` has an `error` with a known category, a non-empty message and a boolean `retryable`;
 *   `cancelled` and `expired` may omit `error` (the model allows it), but one they give is checked
 *   the same way.
 *
 * A malformed result becomes a `failed` result for the same id (category `unknown`, not retryable:
 * the same adapter would hand over the same thing again) whose message names the adapter and the
 * defect; the tokens of a well-formed `usage` are kept, because they were paid. Pure: no I/O.
 *
 * @example
 * const checked = checkAdapterResult(raw, provider.name);
 * if (checked.problem !== undefined) warn(checked.problem);
 * if (checked.result !== undefined) journal(checked.result);
 */
export function checkAdapterResult(raw: unknown, adapterName: string): AdapterResultCheck {
  const adapter = `The adapter "${adapterName}"`;
  if (!isRecord(raw)) {
    return { result: undefined, problem: `${adapter} returned a result that is not an object (${shown(raw)}); it was ignored` };
  }
  const id = raw['id'];
  if (typeof id !== 'string' || id === '') {
    return {
      result: undefined,
      problem: `${adapter} returned a result with no usable id (id ${id === undefined ? 'is missing' : `is ${shown(id)}`}); it was ignored`,
    };
  }
  const defect = findDefect(raw);
  if (defect === undefined) return { result: raw as BatchResult };
  const replacement: FailedResult = {
    id,
    status: 'failed',
    error: { category: 'unknown', message: `${adapter} returned a malformed result: ${defect}`, retryable: false },
  };
  const paid = usageSchema.safeParse(raw['usage']);
  if (paid.success) replacement.usage = paid.data;
  return {
    result: replacement,
    problem: `${adapter} returned a malformed result for id "${id}", recorded as failed: ${defect}`,
  };
}

/** The first thing wrong with a result whose id is usable, in words; undefined when it is well formed. */
function findDefect(raw: Record<string, unknown>): string | undefined {
  const status = raw['status'];
  if (status === undefined) return `status is missing (expected one of ${itemStatuses.join(', ')})`;
  if (!(itemStatuses as readonly unknown[]).includes(status)) {
    return `status ${shown(status)} is not one of ${itemStatuses.join(', ')}`;
  }
  const own = status === 'succeeded' ? succeededDefect(raw) : errorDefect(raw['error'], status === 'failed');
  if (own !== undefined) return own;
  if (status !== 'succeeded' && raw['usage'] !== undefined) {
    const usage = usageDefect(raw['usage']);
    if (usage !== undefined) return usage;
  }
  // Most results are plain answers: checked by hand, without the schema's full parse (a copy of
  // each result, then garbage). What the hand check does not accept outright goes to the schema.
  if (status === 'succeeded' && isPlainSucceeded(raw)) return raw['text'] === '' ? emptyTextDefect(raw) : undefined;
  const parsed = batchResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    return valueAt(raw, issue.path) === undefined ? `${path} is missing` : `${path}: ${issue.message}`;
  }
  if (status === 'succeeded' && raw['text'] === '') return emptyTextDefect(raw);
  return undefined;
}

const finishReasons: ReadonlySet<unknown> = new Set(finishReasonSchema.options);

/**
 * True when a succeeded result whose text and usage passed {@link succeededDefect} is certainly one
 * that `batchResultSchema` accepts: its other keys are the common ones, each of a valid value.
 * False means "ask the schema", not "malformed".
 */
function isPlainSucceeded(raw: Record<string, unknown>): boolean {
  if (!finishReasons.has(raw['finishReason']) || typeof raw['model'] !== 'string') return false;
  for (const key in raw) {
    const value = raw[key];
    switch (key) {
      case 'id':
      case 'status':
      case 'text':
      case 'finishReason':
      case 'model':
      case 'output':
      case 'raw':
        break;
      case 'usage':
        if (!safeCounts(value as Record<string, unknown>)) return false;
        break;
      case 'rawFinishReason':
        if (typeof value !== 'string') return false;
        break;
      case 'attempts':
        if (!Number.isSafeInteger(value) || (value as number) <= 0) return false;
        break;
      case 'latencyMs':
      case 'finishedAt':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return false;
        break;
      case 'metadata':
        if (!isPlainObject(value)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Usage whose counts passed {@link usageDefect} and are safe integers (the schema's `int()`). */
function safeCounts(usage: Record<string, unknown>): boolean {
  for (const key of usageCounts) {
    const value = usage[key];
    if (value !== undefined && !Number.isSafeInteger(value)) return false;
  }
  return true;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function succeededDefect(raw: Record<string, unknown>): string | undefined {
  const text = raw['text'];
  if (text === undefined) return 'a succeeded result has no text';
  if (typeof text !== 'string') return `text is ${shown(text)}, not a string`;
  if (raw['usage'] === undefined) return 'a succeeded result has no usage (input, output and total token counts)';
  return usageDefect(raw['usage']);
}

function usageDefect(usage: unknown): string | undefined {
  if (!isRecord(usage)) return `usage is ${shown(usage)}, not an object of token counts`;
  for (const key of usageCounts) {
    const value = usage[key];
    if (value === undefined) {
      if (requiredUsageCounts.has(key)) return `usage.${key} is missing`;
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      return `usage.${key} is ${shown(value)}, not a non-negative whole number`;
    }
  }
  return undefined;
}

function errorDefect(error: unknown, required: boolean): string | undefined {
  if (error === undefined) return required ? 'a failed result has no error (category, message, retryable)' : undefined;
  if (!isRecord(error)) return `error is ${shown(error)}, not an object`;
  const category = error['category'];
  if (!(errorCategories as readonly unknown[]).includes(category)) {
    return category === undefined ? 'error.category is missing' : `error.category ${shown(category)} is not a known category`;
  }
  const message = error['message'];
  if (typeof message !== 'string' || message.trim() === '') {
    return message === undefined ? 'error.message is missing' : `error.message is ${shown(message)}, not a non-empty string`;
  }
  if (typeof error['retryable'] !== 'boolean') {
    return error['retryable'] === undefined ? 'error.retryable is missing' : `error.retryable is ${shown(error['retryable'])}, not a boolean`;
  }
  return undefined;
}

function emptyTextDefect(raw: Record<string, unknown>): string | undefined {
  const toolCalls = raw['toolCalls'];
  if (Array.isArray(toolCalls) && toolCalls.length > 0) return undefined;
  if (raw['output'] !== undefined) return undefined;
  if (raw['finishReason'] !== 'stop') return undefined;
  return 'text is empty, with no tool calls, no output and finishReason "stop"';
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as it reads in a message: numbers as JavaScript prints them (NaN is not `null`), long values cut. */
function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
