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
 * Long text goes to it in pieces of at most 1,024 bytes, cut where its own split falls wherever
 * there is such a place, so the time is linear in the length; a request of more than 2,000,000
 * characters of text is approximated.
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

/**
 * The most UTF-8 bytes handed to the tokenizer in one call. Byte-pair encoding takes time quadratic
 * in the bytes of one pre-token (a stretch the tokenizer's split pattern keeps whole: letters without
 * a space or a case change, repeated punctuation, whitespace), so a 400,000-character line of one
 * such stretch took minutes; longer text is counted in pieces. A power of two: a run of one repeated
 * character is encoded in tokens of 2^n characters, so pieces of 1,024 cut it where the whole is cut.
 */
const pieceBytes = 1_024;

/**
 * Above this many characters of text in one request, {@link countTokens} approximates instead of
 * counting exactly. That is 500,000 tokens of prose or more (and more for code, data and other
 * scripts, at fewer characters per token): past the context window of most models, where an exact
 * count buys little. Counting up to it takes at most a few seconds: 2,000,000 characters of base64
 * or of random letters took 1.5 to 3 s on a busy 2-core machine, of Chinese text (3 bytes a
 * character) about 6 s.
 */
export const maximumExactCharacters = 2_000_000;

// Character classes, as the o200k_base split pattern sees them.
const space = 0; // whitespace other than \r and \n
const newline = 1;
const lower = 2; // \p{Ll}
const upper = 3; // \p{Lu} \p{Lt}
const otherLetter = 4; // \p{Lm} \p{Lo}
const mark = 5; // \p{M}
const digit = 6; // \p{N}
const apostrophe = 7; // starts the contractions ('s, 't, ...) that stay with the word before
const other = 8; // punctuation and symbols

const asciiClasses = Array.from({ length: 128 }, (_, code) => classOfCodePoint(code));

function classOfCodePoint(code: number): number {
  if (code === 0x0a || code === 0x0d) return newline;
  if (code === 0x27) return apostrophe;
  const character = String.fromCodePoint(code);
  if (/\s/u.test(character)) return space;
  if (/\p{Ll}/u.test(character)) return lower;
  if (/[\p{Lu}\p{Lt}]/u.test(character)) return upper;
  if (/\p{L}/u.test(character)) return otherLetter;
  if (/\p{M}/u.test(character)) return mark;
  if (/\p{N}/u.test(character)) return digit;
  return other;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The class of the character that starts at `index`. */
function classAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? asciiClasses[code]! : classOfCodePoint(text.codePointAt(index)!);
}

/** The class of the character that ends just before `index`. */
function classBefore(text: string, index: number): number {
  const code = text.charCodeAt(index - 1);
  if (code < 128) return asciiClasses[code]!;
  const pair = isLowSurrogate(code) && index >= 2 && isHighSurrogate(text.charCodeAt(index - 2));
  return classOfCodePoint(pair ? text.codePointAt(index - 2)! : code);
}

/**
 * Whether the tokenizer's split pattern ends a pre-token just before `index` whatever follows, so
 * that counting the text on either side separately gives exactly the count of the whole. Each case
 * has a non-space character before the cut (so no whitespace run, whose split looks ahead, ends a
 * piece), and a character after it that no pre-token can continue into from that one: a space;
 * the start or end of a run of digits; a lowercase letter followed by an uppercase one; a letter
 * followed by punctuation other than an apostrophe.
 */
function splitsAt(text: string, index: number): boolean {
  if (isLowSurrogate(text.charCodeAt(index))) return false;
  const before = classBefore(text, index);
  if (before === space || before === newline) return false;
  const after = classAt(text, index);
  if (after === space) return true;
  if ((before === digit) !== (after === digit)) return true;
  if (before === lower && after === upper) return true;
  return (before === lower || before === upper || before === otherLetter) && after === other;
}

/** The end of the longest piece from `start` that fits in {@link pieceBytes} bytes of UTF-8. */
function pieceLimit(text: string, start: number): number {
  let bytes = 0;
  let index = start;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    // A surrogate pair is 4 bytes, 2 for each half.
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
    if (bytes > pieceBytes) break;
    index++;
  }
  return index;
}

/** Where the piece from `start` ends, given that it cannot reach past `limit` whole. */
function pieceEnd(text: string, start: number, limit: number): number {
  // Look back over the piece's second half, so no piece is shorter than half of one.
  const lowest = start + Math.ceil((limit - start) / 2);
  for (let index = limit; index >= lowest; index--) {
    if (splitsAt(text, index)) return index;
  }
  // A run of digits is cheap whole (the tokenizer takes digits three at a time from the run's
  // start), so it stays in the piece and the cut is exact where it ends.
  if (classBefore(text, limit) === digit && classAt(text, limit) === digit) {
    let end = limit;
    while (end < text.length && classAt(text, end) === digit) end++;
    return end;
  }
  // One long pre-token: cut it (between two characters, never inside a surrogate pair). The count
  // can differ from the whole's by about a token at the cut; see docs/cost-and-budgets.md.
  return isLowSurrogate(text.charCodeAt(limit)) ? limit - 1 : limit;
}

/**
 * Counts `text` with `countPiece` in pieces of at most {@link pieceBytes} bytes (a run of digits
 * excepted), so the time is linear in its length. Cuts fall where the tokenizer splits anyway
 * (exact), except in a stretch of more than half a piece without such a place, which is cut at a
 * fixed length.
 */
function countInPieces(text: string, countPiece: TextTokenCounter): number {
  let tokens = 0;
  let start = 0;
  for (let limit = pieceLimit(text, 0); limit < text.length; limit = pieceLimit(text, start)) {
    const end = pieceEnd(text, start, limit);
    tokens += countPiece(text.slice(start, end));
    start = end;
  }
  return tokens + countPiece(start === 0 ? text : text.slice(start));
}

/**
 * `gpt-tokenizer` keeps the tokens of up to 100,000 pre-tokens it has encoded and, once full,
 * evicts the oldest for each new one, which makes counting several times slower from then on
 * (1,000,000 characters of base64: about 1 s while it fills, 4 s each time after). Every entry
 * comes from at least one character, so clearing it after every 100,000 characters counted keeps
 * it from ever filling; text that repeats (a shared system prompt) is cached again at once.
 */
const mergeCacheCharacters = 100_000;

interface TokenizerModule {
  readonly countTokens?: unknown;
  readonly encode?: unknown;
  readonly clearMergeCache?: unknown;
}

/** The counter of one piece of text, or undefined when the module has neither entry point. */
function counterOf(module: TokenizerModule & { readonly default?: TokenizerModule }): TextTokenCounter | undefined {
  // Without it the package throws on a special token's text, and one request would stop an estimate.
  const asText = { disallowedSpecial: new Set<string>() };
  const count = module.countTokens ?? module.default?.countTokens;
  const encode = module.encode ?? module.default?.encode;
  let countText: TextTokenCounter;
  if (typeof count === 'function') countText = (text) => (count as (text: string, options: object) => number)(text, asText);
  else if (typeof encode === 'function') countText = (text) => (encode as (text: string, options: object) => unknown[])(text, asText).length;
  else return undefined;
  const clear = module.clearMergeCache ?? module.default?.clearMergeCache;
  if (typeof clear !== 'function') return countText;
  let charactersSinceCleared = 0;
  return (text) => {
    charactersSinceCleared += text.length;
    if (charactersSinceCleared > mergeCacheCharacters) {
      (clear as () => void)();
      charactersSinceCleared = text.length;
    }
    return countText(text);
  };
}

let tokenizer: Promise<TextTokenCounter | undefined> | undefined;

/**
 * OpenAI's o200k_base tokenizer from the optional `gpt-tokenizer` package, or undefined when it
 * is not installed. Loaded once. Special tokens such as `<|endoftext|>` in the text are counted as
 * the plain text the API treats them as. One call takes time quadratic in the longest run without a
 * split; {@link countTokens} hands it pieces.
 */
export function loadOpenAITokenizer(): Promise<TextTokenCounter | undefined> {
  tokenizer ??= (async () => {
    // A variable specifier: bundlers leave it alone and the package stays optional.
    const specifiers = ['gpt-tokenizer/encoding/o200k_base', 'gpt-tokenizer'];
    for (const specifier of specifiers) {
      try {
        const counter = counterOf((await import(specifier)) as TokenizerModule);
        if (counter) return counter;
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

/**
 * Why a count is approximate: `disabled` (asked with `exact: false`), `model` (not an OpenAI model:
 * no tokenizer for it), `tokenizer-missing` (`gpt-tokenizer` is not installed), `too-large` (more
 * than {@link maximumExactCharacters} characters of text).
 */
export type TokenApproximationReason = 'disabled' | 'model' | 'tokenizer-missing' | 'too-large';

/** The result of {@link countTokens}. */
export interface TokenCount {
  readonly tokens: number;
  /**
   * True when an exact tokenizer counted the text. The chat overheads stay approximate, and a
   * stretch of more than 512 bytes with no place where the tokenizer splits (a DNA sequence, a run
   * of letters without a space or a case change) is cut every 1,024 bytes, each cut moving the
   * count by about a token at most (0.03% of random letters in the samples measured).
   */
  readonly exact: boolean;
  /** Why the approximation counted; only when `exact` is false. */
  readonly reason?: TokenApproximationReason;
}

/**
 * Counts a request's input tokens: exactly for OpenAI models when `gpt-tokenizer` is installed (in
 * time linear in the text's length), with the documented approximation otherwise, and for a request
 * of more than {@link maximumExactCharacters} characters of text.
 *
 * @example
 * const { tokens, exact, reason } = await countTokens(request, { model: 'gpt-5.4-mini' });
 */
export async function countTokens(request: BatchRequest, options: CountTokensOptions = {}): Promise<TokenCount> {
  const approximate = (reason: TokenApproximationReason): TokenCount => ({ tokens: approximateRequestTokens(request), exact: false, reason });
  if (options.exact === false) return approximate('disabled');
  if (!isOpenAIModel(request.model ?? options.model)) return approximate('model');
  const counter = await loadOpenAITokenizer();
  if (!counter) return approximate('tokenizer-missing');
  if (requestCharacters(request) > maximumExactCharacters) return approximate('too-large');
  return { tokens: approximateRequestTokens(request, (text) => countInPieces(text, counter)), exact: true };
}

/** The characters of text in a request, walked as its tokens are. */
function requestCharacters(request: BatchRequest): number {
  let characters = 0;
  approximateRequestTokens(request, (text) => {
    characters += text.length;
    return 0;
  });
  return characters;
}
