/** Response headers as the SDKs expose them (`Headers`) or as Node's `http` module does (a plain record). */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * How long the server asks us to wait before retrying, in whole milliseconds (rounded up, so we
 * never retry early), or `undefined` when it does not say.
 *
 * Rules, in order (the same as the official OpenAI and Anthropic SDKs):
 * 1. `retry-after-ms`: a non-negative float of milliseconds.
 * 2. `retry-after`: a non-negative float of seconds, or an HTTP date (a date in the past means 0).
 *
 * Unparseable or negative values are ignored rather than guessed at.
 *
 * @param now The current time in epoch milliseconds, for HTTP dates. @default Date.now()
 * @example
 * parseRetryAfter(new Headers({ 'retry-after': '2' })); // 2000
 * parseRetryAfter({ 'retry-after-ms': '150.5' }); // 151
 */
export function parseRetryAfter(headers: HeadersLike | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined || headers === null) return undefined;

  const milliseconds = readHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined) {
    const value = parseNonNegativeNumber(milliseconds);
    if (value !== undefined) return Math.ceil(value);
  }

  const retryAfter = readHeader(headers, 'retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = parseNonNegativeNumber(retryAfter);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  // Only a real HTTP date counts: `Date.parse` also accepts odd strings like "1" or "-5".
  if (!/[a-z]/i.test(retryAfter)) return undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil(date - now));
}

/** Case-insensitive header lookup over `Headers` or a plain record; the first value of a list. */
export function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const wanted = name.toLowerCase();
  // Node's parsed headers (the keep-alive transport's answers) have lower-case names: one lookup.
  const exact = record[wanted];
  if (typeof exact === 'string') return exact;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = record[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

function parseNonNegativeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  // Strict: `Number('')` is 0 and `parseFloat('3 apples')` is 3; neither is a delay the server meant.
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
