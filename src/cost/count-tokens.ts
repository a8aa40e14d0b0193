import type { BatchRequest, Message } from '../models/batch-request.js';

/**
 * Token counting.
 *
 * The approximation (every model): one token per four characters of text, rounded up per piece,
 * plus 4 tokens per message and 3 for the reply's start (the overhead of OpenAI's chat format,
 * close to Anthropic's), 1,000 tokens per image, and the JSON of tool definitions and of a
 * response schema counted like text (providers bill them as input). For English prose this is
 * usually within 10-20% of the real count; for code, non-Latin scripts and numbers it undercounts.
 *
 * Exact counts for OpenAI models use the `gpt-tokenizer` package (o200k_base encoding) when it is
 * installed; it is loaded on first use and everything falls back to the approximation without it.
 */

/** Tokens added per message by the chat format. */
export const messageOverheadTokens = 4;
/** Tokens added once per request for the start of the reply. */
export const replyOverheadTokens = 3;
/** Flat estimate per image part (real costs depend on size and detail). */
export const imageTokens = 1_000;

/** Counts the tokens of a string. */
export type TextTokenCounter = (text: string) => number;

/** About four characters per token. */
export function approximateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The input tokens of a request, with a text counter (the approximation by default).
 *
 * @example
 * approximateRequestTokens({ id: 'a', messages: [{ role: 'user', content: 'Hello there!' }] }) // 3 + 4 + 3 = 10
 */
export function approximateRequestTokens(request: BatchRequest, countText: TextTokenCounter = approximateTextTokens): number {
  let tokens = replyOverheadTokens;
  if (request.system !== undefined && request.system !== '') tokens += messageOverheadTokens + countText(request.system);
  for (const message of request.messages) tokens += messageTokens(message, countText);
  if (request.tools !== undefined && request.tools.length > 0) tokens += countText(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json_schema') tokens += countText(JSON.stringify(request.responseFormat.schema));
  return tokens;
}

function messageTokens(message: Message, countText: TextTokenCounter): number {
  let tokens = messageOverheadTokens;
  if (typeof message.content === 'string') tokens += countText(message.content);
  else {
    for (const part of message.content) tokens += part.type === 'text' ? countText(part.text) : imageTokens;
  }
  for (const call of message.toolCalls ?? []) tokens += countText(call.name) + countText(call.arguments);
  return tokens;
}

/** Whether a model is counted with OpenAI's tokenizer. */
export function isOpenAIModel(model: string | undefined): boolean {
  return model !== undefined && /^(?:openai\/)?(?:gpt-|o\d|chatgpt-|text-embedding-)/i.test(model);
}

let tokenizer: Promise<TextTokenCounter | undefined> | undefined;

/**
 * OpenAI's o200k_base tokenizer from the optional `gpt-tokenizer` package, or undefined when it
 * is not installed. Loaded once.
 */
export function loadOpenAITokenizer(): Promise<TextTokenCounter | undefined> {
  tokenizer ??= (async () => {
    // A variable specifier: bundlers leave it alone and the package stays optional.
    const specifiers = ['gpt-tokenizer/encoding/o200k_base', 'gpt-tokenizer'];
    for (const specifier of specifiers) {
      try {
        const module = (await import(specifier)) as { countTokens?: unknown; encode?: unknown; default?: { countTokens?: unknown; encode?: unknown } };
        const count = module.countTokens ?? module.default?.countTokens;
        if (typeof count === 'function') return (text: string) => (count as (text: string) => number)(text);
        const encode = module.encode ?? module.default?.encode;
        if (typeof encode === 'function') return (text: string) => (encode as (text: string) => unknown[])(text).length;
      } catch {
        // Not installed (or not this entry point): try the next, then approximate.
      }
    }
    return undefined;
  })();
  return tokenizer;
}

/** Options of {@link countTokens}. */
export interface CountTokensOptions {
  /** The model, when the request names none. Decides whether the OpenAI tokenizer applies. */
  readonly model?: string;
  /**
   * Use the OpenAI tokenizer for OpenAI models when `gpt-tokenizer` is installed.
   * @default true
   */
  readonly exact?: boolean;
}

/** The result of {@link countTokens}. */
export interface TokenCount {
  readonly tokens: number;
  /** True when an exact tokenizer counted the text (the chat overheads stay approximate). */
  readonly exact: boolean;
}

/**
 * Counts a request's input tokens: exactly for OpenAI models when `gpt-tokenizer` is installed,
 * with the documented approximation otherwise.
 *
 * @example
 * const { tokens, exact } = await countTokens(request, { model: 'gpt-5.4-mini' });
 */
export async function countTokens(request: BatchRequest, options: CountTokensOptions = {}): Promise<TokenCount> {
  const model = request.model ?? options.model;
  if (options.exact !== false && isOpenAIModel(model)) {
    const counter = await loadOpenAITokenizer();
    if (counter) return { tokens: approximateRequestTokens(request, counter), exact: true };
  }
  return { tokens: approximateRequestTokens(request), exact: false };
}
