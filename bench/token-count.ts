/**
 * Exact token counting of long requests without spaces: the time `countTokens` takes for one
 * request of 100,000, 400,000 and 1,000,000 characters of base64, a DNA sequence, digits and
 * minified JSON, and for one 20,000,000-character line, which is past the size cap and approximated.
 * For comparison, the tokenizer counting the same text whole (as llm-batch did before it counted
 * in pieces) on the two texts it finds hardest, at sizes where that still ends within seconds.
 *
 * Run: node --import tsx bench/token-count.ts
 * Imports the built package: run `npm run build` first. Prints one JSON object on one line.
 * Each count runs three times, on text drawn afresh each time (so no run reuses the tokenizer's
 * cache of an earlier one), after a warm-up that loads the tokenizer; the median is reported.
 */
import { loadavg } from 'node:os';
import { countTokens, type BatchRequest } from '../dist/index.js';

const model = 'gpt-5.4-mini';
const targetSeconds = 1;
const targetCharacters = 400_000;
const sizes = [100_000, 400_000, 1_000_000];
const capSize = 20_000_000;
const baselineSizes = [20_000, 100_000];

/** Deterministic bytes, so every run counts the same text. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

function fromAlphabet(length: number, alphabet: string, seed: number): string {
  const bytes = pseudoRandomBytes(length, seed);
  let text = '';
  for (let index = 0; index < length; index++) text += alphabet[bytes[index]! % alphabet.length];
  return text;
}

const minifiedRecord = JSON.stringify({
  id: 'order_000172',
  customer: { name: 'Ada Lovelace', email: 'ada@example.com', tags: ['priority', 'returning'] },
  lines: [
    { sku: 'KB-104', quantity: 2, unitPrice: 49.5 },
    { sku: 'MS-220', quantity: 1, unitPrice: 19.99 },
  ],
  paid: true,
});

/** Texts without a single space (the worst case for a tokenizer); `run` varies the draw. */
const texts: Record<string, (length: number, run: number) => string> = {
  // One letter repeated: a single pre-token for the tokenizer, the hardest case for counting it whole.
  'base64 of zeros': (length) => 'A'.repeat(length),
  'base64 of random bytes': (length, run) => pseudoRandomBytes(Math.ceil((length * 3) / 4), 1 + run).toString('base64').slice(0, length),
  'DNA sequence (ACGT)': (length, run) => fromAlphabet(length, 'ACGT', 11 + run),
  digits: (length, run) => fromAlphabet(length, '0123456789', 21 + run),
  'minified JSON (one record repeated)': (length, run) => minifiedRecord.replace('000172', String(run).padStart(6, '0')).repeat(Math.ceil(length / minifiedRecord.length)).slice(0, length),
};
const baselineTexts = ['base64 of zeros', 'DNA sequence (ACGT)'];

function requestOf(content: string): BatchRequest {
  return { id: 'long', model, messages: [{ role: 'user', content }] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

interface Measurement {
  readonly text: string;
  readonly characters: number;
  readonly seconds: number;
  readonly tokens: number;
  readonly exact: boolean;
  readonly reason?: string;
}

async function measure(name: string, length: number, runs = 3): Promise<Measurement> {
  const seconds: number[] = [];
  let result: Awaited<ReturnType<typeof countTokens>> | undefined;
  for (let run = 0; run < runs; run++) {
    const text = texts[name]!(length, run);
    const started = performance.now();
    result = await countTokens(requestOf(text));
    seconds.push((performance.now() - started) / 1000);
  }
  if (result === undefined) throw new Error('token-count: no run');
  return {
    text: name,
    characters: length,
    seconds: round(median(seconds)),
    tokens: result.tokens,
    exact: result.exact,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
  };
}

/** The tokenizer on the whole text at once, as counting worked before it went in pieces. */
async function measureWhole(name: string, text: string): Promise<{ text: string; characters: number; seconds: number; tokens: number }> {
  // The package's own counter, from where llm-batch loads it (an optional dependency of the root).
  const { countTokens: countWhole } = (await import('gpt-tokenizer/encoding/o200k_base')) as { countTokens: (text: string) => number };
  const started = performance.now();
  const tokens = countWhole(text);
  return { text: name, characters: text.length, seconds: round((performance.now() - started) / 1000), tokens };
}

const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
// Warm-up: loads the tokenizer, so no measurement includes that.
await countTokens(requestOf('warm up'));
const counts: Measurement[] = [];
for (const size of sizes) {
  for (const name of Object.keys(texts)) counts.push(await measure(name, size));
}
const cap = { ...(await measure('base64 of random bytes', capSize, 1)), text: 'base64 of random bytes, one line' };
const whole = [];
for (const size of baselineSizes) {
  for (const name of baselineTexts) whole.push(await measureWhole(name, texts[name]!(size, 0)));
}
const atTarget = counts.filter((count) => count.characters === targetCharacters);
console.log(
  JSON.stringify({
    benchmark: 'token-count',
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
    counts,
    cap,
    whole,
    targetCharacters,
    targetSeconds,
    pass: atTarget.every((count) => count.exact && count.seconds < targetSeconds),
  }),
);
