import { isTerminalStatus } from '../../models/batch-job.js';
import type { CliCommand } from '../cli-command.js';
import { CommandLine } from '../command-line.js';
import { formatStatusLine } from '../format-job.js';
import { openClientForJob } from '../open-client.js';
import { jobIdArgument } from './shared.js';
import type { BatchJob } from '../../models/batch-job.js';
import type { BatchStore } from '../../store/batch-store.js';
import { toPublicJob } from '../../client/to-public-job.js';
import { delay } from '../../retry/delay.js';

const acknowledgementWaitMs = 10_000;

function hasEnded(job: BatchJob): boolean {
  return job.endedAt !== undefined;
}

/** Reads the stored job until its driver has stopped it, or the time is up. */
async function awaitAcknowledgement(store: BatchStore, jobId: string, job: BatchJob, waitMs: number, signal: AbortSignal | undefined): Promise<BatchJob> {
  const deadline = Date.now() + waitMs;
  let current = job;
  while (!hasEnded(current) && Date.now() < deadline && !signal?.aborted) {
    await delay(100, { signal }).catch(() => undefined);
    const stored = await store.loadJob(jobId);
    if (stored) current = toPublicJob(stored);
  }
  return { ...current, cancelRequestedAt: current.cancelRequestedAt ?? job.cancelRequestedAt };
}

const help = `Usage: llm-batch cancel <job-id> [options]

Cancels every unfinished part of a job. Results that are already in stay readable with
"llm-batch results"; the rest become cancelled items. When another process drives the job (an
emulated run, or a wait), the cancel is recorded in the store: that process stops scheduling,
aborts its calls in flight and journals the rest as cancelled, and this command waits (up to
--timeout, 10 s by default) to print the outcome.

Options:
  --timeout DURATION                 how long to wait for the driving process to stop (default: 10s)
  --provider NAME                    openai, anthropic, gemini, mock or a config plugin's name: provider to ask (default: the job's, by the keys in the environment)
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
    const line = CommandLine.parse('cancel', argv, ['provider', 'mode', 'json', 'timeout']);
    if (line.help) {
      io.stdout.write(help);
      return 0;
    }
    const jobId = jobIdArgument(line);
    const { client, store, job: stored, close } = await openClientForJob(line, io, jobId, { needsProvider: false });
    try {
      const alreadyEnded = isTerminalStatus(stored.status);
      let job = alreadyEnded ? await client.status(jobId) : await client.cancel(jobId, io.signal ? { signal: io.signal } : {});
      let note = alreadyEnded ? `${jobId} had already ended; nothing to cancel` : hasEnded(job) ? `Cancelled ${jobId}` : `Cancel requested for ${jobId}`;
      if (!alreadyEnded && !hasEnded(job) && job.drivenBy) {
        // Another process drives the job: the request is in the store, and that process stops the job.
        const driver = `pid ${job.drivenBy.pid} on ${job.drivenBy.host}`;
        job = await awaitAcknowledgement(store, jobId, job, line.duration('timeout') ?? acknowledgementWaitMs, io.signal);
        note = hasEnded(job)
          ? `Cancelled ${jobId} (it was stopped by ${driver})`
          : `Cancel requested for ${jobId}: ${driver} stops it at its next check; "llm-batch status ${jobId}" shows when it has`;
      }
      if (line.flag('json')) {
        io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      } else {
        io.stdout.write(`${note}\n${formatStatusLine(job)}\n`);
      }
      return 0;
    } finally {
      await close();
    }
  },
};
