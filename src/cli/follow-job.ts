import type { BatchClient } from '../client/create-batch-client.js';
import { isAbortError } from '../errors/abort-error.js';
import type { BatchJob } from '../models/batch-job.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { createProgressReporter } from './progress-reporter.js';

/**
 * Waits for a job to end, showing progress on stderr (a bar on a terminal, plain lines otherwise;
 * nothing with `--quiet`). On Ctrl-C it says how to pick the job up again and rethrows.
 */
export async function followJob(client: BatchClient, job: BatchJob, line: CommandLine, io: CliIo): Promise<BatchJob> {
  const reporter = line.flag('quiet') ? undefined : createProgressReporter({ output: io.stderr });
  const timeoutMs = line.duration('timeout');
  try {
    return await client.wait(job.id, {
      ...(reporter ? { onProgress: (current: BatchJob) => reporter.update(current) } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } catch (error) {
    if (isAbortError(error)) {
      reporter?.finish();
      const next =
        job.mode === 'emulated'
          ? `its emulated run stopped with this process; continue it with "llm-batch resume ${job.id}"`
          : `it keeps running at the provider; follow it with "llm-batch wait ${job.id}"`;
      io.stderr.write(`llm-batch: stopped waiting for ${job.id}: ${next}\n`);
    }
    throw error;
  } finally {
    reporter?.finish();
  }
}
