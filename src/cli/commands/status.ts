import { isTerminalStatus } from '../../models/batch-job.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { exitCodeForJob } from '../exit-codes.js';
import { formatMetadata, formatStatusLine } from '../format-job.js';
import { openClientForJob } from '../open-client.js';
import { jobIdArgument } from './shared.js';

const help = `Usage: llm-batch status <job-id> [options]

Refreshes a job from its provider (a job that has ended is read from the store alone) and prints
one line: Status: completed | Total: 250 | Completed: 247 | Failed: 3
A job submitted with --metadata adds a second line: Metadata: team=risk ticket=RISK-42

Options:
  --provider openai|anthropic|mock   provider to ask (default: the job's, by the keys in the environment)
  --json                             print the job as one JSON document
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -h, --help                         this help

Exit codes: 0 running or all items succeeded, 1 some items failed, 2 unknown job,
3 the job failed, expired or was cancelled.

Examples:
  llm-batch status job_abc123
  llm-batch status job_abc123 --json | jq .counts
`;

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'refresh a job and print its status and counts',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('status', argv, ['provider', 'mode', 'json']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const jobId = jobIdArgument(line);
    const { client } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const job = await client.status(jobId, io.signal ? { signal: io.signal } : {});
      if (line.flag('json')) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      else io.stdout.write(`${formatStatusLine(job)}\n${metadataLine(job.metadata)}`);
      if (job.mode === 'emulated' && !isTerminalStatus(job.status)) {
        io.stderr.write(`llm-batch: ${jobId} runs in emulated mode; if the process running it has stopped, continue it with "llm-batch resume ${jobId}"\n`);
      }
      return exitCodeForJob(job);
    } finally {
      await client.close();
    }
  },
};

function metadataLine(metadata: Readonly<Record<string, string>>): string {
  return Object.keys(metadata).length === 0 ? '' : `Metadata: ${formatMetadata(metadata)}\n`;
}
