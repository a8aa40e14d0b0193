import OpenAI from 'openai';
import { registerSecret } from '../../errors/redact-secrets.js';
import type { FetchFunction } from '../../http/keep-alive-fetch.js';
import { failOption, optionNames } from '../../validation/check-options.js';

/** Connection options shared by `openaiBatch()`, `openaiChat()` and `openaiResponses()`. */
export interface OpenAIConnectionOptions {
  /**
   * The API key. Never logged, stored or put into an error message.
   * @default process.env.OPENAI_API_KEY
   */
  readonly apiKey?: string;
  /**
   * The API base URL, e.g. an OpenAI-compatible server (`http://localhost:8000/v1`).
   * @default process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'
   */
  readonly baseURL?: string;
  /** Sent as `OpenAI-Organization`. */
  readonly organization?: string;
  /** Sent as `OpenAI-Project`. */
  readonly project?: string;
  /**
   * A ready client (Azure OpenAI, a proxy, a custom `fetch`), used as given: its own retry settings
   * stay in force (except for batch creation, always sent with `maxRetries: 0`), so create it with
   * `maxRetries: 0` to leave retries to this library.
   */
  readonly client?: OpenAI;
}

/** The names of {@link OpenAIConnectionOptions}, for the adapters' unknown-key checks. */
export const openaiConnectionOptionNames = optionNames<OpenAIConnectionOptions>({ apiKey: true, baseURL: true, organization: true, project: true, client: true });

/**
 * The SDK client for an adapter or call strategy. Created with `maxRetries: 0`: the library owns
 * the one retry loop, and a batch creation must never be repeated blindly by the SDK.
 *
 * `transport`, when given, is the SDK's `fetch` (the call strategies pass a keep-alive one).
 *
 * @throws TypeError when no key is given and `OPENAI_API_KEY` is not set (at construction, not at
 * the first request).
 */
export function createOpenAIClient(options: OpenAIConnectionOptions, caller: string, transport?: FetchFunction): OpenAI {
  if (options.client !== undefined) {
    if (typeof options.client !== 'object' || options.client === null) {
      failOption(caller, 'client', 'an OpenAI client instance', options.client, typeof options.client);
    }
    // A key the client was made with is masked like one passed here.
    const clientKey: unknown = (options.client as { apiKey?: unknown }).apiKey;
    if (typeof clientKey === 'string') registerSecret(clientKey);
    return options.client;
  }
  for (const name of ['apiKey', 'baseURL', 'organization', 'project'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      // The key's value is never echoed, only its type.
      failOption(caller, name, 'a non-empty string', value, name === 'apiKey' ? typeof value : undefined);
    }
  }
  const apiKey = options.apiKey ?? process.env['OPENAI_API_KEY'];
  if (apiKey === undefined || apiKey === '') {
    throw new TypeError(`${caller}: no OpenAI API key. Pass \`apiKey\` or set the OPENAI_API_KEY environment variable.`);
  }
  // Provider messages sometimes echo the key: from here on it is masked wherever it appears.
  registerSecret(apiKey);
  return new OpenAI({
    apiKey,
    maxRetries: 0,
    ...(transport === undefined ? {} : { fetch: transport }),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.organization !== undefined ? { organization: options.organization } : {}),
    ...(options.project !== undefined ? { project: options.project } : {}),
  });
}
