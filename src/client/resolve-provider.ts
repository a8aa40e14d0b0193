import { failOption } from '../validation/check-options.js';
import type { EmulatedOptions } from '../adapters/emulated/emulated-options.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { declareBuiltInProviders, registeredFactory, registeredNames, type ProviderFactoryOptions } from './provider-registry.js';

/** The adapters a client can name by string. The local emulator is `createMockBatchProvider()` of `llm-batch/testing`. */
export type ProviderShorthand = 'openai' | 'anthropic' | 'gemini';

const providerShorthands: readonly string[] = ['openai', 'anthropic', 'gemini'] satisfies ProviderShorthand[];

/** How a shorthand provider (`'openai'`, `'anthropic'`, `'gemini'`) is configured. */
export interface ShorthandOptions {
  /** The provider's key. @default the provider's environment variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY) */
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
  async gemini(mode, options) {
    const { geminiBatch, geminiGenerate } = await import('../adapters/gemini/index.js');
    if (mode === 'native') return geminiBatch(connection(options));
    const { emulated } = await import('../adapters/emulated/index.js');
    return emulated({ ...emulatedOptions(options), call: geminiGenerate(connection(options)) });
  },
};

declareBuiltInProviders(Object.keys(registry));

/** Every provider name known now: the built-in shorthands and those registered with `registerProvider`. */
export function knownProviderNames(): string[] {
  return [...new Set([...providerShorthands, ...registeredNames()])];
}

/** True when `name` is a built-in shorthand or a registered provider. */
export function isKnownProvider(name: string): boolean {
  return providerShorthands.includes(name) || registeredFactory(name) !== undefined;
}

/** Refuses a provider string that is neither a shorthand nor registered, naming the ones there are. */
export function assertProviderShorthand(name: string, where = 'createBatchClient()'): asserts name is ProviderShorthand {
  if (isKnownProvider(name)) return;
  const emulator = name === 'mock' ? ' (the local emulator is createMockBatchProvider() of llm-batch/testing)' : '';
  const names = knownProviderNames().map((known) => `"${known}"`);
  failOption(where, 'provider', `one of ${names.join(', ')} (or a name given to registerProvider() first), or an adapter${emulator}`, name);
}

/** Resolves a shorthand, or a name registered with `registerProvider` (which wins), to an adapter. */
export async function resolveProvider(name: string, mode: 'native' | 'emulated', options: ShorthandOptions): Promise<BatchProvider> {
  const custom = registeredFactory(name);
  if (custom) {
    const { emulated: _emulated, ...connection } = options;
    const adapter = await custom({ ...connection, mode });
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.submit !== 'function') {
      failOption('createProvider()', name, 'a factory that returns a BatchProvider', adapter);
    }
    return adapter;
  }
  assertProviderShorthand(name);
  return registry[name](mode, options);
}

/**
 * An adapter from the registry by name: a built-in shorthand (`'openai'`, `'anthropic'`) or a
 * provider a host app registered with `registerProvider`.
 *
 * @example
 * const provider = await createProvider('anthropic', { mode: 'emulated', concurrency: 8 });
 * const client = createBatchClient({ provider });
 */
export async function createProvider(name: string, options: Partial<ProviderFactoryOptions> & Pick<ShorthandOptions, 'emulated'> = {}): Promise<BatchProvider> {
  const { mode = 'native', ...rest } = options;
  if (mode !== 'native' && mode !== 'emulated') failOption('createProvider()', 'mode', '"native" or "emulated"', mode);
  assertProviderShorthand(name, 'createProvider()');
  return resolveProvider(name, mode, rest);
}

/**
 * A model that names its provider (`'anthropic:claude-haiku-4-5'`) split in two. Only a known
 * provider name counts as a prefix: OpenAI's fine-tuned ids (`ft:gpt-4o:org:...`) stay whole.
 */
export function splitProviderModel(model: string): { provider: string; model: string } | undefined {
  const colon = model.indexOf(':');
  if (colon <= 0) return undefined;
  const provider = model.slice(0, colon);
  if (!isKnownProvider(provider)) return undefined;
  return { provider, model: model.slice(colon + 1) };
}
