import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { exitCodeForJob } from '../exit-codes.js';
import { formatMetadata, formatStatusLine } from '../format-job.js';
import { openClientForJob } from '../open-client.js';
import { jobIdArgument } from './shared.js';
import { isTerminalStatus, partMode, type BatchJob } from '../../models/batch-job.js';
import type { BatchStore } from '../../store/batch-store.js';

const help = `Usage: llm-batch status <job-id> [options]

Refreshes a job from its provider (a job that has ended is read from the store alone) and prints
one line: Status: completed | Total: 250 | Completed: 247 | Failed: 3
A job submitted with --metadata adds a second line: Metadata: team=risk ticket=RISK-42

Options:
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name: provider to ask (default: the job's, by the keys in the environment)
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
    const { client, store, close } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const job = await client.status(jobId, io.signal ? { signal: io.signal } : {});
      if (line.flag('json')) io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      else io.stdout.write(`${formatStatusLine(job)}\n${metadataLine(job.metadata)}`);
      if (job.endedAt === undefined) {
        io.stderr.write(`llm-batch: ${await nextStep(store, job)}\n`);
      }
      return exitCodeForJob(job);
    } finally {
      await close();
    }
  },
};

/** What to do about a job that has not ended: who drives it, or how to carry it on. */
async function nextStep(store: BatchStore, job: BatchJob): Promise<string> {
  if (job.drivenBy) {
    const cancel = job.cancelRequestedAt ? '; a cancel was requested and it will stop the job' : '';
    return `${job.id} is driven by pid ${job.drivenBy.pid} on ${job.drivenBy.host}${cancel}; follow it with "llm-batch wait ${job.id}"`;
  }
  // How far each part's submission got is the store's business, not the client's view.
  const parts = (await store.loadJob(job.id))?.parts ?? [];
  const failed = parts.find((part) => part.status === 'failed' && part.submitState !== 'submitted');
  if (failed) return `part ${failed.id} was not submitted (${failed.error ?? 'the submission failed'})`;
  // An emulated job, or a mixed job whose emulated part has not ended.
  const emulated = job.parts.filter((part) => partMode(job, part) === 'emulated');
  if (emulated.length === job.parts.length || emulated.some((part) => !isTerminalStatus(part.status))) return `no process runs ${job.id} any more; continue it with "llm-batch resume ${job.id}"`;
  if (parts.some((part) => part.submitState !== 'submitted')) return `${job.id} was not fully submitted; submit the rest with "llm-batch resume ${job.id}"`;
  return `${job.id} runs at the provider; follow it with "llm-batch wait ${job.id}"`;
}

function metadataLine(metadata: Readonly<Record<string, string>>): string {
  return Object.keys(metadata).length === 0 ? '' : `Metadata: ${formatMetadata(metadata)}\n`;
}
