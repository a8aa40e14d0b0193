import type { EmulatedOptions } from '../adapters/emulated/emulated-options.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { checkOptionKeys, failOption, optionNames } from '../validation/check-options.js';
import { createMockProviderServer } from './mock-server/index.js';
import type { MockProviderServer, MockProviderServerOptions } from './mock-server/options.js';

/** Options of {@link createMockBatchProvider}. */
export interface MockBatchProviderOptions {
  /**
   * `'native'`: the OpenAI batch adapter against the emulator's batch API. `'emulated'`: the
   * emulated adapter calling the emulator's Chat Completions endpoint.
   * @default 'native'
   */
  readonly mode?: 'native' | 'emulated';
  /** Options of the emulator it starts: latency, faults, rate limits, batch timings, answers ... */
  readonly server?: MockProviderServerOptions;
  /**
   * Emulated mode only: `emulated()`'s options but `call` (concurrency, retries, rate limits, middleware ...).
   * @example createMockBatchProvider({ mode: 'emulated', emulated: { concurrency: 32 } })
   */
  readonly emulated?: Omit<EmulatedOptions, 'call'>;
  /** Native mode only: the adapter's poll interval. @default 100 */
  readonly pollIntervalMs?: number;
}

/** An adapter wired to a local emulator that it started; `close()` stops the emulator. */
export interface MockBatchProvider {
  /** Pass it to `createBatchClient({ provider })`. Its name is `'openai'`: it speaks the OpenAI wire format. */
  readonly provider: BatchProvider;
  /** The emulator behind it: its journal, stats and batch clock. */
  readonly server: MockProviderServer;
  /** Stops the emulator. Close the client first, so that no call is left in flight. */
  close(): Promise<void>;
}

const where = 'createMockBatchProvider()';
const mockBatchProviderOptionNames = optionNames<MockBatchProviderOptions>({ mode: true, server: true, emulated: true, pollIntervalMs: true });

/**
 * Starts the local provider emulator and returns an OpenAI adapter wired to it, for tests,
 * examples and demos that need a real HTTP provider and no key. The emulator lives in this
 * process: close it when done.
 *
 * @example
 * import { createBatchClient, memoryStore } from 'llm-batch';
 * import { createMockBatchProvider } from 'llm-batch/testing';
 *
 * const mock = await createMockBatchProvider({ mode: 'emulated', emulated: { concurrency: 8 } });
 * const client = createBatchClient({ provider: mock.provider, store: memoryStore() });
 * try {
 *   const job = await client.run([{ id: 'a', model: 'gpt-5-mini', messages: [{ role: 'user', content: 'Hi' }] }]);
 * } finally {
 *   await client.close();
 *   await mock.close();
 * }
 */
export async function createMockBatchProvider(options: MockBatchProviderOptions = {}): Promise<MockBatchProvider> {
  checkOptionKeys(where, options, mockBatchProviderOptionNames);
  const mode = options.mode ?? 'native';
  if (mode !== 'native' && mode !== 'emulated') failOption(where, 'mode', '"native" or "emulated"', options.mode);
  if (mode === 'native' && options.emulated !== undefined) failOption(where, 'emulated', 'left out unless mode is "emulated"', options.emulated);
  if (mode === 'emulated' && options.pollIntervalMs !== undefined) {
    failOption(where, 'pollIntervalMs', 'left out when mode is "emulated"', options.pollIntervalMs);
  }
  const server = await createMockProviderServer(options.server ?? {});
  try {
    // The emulator takes any non-empty key, or the first of the keys it was told to accept.
    const connection = { apiKey: options.server?.apiKeys?.[0] ?? 'mock-key', baseURL: `${server.url}/v1` };
    // Dynamic imports: llm-batch/testing loads the OpenAI SDK only when this is called.
    const { openaiBatch, openaiChat } = await import('../adapters/openai/index.js');
    let provider: BatchProvider;
    if (mode === 'native') {
      provider = openaiBatch({ ...connection, pollIntervalMs: options.pollIntervalMs ?? 100 });
    } else {
      const { emulated } = await import('../adapters/emulated/index.js');
      provider = emulated({ ...options.emulated, call: openaiChat(connection) });
    }
    return { provider, server, close: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}
