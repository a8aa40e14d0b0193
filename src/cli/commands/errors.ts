import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { exitCodeForJob } from '../exit-codes.js';
import { openClientForJob } from '../open-client.js';
import { openOutputTarget } from '../output-target.js';
import { writeResults } from '../write-results.js';
import { jobIdArgument } from './shared.js';

const help = `Usage: llm-batch errors <job-id> [options]

Lists the items of a job that did not succeed (failed, cancelled, expired), one a line:
id, status, error category, whether a retry may help, and the message.

Options:
  --output md|json|jsonl|csv   print them as results in this format instead
  --out FILE                   write to FILE instead of stdout
  --json                       print {"jobId","errors":[...]} as one JSON document
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name: provider to ask while the job still runs
  --store DIR                  job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -h, --help                   this help

Examples:
  llm-batch errors job_abc123
  llm-batch errors job_abc123 --output csv --out errors.csv
  llm-batch retry job_abc123      # resubmit the retryable ones
`;

export const errorsCommand: CliCommand = {
  name: 'errors',
  summary: 'list the items of a job that failed, expired or were cancelled',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('errors', argv, ['provider', 'mode', 'output', 'out', 'json']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const jobId = jobIdArgument(line);
    const { client, close } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const signal = io.signal ? { signal: io.signal } : {};
      const job = await client.status(jobId, signal);
      const errors = await client.errors(jobId, signal);
      if (line.flag('json')) {
        const items = errors.map((result) => {
          const { raw: _raw, ...rest } = result as typeof result & { raw?: unknown };
          return rest;
        });
        io.stdout.write(`${JSON.stringify({ jobId, status: job.status, counts: job.counts, errors: items }, null, 2)}\n`);
      } else if (line.string('output') !== undefined || line.string('out') !== undefined) {
        const target = await openOutputTarget(line, io, 'md');
        async function* items() {
          yield* errors;
        }
        try {
          await writeResults(target.format, job, items(), target.write, { title: 'Batch Errors' });
        } finally {
          await target.close();
        }
      } else if (errors.length === 0) {
        io.stdout.write(`No errors: all ${job.counts.succeeded} items of ${jobId} succeeded${job.counts.pending > 0 ? ` so far (${job.counts.pending} pending)` : ''}.\n`);
      } else {
        const rows = errors.map((result) => {
          const error = result.status === 'succeeded' ? undefined : result.error;
          const category = error ? `${error.category}${error.retryable ? ' (retryable)' : ''}` : result.status;
          return `${result.id}\t${result.status}\t${category}\t${(error?.message ?? '').replace(/\s+/g, ' ')}`;
        });
        io.stdout.write(`${errors.length} of ${job.counts.total} items did not succeed:\n${rows.join('\n')}\n`);
      }
      return exitCodeForJob(job);
    } finally {
      await close();
    }
  },
};
