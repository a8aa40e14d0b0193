import { isTerminalStatus } from '../../models/batch-job.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { formatStatusLine } from '../format-job.js';
import { openClientForJob } from '../open-client.js';
import { jobIdArgument } from './shared.js';

const help = `Usage: llm-batch cancel <job-id> [options]

Cancels every unfinished part of a job. Results that are already in stay readable with
"llm-batch results"; the rest become cancelled items.

Options:
  --provider openai|anthropic|mock   provider to ask (default: the job's, by the keys in the environment)
  --json                             print the job as one JSON document
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -h, --help                         this help

Examples:
  llm-batch cancel job_abc123
`;

export const cancelCommand: CliCommand = {
  name: 'cancel',
  summary: 'cancel a job; finished results stay readable',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('cancel', argv, ['provider', 'mode', 'json']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const jobId = jobIdArgument(line);
    const { client, job: stored } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const alreadyEnded = isTerminalStatus(stored.status);
      const job = alreadyEnded ? await client.status(jobId) : await client.cancel(jobId, io.signal ? { signal: io.signal } : {});
      if (line.flag('json')) {
        io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      } else {
        const what = alreadyEnded ? `${jobId} had already ended; nothing to cancel` : `Cancel requested for ${jobId}`;
        io.stdout.write(`${what}\n${formatStatusLine(job)}\n`);
      }
      return 0;
    } finally {
      await client.close();
    }
  },
};
