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
  const endpointOptions = options.endpointOptions;
  if (endpointOptions !== undefined && (typeof endpointOptions !== 'object' || endpointOptions === null || Array.isArray(endpointOptions))) {
    throw new TypeError(`${caller}: option \`endpointOptions\` must be an object, got ${JSON.stringify(endpointOptions)}`);
  }
}
