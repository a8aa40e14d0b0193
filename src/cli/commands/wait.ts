import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { followJob } from '../follow-job.js';
import { openClientForJob } from '../open-client.js';
import { printOutcome } from '../print-outcome.js';
import { outputFormatOf } from '../output-target.js';
import { jobIdArgument } from './shared.js';

const help = `Usage: llm-batch wait <job-id> [options]

Waits until a job has ended, with a progress bar on stderr, then prints its summary (or its
results, with --output/--out). When another process drives the job (an emulated run, or a wait
that polls it), this follows what that process stores, and takes over polling a native job if
that process goes away. Ctrl-C stops waiting; a native job keeps running at the provider. An
emulated job that no process runs any more is continued with "llm-batch resume".

Options:
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name: provider to ask (default: the job's, by the keys in the environment)
  --poll-interval DURATION           time between status checks, e.g. 10s (default: the adapter's)
  --timeout DURATION                 stop waiting after this long
  --output md|json|jsonl|csv         print the results in this format (the summary goes to stderr)
  --out FILE                         write the results to FILE
  --json                             print the job's aggregate as one JSON document
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  --currency CODE:PER_USD            show costs in another currency, e.g. EUR:0.92 (or LLM_BATCH_CURRENCY)
  -q, --quiet                        no progress output
  -h, --help                         this help

Exit codes: 0 all items succeeded, 1 some items failed, 2 usage error or unknown job,
3 the job failed, expired or was cancelled.

Examples:
  llm-batch wait job_abc123
  llm-batch wait job_abc123 --poll-interval 1m --out results.jsonl
`;

export const waitCommand: CliCommand = {
  name: 'wait',
  summary: 'wait for a job to end, with progress; print the summary or results',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('wait', argv, ['provider', 'mode', 'poll-interval', 'timeout', 'output', 'out', 'json', 'quiet']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    // A bad --out or --output is refused before anything is sent or paid for.
    if (line.string('out') !== undefined || line.string('output') !== undefined) outputFormatOf(line, 'md');
    const jobId = jobIdArgument(line);
    const { client, job, close } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const ended = await followJob(client, job, line, io);
      return await printOutcome(client, ended, line, io);
    } finally {
      await close();
    }
  },
};
