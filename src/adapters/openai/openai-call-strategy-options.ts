import type { FetchFunction } from '../../http/keep-alive-fetch.js';
import { checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { openaiConnectionOptionNames, type OpenAIConnectionOptions } from './create-openai-client.js';

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
   * Ignored when `client` is given. Without `client` and `fetch`, `openaiChat()` writes each call
   * over the keep-alive transport itself (the URL and headers the SDK would send, its error classes),
   * skipping the SDK's per-call work.
   * @default a keep-alive node:http(s) transport
   */
  readonly fetch?: FetchFunction;
}

const callStrategyOptionNames = [
  ...openaiConnectionOptionNames,
  ...optionNames<Omit<OpenAICallStrategyOptions, keyof OpenAIConnectionOptions>>({ name: true, model: true, endpointOptions: true, applyModelRules: true, fetch: true }),
];

/** Refuses unknown keys and bad values of `openaiChat()` / `openaiResponses()` options (`caller` names which). */
export function validateCallStrategyOptions(options: OpenAICallStrategyOptions, caller: string): void {
  checkOptionKeys(caller, options, callStrategyOptionNames);
  for (const name of ['name', 'model'] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) failOption(caller, name, 'a non-empty string', value);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') failOption(caller, 'fetch', 'a function', options.fetch);
  const endpointOptions = options.endpointOptions;
  if (endpointOptions !== undefined && (typeof endpointOptions !== 'object' || endpointOptions === null || Array.isArray(endpointOptions))) {
    failOption(caller, 'endpointOptions', 'an object', endpointOptions);
  }
  if (options.applyModelRules !== undefined && typeof options.applyModelRules !== 'boolean') {
    failOption(caller, 'applyModelRules', 'a boolean', options.applyModelRules);
  }
}
