import { LlmBatchError } from '../../errors/llm-batch-error.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { followJob } from '../follow-job.js';
import { formatStatusLine } from '../format-job.js';
import { openClientForJob } from '../open-client.js';
import { printOutcome } from '../print-outcome.js';
import { announceSubmitted, itemStatusesOf, jobIdArgument, runsInThisProcess } from './shared.js';

const help = `Usage: llm-batch retry <job-id> [options]

Submits a new job, linked to <job-id>, with the items that failed with a retryable error, expired
or were cancelled. Like "submit", it waits when the work runs in this process (emulated mode,
local emulator) and then prints the summary.

Options:
  --status LIST                      which items: failed,expired,cancelled (default: all three)
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name (default: the job's, by the keys in the environment)
  --mode native|emulated             run the retry another way than the original job
  --concurrency N                    parallel calls in emulated mode
  --max-cost USD                     budget of the retry job
  --poll-interval DURATION           time between status checks while waiting
  --json                             print the new job as one JSON document
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -q, --quiet                        no progress output
  -h, --help                         this help

Exit codes: 0 nothing to retry or submitted (or all retried items succeeded), 1 some retried
items failed again, 2 usage error or unknown job, 3 the retry job failed.

Examples:
  llm-batch retry job_abc123
  llm-batch retry job_abc123 --status expired --mode emulated --concurrency 16
`;

export const retryCommand: CliCommand = {
  name: 'retry',
  summary: 'resubmit the retryable failed, expired and cancelled items as a new job',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('retry', argv, ['provider', 'mode', 'concurrency', 'max-cost', 'status', 'poll-interval', 'json', 'quiet']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const jobId = jobIdArgument(line);
    const statuses = itemStatusesOf(line);
    const maxCostUsd = line.dollars('max-cost');
    const { client, choice, close } = await openClientForJob(line, io, jobId, { needsProvider: true });
    try {
      let job;
      try {
        job = await client.retry(jobId, {
          ...(statuses ? { statuses } : {}),
          ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
          ...(io.signal ? { signal: io.signal } : {}),
        });
      } catch (error) {
        if (LlmBatchError.isInstance(error) && error.code === 'nothing_to_retry') {
          if (line.flag('json')) io.stdout.write(`${JSON.stringify({ retried: 0, jobId }, null, 2)}\n`);
          else io.stdout.write(`Nothing to retry: ${error.message}\n`);
          return 0;
        }
        throw error;
      }
      announceSubmitted(job, io, line);
      if (choice && runsInThisProcess(choice)) {
        const ended = await followJob(client, job, line, io);
        return await printOutcome(client, ended, line, io);
      }
      if (line.flag('json')) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      else io.stdout.write(`Retrying ${job.counts.total} items of ${jobId} as ${job.id}\n${formatStatusLine(job)}\nNext: llm-batch wait ${job.id}\n`);
      return 0;
    } finally {
      await close();
    }
  },
};
