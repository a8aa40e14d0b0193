import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { emulated } from '../adapters/emulated/index.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { redactSecrets } from '../errors/redact-secrets.js';
import type { LoadedConfig } from './config-file.js';
import { createProvider } from './resolve-provider.js';
import { registerProvider } from './provider-registry.js';

/**
 * What a plugin's `register` function gets: the library's registry and building blocks, the very
 * copy the CLI (or the client) runs, so a provider registered here is the one `--provider` finds.
 */
export interface LlmBatchPluginApi {
  readonly registerProvider: typeof registerProvider;
  readonly createProvider: typeof createProvider;
  readonly emulated: typeof emulated;
}

/**
 * A plugin module (the config file's `plugins`): it exports a `register` function, called once
 * per process with {@link LlmBatchPluginApi}, which registers providers (it may be async).
 *
 * @example
 * // my-provider.mjs
 * import { openaiChat } from 'llm-batch/openai';
 * export function register({ registerProvider, emulated }) {
 *   registerProvider('mine', ({ apiKey, baseURL, concurrency }) => emulated({ call: openaiChat({ apiKey, baseURL }), concurrency }));
 * }
 */
export interface LlmBatchPlugin {
  register(api: LlmBatchPluginApi): void | Promise<void>;
}

/** Plugins loaded in this process, by resolved path: each registers once, however many configs name it. */
const loaded = new Map<string, Promise<void>>();

/**
 * Loads the config's `plugins` (paths relative to the config file; to the working directory for
 * a config given as an object), in order, each once per process. A plugin that cannot be
 * imported, exports no `register` function, or whose `register` throws is an `LlmBatchError`
 * (`plugin_failed`) naming the plugin's file and the config.
 */
export async function loadPlugins(config: LoadedConfig): Promise<void> {
  const plugins = config.config.plugins ?? [];
  const base = config.path === undefined ? process.cwd() : dirname(config.path);
  for (const [position, plugin] of plugins.entries()) {
    const file = resolve(base, plugin);
    let pending = loaded.get(file);
    if (pending === undefined) {
      pending = loadPlugin(file, `${config.path ?? 'the config'}: plugins.${position} (${plugin})`);
      loaded.set(file, pending);
      // A failed load is not remembered: fixing the file and running again loads it.
      pending.catch(() => loaded.delete(file));
    }
    await pending;
  }
}

async function loadPlugin(file: string, where: string): Promise<void> {
  let module: Partial<LlmBatchPlugin>;
  try {
    module = (await import(pathToFileURL(file).href)) as Partial<LlmBatchPlugin>;
  } catch (error) {
    throw pluginError(`${where}: cannot load ${file}: ${(error as Error).message}`, error);
  }
  if (typeof module.register !== 'function') {
    throw pluginError(`${where}: ${file} exports no register function (a plugin exports register({ registerProvider, createProvider, emulated }))`);
  }
  try {
    await module.register({ registerProvider, createProvider, emulated });
  } catch (error) {
    throw pluginError(`${where}: register() of ${file} failed: ${(error as Error).message}`, error);
  }
}

function pluginError(message: string, cause?: unknown): LlmBatchError {
  return new LlmBatchError(redactSecrets(message), { code: 'plugin_failed', ...(cause === undefined ? {} : { cause }) });
}
