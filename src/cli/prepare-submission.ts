import type { BatchClient, SubmitOptions } from '../client/create-batch-client.js';
import { ValidationError } from '../errors/validation-error.js';
import type { BatchJob } from '../models/batch-job.js';
import { defaultModels, type ProviderChoice } from './choose-provider.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { InputFileError } from './input-file-error.js';
import { loadRequests } from './load-requests.js';
import { parseMetadataArguments } from './parse-metadata-arguments.js';
import { withFileLines, type RequestFile } from './read-request-file.js';
import { UsageError } from './usage-error.js';
import { jobPriorities } from '../models/batch-job.js';

/** Requests read and the submit options the flags ask for. */
export interface Submission {
  readonly file: RequestFile;
  readonly options: SubmitOptions;
}

/**
 * Reads the requests (from a file, or standard input for `-`) and turns the flags into submit
 * options: `--model` (else the provider's default model for requests that name none, said on
 * stderr), `--max-cost`, `--pricing`, `--metadata`, `--exact-tokens` / `--no-exact-tokens`. Flags
 * are checked before any input is read.
 */
export async function prepareSubmission(
  line: CommandLine,
  io: CliIo,
  choice: ProviderChoice,
  path: string | undefined,
): Promise<Submission> {
  let model = line.string('model');
  const maxCostUsd = line.dollars('max-cost');
  const pricing = line.string('pricing');
  const exactTokens = exactTokensFlag(line);
  const metadata = parseMetadataArguments(line.strings('metadata'), line.command);
  const priority = line.choice('priority', jobPriorities);
  const intake = line.choice('intake', ['checked', 'streaming'] as const);
  const file = await loadRequests(line, io, path);
  // The config's defaults.model fills them in the client.
  // A provider a plugin registered has no default here: its adapter's own, else the requests', counts.
  const fallback = (defaultModels as Readonly<Record<string, string | undefined>>)[choice.provider];
  if (model === undefined && file.lacksModel && choice.config?.config.defaults?.model === undefined && fallback !== undefined) {
    model = fallback;
    io.stderr.write(`llm-batch: requests without a model use ${model} (set one with --model)\n`);
  }
  return {
    file,
    options: {
      ...(model === undefined ? {} : { model }),
      ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
      ...(pricing === undefined ? {} : { pricing }),
      ...(exactTokens === undefined ? {} : { exactTokens }),
      ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
      ...(priority === undefined ? {} : { priority }),
      ...(intake === undefined ? {} : { intake }),
      ...(io.signal ? { signal: io.signal } : {}),
    },
  };
}

/**
 * `exactTokens` from `--exact-tokens` (true) or `--no-exact-tokens` (false); undefined without
 * either, so the library's default holds (exact for estimates, dry runs and native jobs).
 */
export function exactTokensFlag(line: CommandLine): boolean | undefined {
  const exact = line.flag('exact-tokens');
  const approximate = line.flag('no-exact-tokens');
  if (exact && approximate) throw new UsageError('give --exact-tokens or --no-exact-tokens, not both', line.command);
  return exact ? true : approximate ? false : undefined;
}

/** Submits, naming the file's lines in any validation error the client finds. */
export async function submitFile(client: BatchClient, submission: Submission, extra: Record<string, unknown> = {}): Promise<BatchJob> {
  try {
    return await client.submit(submission.file.requests, { ...submission.options, ...extra });
  } catch (error) {
    throw asFileError(error, submission.file);
  }
}

/** A client `ValidationError` about a file's requests, rewritten to name the file and its lines. */
export function asFileError(error: unknown, file: RequestFile): unknown {
  return ValidationError.isInstance(error) ? new InputFileError(file.path, withFileLines(error, file)) : error;
}
