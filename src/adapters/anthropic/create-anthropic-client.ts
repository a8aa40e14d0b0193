import Anthropic from '@anthropic-ai/sdk';
import { registerSecret } from '../../errors/redact-secrets.js';
import type { FetchFunction } from '../../http/keep-alive-fetch.js';

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

/**
 * Returns the user's client, or a new one with `maxRetries: 0` (this library runs the only retry
 * loop), with `transport` as its `fetch` when given. Throws at once when there is no API key, naming where one is expected but never the key.
 */
export function createAnthropicClient(options: AnthropicClientOptions, caller: string, transport?: FetchFunction): Anthropic {
  if (options.client !== undefined) {
    const batches = (options.client as { messages?: { batches?: unknown } }).messages?.batches;
    if (typeof batches !== 'object' || batches === null) {
      throw new TypeError(`${caller}: option \`client\` must be an @anthropic-ai/sdk client (got ${describe(options.client)})`);
    }
    // A key or token the client was made with is masked like one passed here.
    for (const secret of [(options.client as { apiKey?: unknown }).apiKey, (options.client as { authToken?: unknown }).authToken]) {
      if (typeof secret === 'string') registerSecret(secret);
    }
    return options.client;
  }
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '')) {
    throw new TypeError(`${caller}: option \`apiKey\` must be a non-empty string`);
  }
  if (options.baseURL !== undefined && !isHttpUrl(options.baseURL)) {
    throw new TypeError(`${caller}: option \`baseURL\` must be an http(s) URL (got ${JSON.stringify(options.baseURL)})`);
  }
  const apiKey = options.apiKey ?? process.env['ANTHROPIC_API_KEY'];
  if (apiKey === undefined || apiKey === '') {
    throw new TypeError(`${caller}: no Anthropic API key: pass \`apiKey\` or set ANTHROPIC_API_KEY`);
  }
  // Provider messages sometimes echo the key: from here on it is masked wherever it appears.
  registerSecret(apiKey);
  return new Anthropic({
    apiKey,
    maxRetries: 0,
    ...(transport === undefined ? {} : { fetch: transport }),
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
  });
}

/** Validates an optional positive integer option. */
export function checkPositiveInteger(caller: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new TypeError(`${caller}: option \`${name}\` must be a positive integer (got ${describe(value)})`);
  }
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}
