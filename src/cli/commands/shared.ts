import type { BatchJob } from '../../models/batch-job.js';
import type { CliIo } from '../cli-io.js';
import type { CliOptionName, CommandLine } from '../command-line.js';
import { standardInput, standardInputArgument } from '../load-requests.js';
import { UsageError } from '../usage-error.js';

/** The flags of commands that read requests and create a job. */
export const jobInputOptions: readonly CliOptionName[] = [
  'provider',
  'mode',
  'model',
  'concurrency',
  'max-cost',
  'pricing',
  'template',
  'data',
  'input-format',
  'metadata',
  'priority',
];

/**
 * The one optional positional `<file>`. For `-` (standard input), a terminal is refused here,
 * before any client is opened or anything is announced.
 */
export function optionalFile(line: CommandLine, io: CliIo): string | undefined {
  if (line.positionals.length > 1) {
    throw new UsageError(`unexpected argument ${JSON.stringify(line.positionals[1])}`, line.command);
  }
  const file = line.positionals[0];
  if (file === standardInputArgument) standardInput(io, line.command);
  return file;
}

/** The one required positional `<job-id>`. */
export function jobIdArgument(line: CommandLine): string {
  const [jobId] = line.expectPositionals(['job-id']);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(jobId!)) throw new UsageError(`${JSON.stringify(jobId)} is not a job id`, line.command);
  return jobId!;
}

/** One line on stderr once a job is submitted. */
export function announceSubmitted(job: BatchJob, io: CliIo, line: CommandLine): void {
  if (line.flag('quiet')) return;
  const parts = job.parts.length === 1 ? '1 part' : `${job.parts.length} parts`;
  const requests = line.string('intake') === 'streaming' ? 'requests run as they are read' : `${job.counts.total} requests in ${parts}`;
  io.stderr.write(`Submitted ${job.id}: ${requests} (${job.provider}, ${job.mode})\n`);
}

/** Whether a job's work lives in this process: emulated runs and the local emulator end with it. */
export function runsInThisProcess(choice: { provider: string; mode: string }): boolean {
  return choice.provider === 'mock' || choice.mode === 'emulated';
}

const itemStatusNames = ['succeeded', 'failed', 'cancelled', 'expired'] as const;

/** `--status failed,expired` as item statuses. */
export function itemStatusesOf(line: CommandLine): (typeof itemStatusNames)[number][] | undefined {
  const text = line.string('status');
  if (text === undefined) return undefined;
  return text.split(',').map((entry) => {
    const status = entry.trim();
    if (!(itemStatusNames as readonly string[]).includes(status)) {
      throw new UsageError(`--status: unknown status ${JSON.stringify(status)}; use ${itemStatusNames.join(', ')}`, line.command);
    }
    return status as (typeof itemStatusNames)[number];
  });
}
