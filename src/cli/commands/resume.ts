import type { CliCommand } from '../cli-command.js';
import { partMode } from '../../models/batch-job.js';
import { CommandLine } from '../command-line.js';
import { formatStatusLine } from '../format-job.js';
import { followJob } from '../follow-job.js';
import { openClientForJob } from '../open-client.js';
import { printOutcome } from '../print-outcome.js';
import { outputFormatOf } from '../output-target.js';
import { jobIdArgument } from './shared.js';

const help = `Usage: llm-batch resume <job-id> [options]

Picks a job up after a crash, a restart or Ctrl-C: re-attaches to the provider batches it had
submitted, submits the parts it had not, and continues an emulated job with only the items that
have no result yet (a finished item is never paid for twice). Then waits and prints the summary,
like "run". An emulated job runs in this process, so resume always waits for it.

Options:
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name (default: the job's, by the keys in the environment)
  --concurrency N                    parallel calls in emulated mode
  --detach                           native jobs: return once re-attached instead of waiting
  --poll-interval DURATION           time between status checks
  --output md|json|jsonl|csv         print the results in this format (the summary goes to stderr)
  --out FILE                         write the results to FILE
  --json                             print the job's aggregate as one JSON document
  --store DIR                        job store (default: LLM_BATCH_DIR or ./.llm-batch)
  -q, --quiet                        no progress output
  -h, --help                         this help

Examples:
  llm-batch resume job_abc123
  llm-batch resume job_abc123 --detach
`;

export const resumeCommand: CliCommand = {
  name: 'resume',
  summary: 'continue a job after a crash or restart (never pays twice for an item)',
  help,
  async run(argv, io) {
    const line = CommandLine.parse('resume', argv, [
      'provider',
      'mode',
      'concurrency',
      'detach',
      'poll-interval',
      'timeout',
      'output',
      'out',
      'json',
      'quiet',
    ]);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    // A bad --out or --output is refused before anything is sent or paid for.
    if (line.string('out') !== undefined || line.string('output') !== undefined) outputFormatOf(line, 'md');
    const jobId = jobIdArgument(line);
    const { client, job: stored, close } = await openClientForJob(line, io, jobId, { needsProvider: true });
    try {
      const job = await client.resume(jobId, io.signal ? { signal: io.signal } : {});
      if (line.flag('detach') && stored.parts.every((part) => partMode(stored, part) === 'native')) {
        if (line.flag('json')) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
        else io.stdout.write(`Resumed ${jobId}\n${formatStatusLine(job)}\n`);
        return 0;
      }
      const ended = await followJob(client, job, line, io);
      return await printOutcome(client, ended, line, io);
    } finally {
      await close();
    }
  },
};
