import Anthropic from '@anthropic-ai/sdk';
import { registerSecret } from '../../errors/redact-secrets.js';
import type { FetchFunction } from '../../http/keep-alive-fetch.js';
import { resolveApiKey } from '../../validation/check-connection-options.js';
import { failOption, optionNames } from '../../validation/check-options.js';

/** How to reach Anthropic: an API key and base URL, or a ready client. */
export interface AnthropicClientOptions {
  /**
   * The API key. Never logged, stored or put into errors.
   * @default process.env.ANTHROPIC_API_KEY
   */
  readonly apiKey?: string;
  /**
   * The API base URL (a proxy, a gateway, or the local emulator).
   * @default the SDK's default (`https://api.anthropic.com`, or `ANTHROPIC_BASE_URL`)
   */
  readonly baseURL?: string;
  /**
   * An `@anthropic-ai/sdk` client to use as given (custom fetch, headers, auth). When set, `apiKey`
   * and `baseURL` are ignored. Its own retries are left alone, except for batch creation, which is
   * always sent with `maxRetries: 0` so that a batch is never paid for twice.
   */
  readonly client?: Anthropic;
}

/** The names of {@link AnthropicClientOptions}, for the adapters' unknown-key checks. */
export const anthropicClientOptionNames = optionNames<AnthropicClientOptions>({ apiKey: true, baseURL: true, client: true });

/**
 * Returns the user's client, or a new one with `maxRetries: 0` (this library runs the only retry
 * loop), with `transport` as its `fetch` when given. Throws at once when there is no API key, naming where one is expected but never the key.
 */
export function createAnthropicClient(options: AnthropicClientOptions, caller: string, transport?: FetchFunction): Anthropic {
  if (options.client !== undefined) {
    const batches = (options.client as { messages?: { batches?: unknown } }).messages?.batches;
    if (typeof batches !== 'object' || batches === null) {
      failOption(caller, 'client', 'an @anthropic-ai/sdk client', options.client, describe(options.client));
    }
    // A key or token the client was made with is masked like one passed here.
    for (const secret of [(options.client as { apiKey?: unknown }).apiKey, (options.client as { authToken?: unknown }).authToken]) {
      if (typeof secret === 'string') registerSecret(secret);
    }
    return options.client;
  }
  // Provider messages sometimes echo the key: from here on it is masked wherever it appears.
  const apiKey = resolveApiKey(caller, options, 'Anthropic', ['ANTHROPIC_API_KEY']);
  return new Anthropic({
    apiKey,
    maxRetries: 0,
    ...(transport === undefined ? {} : { fetch: transport }),
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
  });
}

/** A value shown by its type unless it is a plain scalar: a wrong `client` may hold a key. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}
