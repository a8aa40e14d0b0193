import { LlmBatchError } from '../errors/llm-batch-error.js';
import { partMode, type JobManifest, type JobMode, type PartManifest } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchProvider } from '../provider/batch-provider.js';
import type { StoredRequest } from '../store/batch-store.js';
import type { ConfigSettings } from './apply-config.js';
import type { PartRoute } from './plan-job.js';
import { resolveProvider, splitProviderModel } from './resolve-provider.js';

/**
 * The adapters of a client's parts: the client's own provider, and the providers that requests
 * name in their model (`anthropic:claude-...`), built from the registry with the config file's
 * settings, once each. A part with no `provider` (every part of a job made before mixed jobs)
 * runs on the client's provider.
 */
export class PartProviders {
  readonly #named = new Map<string, Promise<BatchProvider>>();

  constructor(
    private readonly main: () => Promise<BatchProvider>,
    private readonly settings: ConfigSettings | undefined,
  ) {}

  /** The adapter of one part of `job`, in the part's mode (stored with it: a resume keeps it). */
  forPart(job: JobManifest, part: PartManifest): Promise<BatchProvider> {
    return part.provider === undefined ? this.main() : this.named(part.provider, partMode(job, part));
  }

  /**
   * The mode of another provider's parts: the mode the config sets for that provider
   * (`providers.<name>.mode`), else the client's.
   */
  modeOf(name: string, clientMode: JobMode): JobMode {
    return this.settings?.provider(name)?.mode ?? clientMode;
  }

  /** The adapter registered as `name`, in `mode`, configured by the config file. */
  named(name: string, mode: 'native' | 'emulated'): Promise<BatchProvider> {
    const key = `${name}:${mode}`;
    let provider = this.#named.get(key);
    if (!provider) {
      this.settings?.assertEnabled(name);
      provider = resolveProvider(name, mode, this.settings?.connection(name) ?? {});
      provider.catch(() => this.#named.delete(key));
      this.#named.set(key, provider);
    }
    return provider;
  }

  /**
   * Where the planner puts a request: a model that names a provider other than the client's
   * goes to a part of that provider (the prefix taken off); a `maxRequestsPerPart` of the config
   * file caps the parts of its model.
   */
  async route(request: BatchRequest): Promise<PartRoute> {
    const main = await this.main();
    const split = request.model === undefined ? undefined : splitProviderModel(request.model);
    const model = split?.model ?? request.model;
    const elsewhere = split !== undefined && split.provider !== main.name;
    const mode = elsewhere ? this.modeOf(split.provider, main.mode) : main.mode;
    const provider = elsewhere ? await this.named(split.provider, mode) : main;
    const cap = model === undefined ? undefined : this.settings?.maxRequestsPerPart(model);
    return {
      ...(elsewhere ? { provider: split.provider } : {}),
      ...(mode === main.mode ? {} : { mode }),
      request: split === undefined ? request : { ...request, model: split.model },
      limits: provider.limits,
      ...(cap === undefined ? {} : { maxRequests: cap }),
    };
  }
}

/** What a dry run needs to plan as `submit` does: the route, and each part's adapter for its preview. */
export function dryRunRouting(parts: PartProviders, mode: () => Promise<'native' | 'emulated'>): { route: PartProviders['route']; providerOf: (name: string) => Promise<BatchProvider> } {
  return { route: (request) => parts.route(request), providerOf: async (name) => parts.named(name, parts.modeOf(name, await mode())) };
}

/** The provider names of a job's parts, for `job.provider`: the client's first, then the others. */
export function jobProviderName(mainName: string, parts: readonly { provider?: string }[]): string {
  const names = new Set(parts.map((part) => part.provider ?? mainName));
  if (names.size === 1) return [...names][0] ?? mainName;
  return [...names].sort((a, b) => (a === mainName ? -1 : b === mainName ? 1 : a.localeCompare(b))).join('+');
}

/** True when a job runs on more than the client's provider: its parts carry their providers. */
export function isMixedJob(job: JobManifest): boolean {
  return job.parts.some((part) => part.provider !== undefined);
}

/** A part's stored requests as they were given, their models prefixed again with the part's provider (for `retry`). */
export async function* asSubmitted(requests: AsyncIterable<StoredRequest>, part: PartManifest): AsyncGenerator<StoredRequest> {
  for await (const stored of requests) {
    const model = stored.request.model;
    yield part.provider === undefined || model === undefined ? stored : { ...stored, request: { ...stored.request, model: `${part.provider}:${model}` } };
  }
}

/** Refuses a provider the config file disabled. */
export function disabledProviderError(name: string, where: string): LlmBatchError {
  return new LlmBatchError(`Provider "${name}" is disabled in ${where} (providers.${name}.enabled: false)`, { code: 'provider_disabled' });
}
