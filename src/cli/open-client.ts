import { dirname, resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../client/config-file.js';
import { loadPlugins } from '../client/load-plugins.js';
import { createBatchClient, type BatchClient } from '../client/create-batch-client.js';
import { JobNotFoundError } from '../errors/job-not-found-error.js';
import { isTerminalStatus, type BatchJob } from '../models/batch-job.js';
import type { BatchStore } from '../store/batch-store.js';
import { fileStore } from '../store/file-store.js';
import { createMockBatchProvider } from '../testing/mock-batch-provider.js';
import { chooseProvider, type ProviderChoice } from './choose-provider.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { storedJobProvider } from './stored-job-provider.js';
import { UsageError } from './usage-error.js';
import { loggerFromEnv } from '../client/logger.js';
import type { Logger } from '../client/client-observers.js';

/** A client opened for a command, with what it runs on. */
export interface OpenedClient {
  readonly client: BatchClient;
  readonly store: BatchStore;
  /** Undefined when the job is read from the store only. */
  readonly choice: ProviderChoice | undefined;
  /** Closes the client, then stops the local emulator that `--provider mock` started. */
  close(): Promise<void>;
}

/** `--store DIR`, else `LLM_BATCH_DIR`, else the config file's `store` (relative to it), else `./.llm-batch`. */
export function openStore(line: CommandLine, io: CliIo, config?: LoadedConfig): BatchStore {
  const configured = config?.config.store === undefined ? undefined : resolve(config.path === undefined ? '.' : dirname(config.path), config.config.store);
  return fileStore({ dir: line.string('store') ?? io.env['LLM_BATCH_DIR'] ?? configured ?? '.llm-batch' });
}

/** The config file: `--config FILE`, else the first llm-batch.config.json / .yaml / .yml from the working directory up. */
export async function readCliConfig(line: CommandLine): Promise<LoadedConfig> {
  const config = await loadConfig(line.string('config'));
  // Its plugins register their providers before any --provider is looked up.
  await loadPlugins(config);
  return config;
}

/** A client on the provider the flags and the environment choose, for a new job. */
export async function openClientForNewJob(line: CommandLine, io: CliIo): Promise<OpenedClient> {
  const config = await readCliConfig(line);
  const store = openStore(line, io, config);
  const choice = chooseProvider(line, io, undefined, config);
  return { ...(await createClient(line, store, choice, io)), store, choice };
}

/**
 * A client for an existing job. A job whose results are all stored is read from the store alone
 * (no key, no network) unless `needsProvider`; otherwise the job's own provider is used.
 */
export async function openClientForJob(
  line: CommandLine,
  io: CliIo,
  jobId: string,
  options: { needsProvider: boolean },
): Promise<OpenedClient & { job: BatchJob }> {
  const config = await readCliConfig(line);
  const store = openStore(line, io, config);
  const job = await store.loadJob(jobId);
  if (!job) throw new JobNotFoundError(jobId);
  const finished = isTerminalStatus(job.status) && job.parts.every((part) => part.resultsStored);
  if (finished && !options.needsProvider) {
    const client = createBatchClient({ provider: storedJobProvider(job), store });
    return { client, close: () => client.close(), store, choice: undefined, job };
  }
  const choice = chooseProvider(line, io, job, config);
  if (choice.provider === 'mock' && job.mode === 'native' && !isTerminalStatus(job.status)) {
    // The emulator's batches live in the memory of the process that created them.
    throw new UsageError(
      `job ${jobId} is ${job.status} on a local emulator that lived only in the process that submitted it; ` +
        'the emulator is per-process, so this job cannot be followed from here. ' +
        'Use `llm-batch run FILE` (submit and wait in one process) with the emulator, or a real provider.',
    );
  }
  return { ...(await createClient(line, store, choice, io)), store, choice, job };
}

async function createClient(line: CommandLine, store: BatchStore, choice: ProviderChoice, io: CliIo): Promise<Pick<OpenedClient, 'client' | 'close'>> {
  const logging = cliLogger(io);
  const pollIntervalMs = line.duration('poll-interval');
  const concurrency = line.positiveInteger('concurrency');
  // An interval asked for is kept, not stretched by the backoff of native polling.
  const polling = pollIntervalMs === undefined ? {} : { pollIntervalMs, maxPollIntervalMs: pollIntervalMs };
  // Concurrency is the emulated adapter's; native batches run at the provider's pace.
  const emulatedConcurrency = concurrency !== undefined && choice.mode === 'emulated' ? { concurrency } : {};
  if (choice.provider === 'mock') {
    // The local emulator runs inside this process for as long as the command does.
    const mock = await createMockBatchProvider({ mode: choice.mode, ...(choice.mode === 'emulated' ? { emulated: emulatedConcurrency } : {}) });
    const client = createBatchClient({ provider: mock.provider, store, ...polling, ...configOf(choice), ...logging });
    return {
      client,
      close: async () => {
        try {
          await client.close();
        } finally {
          await mock.close();
        }
      },
    };
  }
  const client = createBatchClient({ provider: choice.provider, mode: choice.mode, store, ...polling, ...emulatedConcurrency, ...configOf(choice), ...logging });
  return { client, close: () => client.close() };
}

/** The config file's settings for the client (models' caps and prices, other providers, defaults). */
function configOf(choice: ProviderChoice): { config?: LoadedConfig } {
  return choice.config === undefined || Object.keys(choice.config.config).length === 0 ? {} : { config: choice.config };
}

/** `LLM_BATCH_LOG=debug` (or info, warn, error): the library's decisions, logged to standard error. */
function cliLogger(io: CliIo): { logger?: Logger } {
  try {
    const logger = loggerFromEnv(io.env['LLM_BATCH_LOG'], (text) => io.stderr.write(text));
    return logger === undefined ? {} : { logger };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
