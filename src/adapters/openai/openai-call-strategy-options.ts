import type { FetchFunction } from '../../http/keep-alive-fetch.js';
import type { OpenAIConnectionOptions } from './create-openai-client.js';

/** Options of {@link openaiChat} and {@link openaiResponses}. */
export interface OpenAICallStrategyOptions extends OpenAIConnectionOptions {
  /**
   * The provider name reported in jobs (e.g. `groq` for an OpenAI-compatible vendor).
   * @default 'openai'
   */
  readonly name?: string;
  /** Model for requests that name none (the client's `model` submit option usually fills it). */
  readonly model?: string;
  /**
   * Fields merged into every request body before `providerOptions.openai`, e.g.
   * `{ service_tier: 'flex' }` or a vendor's extra parameters.
   * @default {}
   */
  readonly endpointOptions?: Readonly<Record<string, unknown>>;
  /**
   * Drop parameters a model family rejects (temperature and top_p for OpenAI reasoning models).
   * Turn off for OpenAI-compatible servers whose model names collide with these rules.
   * @default true
   */
  readonly applyModelRules?: boolean;
  /**
   * The HTTP transport handed to the SDK as its `fetch`. The default is a keep-alive `node:http(s)`
   * transport that sends each JSON body in one piece and reads each answer whole: the same requests
   * and answers as the platform `fetch`, at about a third less client CPU per call. Pass
   * `globalThis.fetch` (or any fetch, e.g. one with a proxy dispatcher) to use that instead.
   * Ignored when `client` is given.
   * @default a keep-alive node:http(s) transport
   */
  readonly fetch?: FetchFunction;
}

export function validateCallStrategyOptions(options: OpenAICallStrategyOptions, caller: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${caller}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new TypeError(`${caller}: option \`name\` must be a non-empty string, got ${JSON.stringify(options.name)}`);
  }
  if (options.model !== undefined && (typeof options.model !== 'string' || options.model === '')) {
    throw new TypeError(`${caller}: option \`model\` must be a non-empty string, got ${JSON.stringify(options.model)}`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError(`${caller}: option \`fetch\` must be a function, got ${options.fetch === null ? 'null' : typeof options.fetch}`);
  }
  const endpointOptions = options.endpointOptions;
  if (endpointOptions !== undefined && (typeof endpointOptions !== 'object' || endpointOptions === null || Array.isArray(endpointOptions))) {
    throw new TypeError(`${caller}: option \`endpointOptions\` must be an object, got ${JSON.stringify(endpointOptions)}`);
  }
}
