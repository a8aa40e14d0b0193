import { encode, countTokens as countWhole } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { approximateRequestTokens, countTokens, loadOpenAITokenizer, maximumExactCharacters } from '../../src/cost/count-tokens.js';
import { estimateCost } from '../../src/cost/estimate-cost.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { memoryStore } from '../../src/store/memory-store.js';

const model = 'gpt-5.4-mini';
/** A request of one user message; the chat format adds 4 tokens for it and 3 for the reply. */
const requestOf = (content: string, id = 'long'): BatchRequest => ({ id, model, messages: [{ role: 'user', content }] });
const chatOverhead = 4 + 3;

/** Deterministic pseudo-random numbers in [0, 1), so every run counts the same text. */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function drawn(length: number, alphabet: string, seed: number): string {
  const next = numbers(seed);
  return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
}

function bytes(length: number, seed: number): Buffer {
  const next = numbers(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
}

const prose =
  'Batch APIs take a file of requests and answer within a day, at half the price of the synchronous ones. ' +
  'A job that can wait an hour for its answers costs less, and the rate limits of the two are separate. ';
const code = 'export function add(left: number, right: number): number {\n  return left + right; // no overflow check\n}\n';
const size = 12_000;
const repeatTo = (text: string, length: number): string => text.repeat(Math.ceil(length / text.length)).slice(0, length);

/**
 * Text with a place where the tokenizer splits at least every few hundred characters: counted in
 * pieces cut at those places, the count is the whole's exactly.
 */
const splittable: Record<string, string> = {
  'English prose': repeatTo(prose, size),
  code: repeatTo(code, size),
  'minified JSON': repeatTo(JSON.stringify({ id: 'a1', values: [1, 2.5, -3], nested: { ok: true, name: 'Ünïcode' } }), size),
  'base64 of random bytes': bytes(size, 1).toString('base64').slice(0, size),
  hex: bytes(size, 2).toString('hex').slice(0, size),
  'random digits': drawn(size, '0123456789', 3),
  'base64 of zeros (one repeated letter)': Buffer.alloc(size).toString('base64').slice(0, size),
  'a run of spaces': ' '.repeat(size),
  'a run of = signs': '='.repeat(size),
};

/**
 * Text with no such place for thousands of characters: cut at a fixed length, each cut may change
 * the count by about a token.
 */
const unsplittable: Record<string, string> = {
  'a DNA sequence (ACGT)': drawn(size, 'ACGT', 4),
  'random lowercase letters': drawn(size, 'abcdefghijklmnopqrstuvwxyz', 5),
  'Chinese characters without punctuation': drawn(4_000, [...'的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生'].join(''), 6),
  'prose, then a long run of dashes': `${prose}${'-'.repeat(size)}`,
};

describe('exact OpenAI token counts', () => {
  it('loads the o200k_base tokenizer from the optional gpt-tokenizer package', async () => {
    const count = await loadOpenAITokenizer();
    expect(count).toBeTypeOf('function');
    const text = 'Batch APIs are half the price of the synchronous ones. Überraschung! 🚀';
    expect(count?.(text)).toBe(encode(text).length);
    expect(count?.(text)).not.toBe(Math.ceil(text.length / 4));
  });

  it('counts the text of a special token as plain text, as the API does, instead of throwing', async () => {
    const text = 'Summarise this log: <|endoftext|> was printed twice.';
    const result = await countTokens(requestOf(text));
    expect(result).toEqual({ tokens: countWhole(text, { disallowedSpecial: new Set() }) + chatOverhead, exact: true });
  });

  it.each(Object.entries(splittable))('counts %s in pieces exactly as the tokenizer counts it whole', async (_name, text) => {
    const result = await countTokens(requestOf(text));
    expect(result.exact).toBe(true);
    expect(result.tokens - chatOverhead).toBe(countWhole(text));
  });

  it.each(Object.entries(unsplittable))('counts %s within one token per 1,024 bytes of the count of the whole', async (_name, text) => {
    const result = await countTokens(requestOf(text));
    const whole = countWhole(text);
    const cuts = Math.ceil(Buffer.byteLength(text) / 1_024);
    expect(result.exact).toBe(true);
    expect(Math.abs(result.tokens - chatOverhead - whole)).toBeLessThanOrEqual(cuts);
  });

  it('keeps a surrogate pair whole when it cuts a run of emoji', async () => {
    const next = numbers(7);
    // The leading letter puts every 512th UTF-16 unit, where a piece of 1,024 bytes ends, inside a pair.
    const text = `x${Array.from({ length: 3_000 }, () => String.fromCodePoint(0x1f600 + Math.floor(next() * 60))).join('')}`;
    const result = await countTokens(requestOf(text));
    // Their tokens never span two emoji, so cuts between two are exact; a pair cut in two would be
    // counted as two replacement characters.
    expect(result.tokens - chatOverhead).toBe(countWhole(text));
  });
});

describe('the size cap of exact counting', () => {
  const split = (total: number): BatchRequest => ({
    id: 'big',
    model,
    messages: [
      { role: 'user', content: 'a'.repeat(total / 2) },
      { role: 'user', content: 'b'.repeat(total - total / 2) },
    ],
  });

  it('counts a request of exactly the maximum characters of text exactly', async () => {
    expect(await countTokens(split(maximumExactCharacters))).toMatchObject({ exact: true });
  });

  it('approximates a request over the maximum, over all its messages, and says why', async () => {
    const request = split(maximumExactCharacters + 2);
    expect(await countTokens(request)).toEqual({ tokens: approximateRequestTokens(request), exact: false, reason: 'too-large' });
  });

  it('names the other reasons to approximate', async () => {
    expect((await countTokens(requestOf('Hello'), { exact: false })).reason).toBe('disabled');
    expect((await countTokens({ ...requestOf('Hello'), model: 'claude-sonnet-4-6' })).reason).toBe('model');
  });

  it('warns once in an estimate, naming the first request approximated for its size', async () => {
    const warnings: string[] = [];
    const requests = [requestOf('a short one', 'small'), requestOf('x'.repeat(maximumExactCharacters + 1), 'huge_1'), requestOf('y'.repeat(maximumExactCharacters + 1), 'huge_2')];
    const estimate = await estimateCost(requests, { onWarning: (message) => warnings.push(message) });
    expect(estimate.inputTokensExact).toBe(false);
    expect(warnings.filter((message) => message.includes('approximated'))).toEqual([
      'The input tokens of 2 requests (the first "huge_1") were approximated (about four characters per token), not counted with the tokenizer: more than 2,000,000 characters of text in one request',
    ]);
  });

  it('says so in the warnings of a dry run and through onWarning of client.estimate()', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() });
    const requests = [requestOf('z'.repeat(maximumExactCharacters + 1), 'huge')];
    const dryRun = await client.submit(requests, { dryRun: true });
    expect(dryRun.warnings).toContainEqual(expect.stringContaining('request "huge" were approximated'));
    const warnings: string[] = [];
    await client.estimate(requests, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual(dryRun.warnings);
  });
});
