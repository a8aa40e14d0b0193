import type { BatchClient } from '../client/create-batch-client.js';
import type { BatchJob } from '../models/batch-job.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { exitCodeForJob } from './exit-codes.js';
import { formatJobSummary } from './format-job.js';
import { displayCurrencyOf } from './display-currency.js';
import { openOutputTarget, outputFormatOf } from './output-target.js';
import { UsageError } from './usage-error.js';
import { writeResults } from './write-results.js';

/**
 * What `run`, `wait` and `resume` print once a job has ended, and their exit code:
 * `--json` prints the aggregate as one JSON document; `--out FILE` writes the results there and
 * the summary to stdout; `--output FORMAT` alone prints the results and sends the summary to
 * stderr; otherwise the summary goes to stdout with a hint to read the results.
 */
export async function printOutcome(client: BatchClient, job: BatchJob, line: CommandLine, io: CliIo): Promise<number> {
  // With --json, stdout holds the one JSON document: results go elsewhere only with --out.
  const wantsResults = line.string('out') !== undefined || (line.string('output') !== undefined && !line.flag('json'));
  if (wantsResults) checkOutputFormat(line, job);
  const signal = io.signal ? { signal: io.signal } : {};
  const currency = displayCurrencyOf(line, io);
  const aggregate = await client.aggregate(job.id, signal);
  const ended = await client.status(job.id, signal);
  if (wantsResults) {
    const target = await openOutputTarget(line, io, 'md');
    try {
      await writeResults(target.format, ended, client.results(job.id, signal), target.write);
    } finally {
      await target.close();
    }
    if (target.file !== undefined && !line.flag('json')) {
      io.stdout.write(`${formatJobSummary(ended, aggregate, currency)}Results: ${target.file}\n`);
    } else if (!line.flag('json')) {
      io.stderr.write(formatJobSummary(ended, aggregate, currency));
    }
  }
  if (line.flag('json')) {
    const results = aggregate.results.map((result) => {
      const { raw: _raw, ...rest } = result as typeof result & { raw?: unknown };
      return rest;
    });
    io.stdout.write(`${JSON.stringify({ ...aggregate, provider: ended.provider, mode: ended.mode, warnings: ended.warnings, results }, null, 2)}\n`);
  } else if (!wantsResults) {
    io.stdout.write(`${formatJobSummary(ended, aggregate, currency)}Results: llm-batch results ${ended.id} --output md\n`);
  }
  return exitCodeForJob(ended);
}

/** A bad `--output` / `--out` met once the job has ended: the results are safe in the store, and the message says how to read them. */
function checkOutputFormat(line: CommandLine, job: BatchJob): void {
  try {
    outputFormatOf(line, 'md');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${error.message}. Job ${job.id} has ended and its results are stored: llm-batch results ${job.id} --out results.md`, line.command);
  }
}
