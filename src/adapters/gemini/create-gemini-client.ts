import { GoogleGenAI } from '@google/genai';
import type { FetchFunction } from '../../http/keep-alive-fetch.js';
import { resolveApiKey } from '../../validation/check-connection-options.js';
import { failOption, optionNames } from '../../validation/check-options.js';

/** How to reach the Gemini API: an API key and base URL, or a ready client. */
export interface GeminiClientOptions {
  /**
   * The API key. Never logged, stored or put into errors.
   * @default process.env.GEMINI_API_KEY, else process.env.GOOGLE_API_KEY
   */
  readonly apiKey?: string;
  /**
   * The API base URL (a proxy, a gateway, or the local emulator).
   * @default the SDK's default (`https://generativelanguage.googleapis.com`)
   */
  readonly baseURL?: string;
  /**
   * A `@google/genai` client to use as given (Gemini Developer API, not Vertex AI). When set,
   * `apiKey` and `baseURL` are ignored. Batch creation never goes through its retries: a repeated
   * create is a second job, paid twice.
   */
  readonly client?: GoogleGenAI;
}

/** The names of {@link GeminiClientOptions}, for the adapters' unknown-key checks. */
export const geminiClientOptionNames = optionNames<GeminiClientOptions>({ apiKey: true, baseURL: true, client: true });

/**
 * Returns the user's client, or a new one without SDK retries (this library runs the only retry
 * loop), with `transport` as its `fetch` when given. Throws at once when there is no API key,
 * naming where one is expected but never the key.
 */
export function createGeminiClient(options: GeminiClientOptions, caller: string, transport?: FetchFunction): GoogleGenAI {
  if (options.client !== undefined) {
    const client = options.client as { batches?: unknown; models?: unknown; vertexai?: unknown };
    if (typeof client.batches !== 'object' || client.batches === null || typeof client.models !== 'object') {
      failOption(caller, 'client', 'a @google/genai client', options.client, typeof options.client);
    }
    if (client.vertexai === true) failOption(caller, 'client', 'a Gemini Developer API client (Vertex AI batch jobs are not supported)', 'vertexai: true');
    return options.client;
  }
  // Provider messages sometimes echo the key: from here on it is masked wherever it appears.
  const apiKey = resolveApiKey(caller, options, 'Gemini', ['GEMINI_API_KEY', 'GOOGLE_API_KEY']);
  return new GoogleGenAI({
    apiKey,
    httpOptions: {
      // Pinned: @google/genai 2 calls v1beta and version 3 calls v1 by default; Batch Mode, the
      // Files API and context caching are documented (and emulated) under v1beta.
      apiVersion: 'v1beta',
      ...(options.baseURL === undefined ? {} : { baseUrl: options.baseURL }),
      ...(transport === undefined ? {} : { fetch: transport as typeof fetch }),
    },
  });
}
