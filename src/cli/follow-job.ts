import type { BatchClient } from '../client/create-batch-client.js';
import { isAbortError } from '../errors/abort-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { partMode, type BatchJob } from '../models/batch-job.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { createProgressReporter } from './progress-reporter.js';
import { UsageError } from './usage-error.js';

/**
 * Waits for a job to end, showing progress on stderr (a bar on a terminal, plain lines otherwise;
 * nothing with `--quiet`). On Ctrl-C or `--timeout` it says what became of the job and how to pick
 * it up again, and rethrows. The caller's `client.close()` then stops an emulated run of this process.
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
    reporter?.finish();
    const timedOut = LlmBatchError.isInstance(error) && error.code === 'wait_timeout';
    if (isAbortError(error) || timedOut) {
      const why = timedOut ? `stopped waiting for ${job.id} after ${line.string('timeout')}` : `stopped ${job.id}`;
      const next =
        job.parts.some((part) => partMode(job, part) === 'emulated')
          ? `its emulated run stops with this process (calls in flight are abandoned; every finished result is kept); continue it with "llm-batch resume ${job.id}"`
          : `it keeps running at the provider; follow it with "llm-batch wait ${job.id}"`;
      io.stderr.write(`llm-batch: ${why}: ${next}\n`);
    }
    if (LlmBatchError.isInstance(error) && error.code === 'job_interrupted') {
      const advice = /; call resume\("[^"]*"\)( to continue it)?$/;
      const message = advice.test(error.message) ? `${error.message.replace(advice, '')}; continue it with "llm-batch resume ${job.id}"` : error.message;
      throw new UsageError(message, line.command);
    }
    throw error;
  } finally {
    reporter?.finish();
  }
}
