import { failOption } from '../validation/check-options.js';
import type { EmulatedOptions } from '../adapters/emulated/emulated-options.js';
import type { BatchProvider } from '../provider/batch-provider.js';

/** The adapters a client can name by string. The local emulator is `createMockBatchProvider()` of `llm-batch/testing`. */
export type ProviderShorthand = 'openai' | 'anthropic';

const providerShorthands: readonly string[] = ['openai', 'anthropic'] satisfies ProviderShorthand[];

/** How a shorthand provider (`'openai'`, `'anthropic'`) is configured. */
export interface ShorthandOptions {
  /** The provider's key. @default the provider's environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY) */
  readonly apiKey?: string;
  /** The provider's base URL (an OpenAI-compatible server, a gateway). */
  readonly baseURL?: string;
  /** Emulated mode: the most calls in flight. @default emulated()'s default */
  readonly concurrency?: number;
  /** Emulated mode: the rest of `emulated()`'s options (rate limits, retries, middleware ...). */
  readonly emulated?: Omit<EmulatedOptions, 'call' | 'concurrency'>;
}

type Factory = (mode: 'native' | 'emulated', options: ShorthandOptions) => Promise<BatchProvider>;

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
    if (mode === 'native') return openaiBatch(connection(options));
    const { emulated } = await import('../adapters/emulated/index.js');
    return emulated({ ...emulatedOptions(options), call: openaiChat(connection(options)) });
  },
  async anthropic(mode, options) {
    const { anthropicBatch, anthropicMessages } = await import('../adapters/anthropic/index.js');
    if (mode === 'native') return anthropicBatch(connection(options));
    const { emulated } = await import('../adapters/emulated/index.js');
    return emulated({ ...emulatedOptions(options), call: anthropicMessages(connection(options)) });
  },
};

/** Refuses a provider string that is not a shorthand, naming the ones there are. */
export function assertProviderShorthand(name: string): asserts name is ProviderShorthand {
  if (providerShorthands.includes(name)) return;
  const emulator = name === 'mock' ? ' (the local emulator is createMockBatchProvider() of llm-batch/testing)' : '';
  failOption('createBatchClient()', 'provider', `"openai", "anthropic" or an adapter${emulator}`, name);
}

/** Resolves a shorthand to an adapter. */
export async function resolveProvider(name: string, mode: 'native' | 'emulated', options: ShorthandOptions): Promise<BatchProvider> {
  assertProviderShorthand(name);
  return registry[name](mode, options);
}
