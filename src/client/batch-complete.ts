import type { BatchResult } from '../models/batch-result.js';
import type { PlainPrompt } from '../models/batch-request.js';
import type { ItemError } from '../models/item-error.js';
import { checkOptionKeys } from '../validation/check-options.js';
import { knownOptionKeys, type BatchClientOptions, type RunOptions } from './batch-client-options.js';
import { createBatchClient } from './create-batch-client.js';

/** Options of {@link batchComplete}: those of `createBatchClient` and of `run` (but `schema`), together. */
export interface BatchCompleteOptions extends BatchClientOptions, Omit<RunOptions, 'schema' | 'pollIntervalMs'> {}

/** A prompt that did not get an answer: why, as a value (never thrown). */
export interface BatchCompleteFailure {
  /** The id made for the prompt (`prompt_<position>`). */
  readonly id: string;
  readonly status: 'failed' | 'cancelled' | 'expired';
  /** What went wrong; `error.category` says whether a retry may help (`error.retryable`). */
  readonly error: ItemError;
  /** The prompt's `metadata`, if it had some. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** For each prompt, in input order: its answer's text, or why there is none. */
export type BatchCompletion = string | BatchCompleteFailure;

const where = 'batchComplete()';

/**
 * Runs plain prompts as one job and returns the answers' texts in input order; a prompt that
 * failed (or was cancelled, or expired) gives a {@link BatchCompleteFailure} in its place instead
 * of throwing. The ids are made for you (`prompt_0`, `prompt_1` ...); the job runs natively or
 * emulated as `provider` and `mode` say, and is stored like any other (`store`, by default
 * `./.llm-batch`), so an interrupted native job can be resumed with `llm-batch resume`.
 * Errors of the job as a whole (a bad option, a refused key, a budget below the estimate) throw.
 *
 * @example
 * import { batchComplete } from 'llm-batch';
 *
 * const answers = await batchComplete(['Capital of France?', { prompt: 'Capital of Japan?', system: 'One word.' }], {
 *   provider: 'openai',
 *   model: 'gpt-5.4-mini',
 * });
 * for (const answer of answers) console.log(typeof answer === 'string' ? answer : `failed: ${answer.error.message}`);
 */
export async function batchComplete(
  prompts: Iterable<PlainPrompt> | AsyncIterable<PlainPrompt>,
  options: BatchCompleteOptions,
): Promise<BatchCompletion[]> {
  const clientKeys: readonly string[] = knownOptionKeys.createBatchClient;
  const runKeys: readonly string[] = knownOptionKeys.run.filter((key) => key !== 'schema');
  checkOptionKeys(where, options, [...new Set([...clientKeys, ...runKeys])]);
  const clientOptions: Record<string, unknown> = {};
  const runOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    // pollIntervalMs is the client's: it sets the first interval of the wait as well.
    if (clientKeys.includes(key)) clientOptions[key] = value;
    else runOptions[key] = value;
  }
  const client = createBatchClient(clientOptions as unknown as BatchClientOptions);
  try {
    const summary = await client.run(prompts, runOptions as RunOptions);
    // From the journal, not `summary.results`, which leaves out failures skipped by errorStrategy 'skip'.
    const completions: BatchCompletion[] = [];
    for await (const result of client.results(summary.jobId)) completions.push(toCompletion(result));
    return completions;
  } finally {
    await client.close();
  }
}

function toCompletion(result: BatchResult): BatchCompletion {
  if (result.status === 'succeeded') return result.text;
  const error: ItemError =
    result.error ??
    (result.status === 'expired'
      ? { category: 'expired', message: 'The request expired', retryable: true }
      : { category: 'cancelled', message: 'The request was cancelled', retryable: true });
  return { id: result.id, status: result.status, error, ...(result.metadata === undefined ? {} : { metadata: result.metadata }) };
}
