import type { BatchProvider } from '../provider/batch-provider.js';
import { failOption } from '../validation/check-options.js';

/** What a registered provider's factory is given: the mode asked for and the connection options. */
export interface ProviderFactoryOptions {
  /** The provider's native batch API, or an emulated batch over its sync API. */
  readonly mode: 'native' | 'emulated';
  /** The key, when one was given (the config file's `apiKeyEnv`, or `createBatchClient({ apiKey })`). */
  readonly apiKey?: string;
  readonly baseURL?: string;
  /** Emulated mode: the most calls in flight. */
  readonly concurrency?: number;
}

/**
 * Builds an adapter for a registered provider name. It may be async (a dynamic `import()` of an
 * SDK, so that nothing loads until the provider is used).
 */
export type ProviderFactory = (options: ProviderFactoryOptions) => BatchProvider | Promise<BatchProvider>;

/** Options of {@link registerProvider}. */
export interface RegisterProviderOptions {
  /** Replace a provider already registered under this name (a built-in one too). @default false */
  readonly replace?: boolean;
}

const namePattern = /^[a-z][a-z0-9_-]{0,63}$/;
const registered = new Map<string, ProviderFactory>();

/**
 * Adds a provider to the registry, so that `createBatchClient({ provider: name })`,
 * `createProvider(name)`, a request's `model: 'name:model-id'`, the config file's `providers` and
 * the CLI's `--provider` know it. Names are lower case (`my-gateway`); a name already taken (the
 * built-in `openai` and `anthropic` included) is refused unless `replace: true`.
 *
 * @example
 * registerProvider('gateway', ({ mode }) =>
 *   mode === 'native' ? openaiBatch({ baseURL: 'https://gateway.example/v1' }) : emulated({ call: openaiChat({ baseURL: 'https://gateway.example/v1' }) }),
 * );
 */
export function registerProvider(name: string, factory: ProviderFactory, options: RegisterProviderOptions = {}): void {
  const where = 'registerProvider()';
  if (typeof name !== 'string' || !namePattern.test(name)) {
    failOption(where, 'name', 'a lower-case name of letters, digits, - and _ (1 to 64 characters, starting with a letter)', name);
  }
  if (name === 'mock') failOption(where, 'name', 'not "mock" (the CLI\'s name for the local emulator)', name);
  if (typeof factory !== 'function') failOption(where, 'factory', 'a function (options) => BatchProvider', factory);
  if (options.replace !== true && (registered.has(name) || builtInNames.has(name))) {
    failOption(where, 'name', `a name not yet registered ("${name}" is; pass { replace: true } to replace it)`, name);
  }
  registered.set(name, factory);
}

/** Removes a provider registered with {@link registerProvider} (built-in ones come back). Returns whether one was. */
export function unregisterProvider(name: string): boolean {
  return registered.delete(name);
}

const builtInNames = new Set<string>();

/** Called by the built-in table of `resolve-provider.ts` so that a registration does not silently shadow it. */
export function declareBuiltInProviders(names: readonly string[]): void {
  for (const name of names) builtInNames.add(name);
}

/** The factory registered under `name`, if a host app registered one (it wins over a built-in one). */
export function registeredFactory(name: string): ProviderFactory | undefined {
  return registered.get(name);
}

/** The names registered by host apps. */
export function registeredNames(): string[] {
  return [...registered.keys()];
}
