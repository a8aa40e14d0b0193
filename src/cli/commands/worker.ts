/**
 * `llm-batch worker`: a worker of a `distributed()` queue in the foreground, until Ctrl-C / SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { CliCommand } from '../cli-command.js';

const workerHelp = `Usage: llm-batch worker --queue <name> [options]

Takes chunks of items from the BullMQ queue that distributed({ queue }) fills and runs them with
the emulated engine over the provider's sync API, until Ctrl-C or SIGTERM (chunks in hand are
finished first). Start as many as you like, on any host, with the same options. Needs the optional
packages ioredis and bullmq. See docs/distributed.md.

Options:
  --queue <name>           the queue (required)
  --redis <url>            redis:// URL (default: $REDIS_URL)
  --provider <name>        openai (chat completions) or anthropic (messages) (default: openai);
                           the key and base URL come from OPENAI_API_KEY / OPENAI_BASE_URL or
                           ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL
  --concurrency <n>        calls at once in this worker (default: 16)
  --rpm <n>                requests per minute of the whole cluster, shared through Redis
  --tpm <n>                tokens per minute of the whole cluster, shared through Redis
  --prefix <prefix>        the runner's key prefix, as given to distributed() (default: llm-batch:distributed)
  --lock-duration <ms>     a killed worker's chunk is retaken after about twice this (default: 30000)
  -h, --help               show this help

Example:
  REDIS_URL=redis://localhost:6379 llm-batch worker --queue nightly --concurrency 32 --rpm 5000
`;

function usage(io: Parameters<CliCommand['run']>[1], message: string): number {
  io.stderr.write(`llm-batch worker: ${message}\nRun "llm-batch worker --help" for the options.\n`);
  return 2;
}

function positive(value: string | undefined, integer: boolean): number | undefined | 'bad' {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) return 'bad';
  return number;
}

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: 'run a worker of a distributed() queue (Redis + BullMQ) until Ctrl-C',
  help: workerHelp,
  async run(argv, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
          queue: { type: 'string' },
          redis: { type: 'string' },
          provider: { type: 'string' },
          concurrency: { type: 'string' },
          rpm: { type: 'string' },
          tpm: { type: 'string' },
          prefix: { type: 'string' },
          'lock-duration': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      return usage(io, (error as Error).message);
    }
    if (values.help) {
      io.stdout.write(workerHelp);
      return 0;
    }
    const problems: string[] = [];
    const redisUrl = values.redis ?? io.env.REDIS_URL;
    if (values.queue === undefined) problems.push('--queue is required');
    if (redisUrl === undefined || redisUrl === '') problems.push('--redis (or REDIS_URL) is required');
    const providerName = values.provider ?? 'openai';
    if (providerName !== 'openai' && providerName !== 'anthropic') problems.push(`--provider expects openai or anthropic, got '${providerName}'`);
    const concurrency = positive(values.concurrency, true);
    if (concurrency === 'bad') problems.push(`--concurrency expects a positive integer, got '${values.concurrency}'`);
    const rpm = positive(values.rpm, false);
    if (rpm === 'bad') problems.push(`--rpm expects a positive number, got '${values.rpm}'`);
    const tpm = positive(values.tpm, false);
    if (tpm === 'bad') problems.push(`--tpm expects a positive number, got '${values.tpm}'`);
    const lockDuration = positive(values['lock-duration'], true);
    if (lockDuration === 'bad') problems.push(`--lock-duration expects a positive integer of milliseconds, got '${values['lock-duration']}'`);
    if (problems.length > 0) return usage(io, problems.join('; '));

    // Loaded only here: the CLI runs without ioredis and bullmq installed until a worker is asked for.
    const { createBatchWorker } = await import('llm-batch/redis');
    const call =
      providerName === 'anthropic'
        ? (await import('../../adapters/anthropic/index.js')).anthropicMessages()
        : (await import('../../adapters/openai/index.js')).openaiChat();
    const worker = await createBatchWorker({
      connection: redisUrl!,
      queue: values.queue!,
      call,
      ...(concurrency === undefined ? {} : { concurrency: concurrency as number }),
      ...(rpm === undefined ? {} : { requestsPerMinute: rpm as number }),
      ...(tpm === undefined ? {} : { tokensPerMinute: tpm as number }),
      ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
      ...(lockDuration === undefined ? {} : { lockDurationMs: lockDuration as number }),
    });
    io.stderr.write(`llm-batch worker: taking chunks from queue "${values.queue}" (${providerName}, ${concurrency ?? 16} calls at once${rpm === undefined ? '' : `, ${rpm} RPM for the cluster`}${tpm === undefined ? '' : `, ${tpm} TPM for the cluster`})\n`);
    await new Promise<void>((resolve) => {
      if (io.signal === undefined) return;
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await worker.close();
    io.stderr.write(`llm-batch worker: stopped after recording ${worker.recorded} result(s)\n`);
    return 0;
  },
};
