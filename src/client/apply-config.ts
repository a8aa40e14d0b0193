import { dirname, resolve } from 'node:path';
import type { PricingOverride } from '../cost/load-pricing.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { registerSecret } from '../errors/redact-secrets.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import { fileStore } from '../store/file-store.js';
import { failOption } from '../validation/check-options.js';
import { knownOptionKeys, type BatchClientOptions, type SubmitOptions } from './batch-client-options.js';
import { checkConfig, loadConfig, type LlmBatchConfig, type LoadedConfig, type ProviderConfig } from './config-file.js';
import { disabledProviderError } from './part-providers.js';
import { loadPlugins } from './load-plugins.js';
import { resolveProvider, type ShorthandOptions } from './resolve-provider.js';

/** The key variable of each built-in provider, when the config names none. */
const defaultKeyVariables: Readonly<Record<string, string>> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', gemini: 'GEMINI_API_KEY' };

/** What a client keeps of its config: the providers' settings, the per-model caps and prices. */
export class ConfigSettings {
  readonly config: LlmBatchConfig;
  readonly path: string | undefined;

  constructor(
    loaded: LoadedConfig,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {
    this.config = loaded.config;
    this.path = loaded.path;
  }

  /** How errors name the config: its file, or "the config". */
  get where(): string {
    return this.path ?? 'the config';
  }

  provider(name: string): ProviderConfig | undefined {
    return this.config.providers?.[name];
  }

  assertEnabled(name: string): void {
    if (this.provider(name)?.enabled === false) throw disabledProviderError(name, this.where);
  }

  /** A provider's connection: the key from the variable the config names (never from the file), its base URL and concurrency. */
  connection(name: string): ShorthandOptions {
    const settings = this.provider(name);
    const variable = settings?.apiKeyEnv ?? defaultKeyVariables[name];
    const apiKey = variable === undefined ? undefined : this.env[variable];
    // A variable the file names must be set: falling back to the SDK's own variable would use another key.
    if (settings?.apiKeyEnv !== undefined && !apiKey) {
      throw new LlmBatchError(`${this.where}: providers.${name}.apiKeyEnv names ${settings.apiKeyEnv}, which is not set in the environment`, {
        code: 'api_key_variable_unset',
      });
    }
    // Redacted wherever it might surface, whichever adapter (a registered one too) it is handed to.
    if (apiKey) registerSecret(apiKey);
    return {
      ...(apiKey ? { apiKey } : {}),
      ...(settings?.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
      ...(settings?.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
    };
  }

  /** The mode a provider runs in: its own, else the file's. */
  mode(name: string): 'native' | 'emulated' | undefined {
    return this.provider(name)?.mode ?? this.config.mode;
  }

  maxRequestsPerPart(model: string): number | undefined {
    return this.config.models?.[model]?.maxRequestsPerPart;
  }

  /** The submit options the config fills in: the default model and the models' prices. */
  submitDefaults<T extends SubmitOptions>(options: T): T {
    const prices = Object.entries(this.config.models ?? {}).filter(([, model]) => model.price !== undefined);
    const model = options.model ?? this.config.defaults?.model;
    const pricing: PricingOverride | undefined =
      prices.length === 0 ? undefined : { models: Object.fromEntries(prices.map(([id, model]) => [id, model.price!])), source: this.where };
    return {
      ...options,
      ...(model === undefined ? {} : { model }),
      ...(options.pricing === undefined && pricing !== undefined ? { pricing } : {}),
    };
  }
}

/**
 * What a client must do before it can be made, as a loader of its config: read the config file
 * (`config: 'path/to/llm-batch.config.yaml'`, relative to the working directory now; `config: true`:
 * found from the working directory up, as the CLI finds it) and load the config's `plugins`.
 * Undefined when there is nothing to wait for (no config, or an object without plugins). A config
 * object is checked here, at once.
 */
export function configToPrepare(options: BatchClientOptions): (() => Promise<LoadedConfig>) | undefined {
  const given: unknown = options.config;
  const withPlugins = async (loaded: LoadedConfig): Promise<LoadedConfig> => {
    await loadPlugins(loaded);
    return loaded;
  };
  if (given === true) {
    const cwd = process.cwd();
    return async () => withPlugins(await loadConfig(undefined, { cwd }));
  }
  if (typeof given === 'string') {
    if (given === '') failOption('createBatchClient()', 'config', 'a config file path, true, a config object, or what loadConfig() returns', given);
    const path = resolve(given);
    return async () => withPlugins(await loadConfig(path));
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return undefined;
  const loaded = asLoaded(given);
  if (loaded.config.plugins === undefined || loaded.config.plugins.length === 0) return undefined;
  const checked = { ...loaded, config: checkConfig(loaded.config, loaded.path ?? 'createBatchClient(): config') };
  return () => withPlugins(checked);
}

/** A config object as `loadConfig()` returns it (`{ config, path }`), or the settings alone. */
function asLoaded(given: object): LoadedConfig {
  return 'config' in given ? (given as LoadedConfig) : { config: given as LlmBatchConfig };
}

/**
 * `createBatchClient`'s options with its `config` spread into them: the provider (the option, else
 * the config's `provider`, else its only enabled provider), its mode and connection, the store
 * folder (relative to the file), the poll intervals and the request defaults. What is given as an
 * option wins over the config.
 */
export function expandConfig(
  options: BatchClientOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { options: BatchClientOptions; settings?: ConfigSettings } {
  if (options.config === undefined) return { options };
  const given: unknown = options.config;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    failOption('createBatchClient()', 'config', 'a config file path, true, a config object, or what loadConfig() returns', given);
  }
  const loaded = asLoaded(given);
  const settings = new ConfigSettings({ ...loaded, config: checkConfig(loaded.config, loaded.path ?? 'createBatchClient(): config') }, env);
  const config = settings.config;
  const { config: _config, ...rest } = options;
  const enabled = Object.entries(config.providers ?? {}).filter(([, provider]) => provider.enabled !== false);
  const provider = options.provider ?? config.provider ?? (enabled.length === 1 ? enabled[0]?.[0] : undefined);
  if (provider === undefined) {
    failOption('createBatchClient()', 'provider', 'given, or set as "provider" in the config (it enables several providers and names none)', undefined);
  }
  const expanded: Record<string, unknown> = { ...rest, provider };
  if (typeof provider === 'string') {
    settings.assertEnabled(provider);
    const mode = options.mode ?? settings.mode(provider);
    if (mode !== undefined) expanded['mode'] = mode;
    for (const [key, value] of Object.entries(settings.connection(provider))) expanded[key] ??= value;
  }
  if (options.store === undefined && config.store !== undefined) {
    const base = loaded.path === undefined ? process.cwd() : dirname(loaded.path);
    expanded['store'] = fileStore({ dir: resolve(base, config.store) });
  }
  if (config.pollIntervalMs !== undefined) expanded['pollIntervalMs'] ??= config.pollIntervalMs;
  if (config.maxPollIntervalMs !== undefined) expanded['maxPollIntervalMs'] ??= config.maxPollIntervalMs;
  // The request defaults, where the client takes them (`createBatchClient({ defaults })`).
  if (config.defaults !== undefined && expanded['defaults'] === undefined && (knownOptionKeys.createBatchClient as readonly string[]).includes('defaults')) {
    expanded['defaults'] = { ...config.defaults };
  }
  return { options: expanded as unknown as BatchClientOptions, settings };
}

/** The client's own adapter, resolved once on first use (a shorthand or registered name by the registry). */
export function mainProvider(options: BatchClientOptions): () => Promise<BatchProvider> {
  let resolved: Promise<BatchProvider> | undefined;
  return () => {
    resolved ??= (async () => {
      const { provider, mode, apiKey, baseURL, concurrency, emulated } = options;
      if (typeof provider !== 'string') return provider as BatchProvider;
      const shorthand = { apiKey, baseURL, concurrency, emulated };
      const defined = Object.fromEntries(Object.entries(shorthand).filter(([, value]) => value !== undefined));
      return resolveProvider(provider, mode ?? 'native', defined);
    })();
    return resolved;
  };
}
