import { registerSecret } from '../errors/redact-secrets.js';
import { checkNumberOption, failOption } from './check-options.js';

/** The connection options every provider adapter takes beside its own `client`. */
export interface ConnectionOptionValues {
  readonly apiKey?: unknown;
  readonly baseURL?: unknown;
}

/**
 * Checks an adapter's `apiKey` (a non-empty string; its value is never echoed, only its type) and
 * `baseURL` (an http(s) URL), and returns the key to use: the one given, else the first of
 * `variables` that is set and not empty. The key is registered as a secret, so that it is masked
 * wherever a provider message echoes it. Throws a `TypeError` naming where a key is expected (never
 * a key) when there is none.
 *
 * @param label The provider as users name it in the message (`Gemini`, `Anthropic`).
 * @example
 * const apiKey = resolveApiKey('geminiBatch()', options, 'Gemini', ['GEMINI_API_KEY', 'GOOGLE_API_KEY']);
 */
export function resolveApiKey(caller: string, options: ConnectionOptionValues, label: string, variables: readonly string[]): string {
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '')) {
    failOption(caller, 'apiKey', 'a non-empty string', options.apiKey, typeof options.apiKey);
  }
  if (options.baseURL !== undefined && !isHttpUrl(options.baseURL)) failOption(caller, 'baseURL', 'an http(s) URL', options.baseURL);
  const apiKey = (options.apiKey as string | undefined) ?? variables.map((name) => process.env[name]).find((value) => value !== undefined && value !== '');
  if (apiKey === undefined) {
    const [first, ...others] = variables;
    const alternatives = others.length === 0 ? '' : ` (or ${others.join(', ')})`;
    throw new TypeError(`${caller}: no ${label} API key: pass \`apiKey\` or set ${first ?? 'its variable'}${alternatives}`);
  }
  registerSecret(apiKey);
  return apiKey;
}

/** Validates an optional positive integer option (at most 2^31-1: every one is a count of tokens or milliseconds). */
export function checkPositiveInteger(caller: string, name: string, value: unknown): void {
  checkNumberOption(caller, name, value, { min: 1, max: 2_147_483_647, integer: true });
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
