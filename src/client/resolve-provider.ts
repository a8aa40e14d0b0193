import type { BatchProvider } from '../provider/batch-provider.js';

/** The adapters a client can name by string. */
export type ProviderShorthand = 'openai' | 'anthropic' | 'mock';

export interface ResolvedProvider {
  provider: BatchProvider;
  /** Stops what resolving started (the local emulator). */
  close?: () => Promise<void>;
}

type Factory = (mode: 'native' | 'emulated', options: Record<string, unknown>) => Promise<ResolvedProvider>;

// Dynamic imports: the root entry never loads a provider SDK unless a shorthand asks for it.
const registry: Record<ProviderShorthand, Factory> = {
  async openai(mode, options) {
    const { openaiBatch, openaiChat } = await import('../adapters/openai/index.js');
    if (mode === 'native') return { provider: openaiBatch(options) };
    const { emulated } = await import('../adapters/emulated/index.js');
    return { provider: emulated({ ...options, call: openaiChat(options) }) };
  },
  async anthropic(mode, options) {
    const { anthropicBatch, anthropicMessages } = await import('../adapters/anthropic/index.js');
    if (mode === 'native') return { provider: anthropicBatch(options) };
    const { emulated } = await import('../adapters/emulated/index.js');
    return { provider: emulated({ ...options, call: anthropicMessages(options) }) };
  },
  async mock(mode, options) {
    const { createMockProviderServer } = await import('../testing/mock-server/index.js');
    const server = await createMockProviderServer(
      (options.mockServer as Parameters<typeof createMockProviderServer>[0] | undefined) ?? {},
    );
    const connection = { ...options, apiKey: 'mock-key', baseURL: `${server.url}/v1` };
    try {
      const { provider } = await registry.openai(mode, { pollIntervalMs: 100, ...connection });
      return { provider, close: () => server.close() };
    } catch (error) {
      await server.close();
      throw error;
    }
  },
};

/** Resolves a shorthand to an adapter. */
export async function resolveProvider(
  name: string,
  mode: 'native' | 'emulated',
  options: Record<string, unknown>,
): Promise<ResolvedProvider> {
  const factory = (registry as Record<string, Factory | undefined>)[name];
  if (!factory) {
    throw new TypeError(`createBatchClient: unknown provider ${JSON.stringify(name)}; use "openai", "anthropic", "mock" or an adapter`);
  }
  return factory(mode, options);
}
