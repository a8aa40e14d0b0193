import type { EmulatedOptions } from '../adapters/emulated/emulated-options.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { MockProviderServerOptions } from '../testing/mock-server/options.js';

/** The adapters a client can name by string. */
export type ProviderShorthand = 'openai' | 'anthropic' | 'mock';

/** How a shorthand provider (`'openai'`, `'anthropic'`, `'mock'`) is configured. */
export interface ShorthandOptions {
  /** The provider's key. @default the provider's environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY) */
  readonly apiKey?: string;
  /** The provider's base URL (an OpenAI-compatible server, a gateway). */
  readonly baseURL?: string;
  /** Emulated mode: the most calls in flight. @default emulated()'s default */
  readonly concurrency?: number;
  /** Emulated mode: the rest of `emulated()`'s options (rate limits, retries, middleware ...). */
  readonly emulated?: Omit<EmulatedOptions, 'call' | 'concurrency'>;
  /** `'mock'`: options of the local emulator it starts. */
  readonly mockServer?: MockProviderServerOptions;
}

export interface ResolvedProvider {
  provider: BatchProvider;
  /** Stops what resolving started (the local emulator). */
  close?: () => Promise<void>;
}

type Factory = (mode: 'native' | 'emulated', options: ShorthandOptions & { pollIntervalMs?: number }) => Promise<ResolvedProvider>;

/** The options of an emulated adapter a shorthand builds. */
function emulatedOptions(options: ShorthandOptions): Omit<EmulatedOptions, 'call'> {
  return { ...options.emulated, ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }) };
}

function connection(options: ShorthandOptions): { apiKey?: string; baseURL?: string } {
  return { ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }), ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }) };
}

// Dynamic imports: the root entry never loads a provider SDK unless a shorthand asks for it.
const registry: Record<ProviderShorthand, Factory> = {
  async openai(mode, options) {
    const { openaiBatch, openaiChat } = await import('../adapters/openai/index.js');
    if (mode === 'native') {
      return { provider: openaiBatch({ ...connection(options), ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }) }) };
    }
    const { emulated } = await import('../adapters/emulated/index.js');
    return { provider: emulated({ ...emulatedOptions(options), call: openaiChat(connection(options)) }) };
  },
  async anthropic(mode, options) {
    const { anthropicBatch, anthropicMessages } = await import('../adapters/anthropic/index.js');
    if (mode === 'native') return { provider: anthropicBatch(connection(options)) };
    const { emulated } = await import('../adapters/emulated/index.js');
    return { provider: emulated({ ...emulatedOptions(options), call: anthropicMessages(connection(options)) }) };
  },
  async mock(mode, options) {
    const { createMockProviderServer } = await import('../testing/mock-server/index.js');
    const server = await createMockProviderServer(options.mockServer ?? {});
    try {
      const { provider } = await registry.openai(mode, { ...options, pollIntervalMs: 100, apiKey: 'mock-key', baseURL: `${server.url}/v1` });
      return { provider, close: () => server.close() };
    } catch (error) {
      await server.close();
      throw error;
    }
  },
};

/** Resolves a shorthand to an adapter. */
export async function resolveProvider(name: string, mode: 'native' | 'emulated', options: ShorthandOptions): Promise<ResolvedProvider> {
  const factory = (registry as Record<string, Factory | undefined>)[name];
  if (!factory) {
    throw new TypeError(`createBatchClient: unknown provider ${JSON.stringify(name)}; use "openai", "anthropic", "mock" or an adapter`);
  }
  return factory(mode, options);
}
