import type { LoadedConfig } from '../client/config-file.js';
import { registeredNames } from '../client/provider-registry.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';

export const providerNames = ['openai', 'anthropic', 'gemini', 'mock'] as const;
export type ProviderName = (typeof providerNames)[number];
export const modeNames = ['native', 'emulated'] as const;
export type ModeName = (typeof modeNames)[number];

/** The provider and mode a command runs on, and whether it was picked without being asked for. */
export interface ProviderChoice {
  /** A built-in name, `mock`, or a name a plugin of the config file registered. */
  readonly provider: ProviderName | (string & {});
  readonly mode: ModeName;
  /** The config file read (`--config`, else found from the working directory up), if any. */
  readonly config?: LoadedConfig;
}

/** The model of requests that name none, when `--model` is not given either. */
export const defaultModels: Readonly<Record<ProviderName, string>> = {
  openai: 'gpt-5.4-mini',
  mock: 'gpt-5.4-mini',
  anthropic: 'claude-haiku-4-5',
  gemini: 'gemini-2.5-flash',
};

/**
 * `--provider` when given; for an existing job, the provider it ran on; otherwise the first
 * provider with a key in the environment (OpenAI, then Anthropic, then Gemini), and the built-in local emulator
 * when there is none, announced on stderr so nobody mistakes canned answers for a real model's.
 */
export function chooseProvider(line: CommandLine, io: CliIo, job?: { provider: string; mode: ModeName }, config?: LoadedConfig): ProviderChoice {
  const configured = configuredProvider(config);
  const mode = line.choice('mode', modeNames) ?? job?.mode ?? (configured === undefined ? undefined : config?.config.providers?.[configured]?.mode) ?? config?.config.mode ?? (streamsIntake(line) ? 'emulated' : 'native');
  const choice = chosen(line, io, mode, job, configured, enabledProviders(config));
  return config === undefined ? choice : { ...choice, config };
}

/** The config's provider: its `provider`, else its only enabled one, when the CLI knows it (a built-in or a registered name). */
function configuredProvider(config: LoadedConfig | undefined): string | undefined {
  if (config === undefined) return undefined;
  const enabled = Object.entries(config.config.providers ?? {}).filter(([, provider]) => provider.enabled !== false);
  const name = config.config.provider ?? (enabled.length === 1 ? enabled[0]?.[0] : undefined);
  if (name === undefined) return undefined;
  return (providerNames as readonly string[]).includes(name) || registeredNames().includes(name) ? name : undefined;
}

/** The providers the config file sets up (and does not disable) that the CLI knows. */
function enabledProviders(config: LoadedConfig | undefined): readonly string[] {
  return Object.entries(config?.config.providers ?? {})
    .filter(([name, provider]) => provider.enabled !== false && name !== 'mock' && ((providerNames as readonly string[]).includes(name) || registeredNames().includes(name)))
    .map(([name]) => name);
}

function chosen(
  line: CommandLine,
  io: CliIo,
  mode: ModeName,
  job: { provider: string; mode: ModeName } | undefined,
  configured: string | undefined,
  enabled: readonly string[],
): ProviderChoice {
  // The config's plugins are loaded by now: the names they registered are choices too.
  const asked = line.choice('provider', [...providerNames, ...registeredNames().filter((name) => !(providerNames as readonly string[]).includes(name))]);
  if (asked !== undefined) return { provider: asked, mode };
  if (configured !== undefined && (job === undefined || job.provider.split('+')[0] === configured)) return { provider: configured, mode };
  // An existing job on a provider the config file sets up goes back to that provider (its key
  // variable and base URL come from the file), whatever the environment's default keys say.
  const own = job?.provider.split('+')[0];
  if (own !== undefined && enabled.includes(own)) return { provider: own as ProviderName, mode };
  const hasOpenAIKey = Boolean(io.env['OPENAI_API_KEY']);
  const hasAnthropicKey = Boolean(io.env['ANTHROPIC_API_KEY']);
  const hasGeminiKey = Boolean(io.env['GEMINI_API_KEY']) || Boolean(io.env['GOOGLE_API_KEY']);
  if (job !== undefined) {
    if (job.provider === 'anthropic') return { provider: 'anthropic', mode };
    if (job.provider === 'gemini') return { provider: 'gemini', mode };
    // OpenAI jobs without a key can only have run on the emulator, which speaks the OpenAI wire format.
    return { provider: hasOpenAIKey ? 'openai' : 'mock', mode };
  }
  if (hasOpenAIKey) return { provider: 'openai', mode };
  if (hasAnthropicKey) return { provider: 'anthropic', mode };
  if (hasGeminiKey) return { provider: 'gemini', mode };
  io.stderr.write(
    'llm-batch: no OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY set; using the built-in local emulator (--provider mock, canned answers). ' +
      'Set a key or pass --provider openai|anthropic|gemini to use a real provider.\n',
  );
  return { provider: 'mock', mode };
}

/** `--intake streaming` runs on the sync API: a native batch is uploaded whole. */
function streamsIntake(line: CommandLine): boolean {
  return line.choice('intake', ['checked', 'streaming'] as const) === 'streaming';
}
