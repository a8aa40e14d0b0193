import { createReadStream } from 'node:fs';
import { AbortError } from '../errors/abort-error.js';

/** One parsed line. `line` is 1-based and counts every line of the input, blank ones included. */
export interface JsonlLine {
  readonly line: number;
  readonly value: unknown;
}

/** A line that is not valid JSON: reported, then skipped. */
export interface MalformedJsonlLine {
  readonly line: number;
  readonly text: string;
  readonly error: Error;
}

/** Options of {@link decodeJsonl} and {@link readJsonlFile}. */
export interface DecodeJsonlOptions {
  /**
   * Called for each line that is not valid JSON (including a truncated last line); the line is
   * skipped and decoding goes on. Without it, malformed lines are skipped silently.
   */
  readonly onMalformed?: ((issue: MalformedJsonlLine) => void) | undefined;
  /** Stops decoding with an `AbortError` between chunks. */
  readonly signal?: AbortSignal | undefined;
}

/** Any source of bytes or text: a Node stream, a web `ReadableStream`, a `fetch` body, an async generator. */
export type JsonlSource = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

/**
 * Decodes JSON Lines as they stream in, without holding more than the current line in memory.
 * Handles lines split across chunks (also inside a multi-byte UTF-8 character), CRLF line ends, a
 * leading BOM, blank lines (skipped) and a missing final newline.
 *
 * @example
 * for await (const { line, value } of decodeJsonl(response.body, { onMalformed: (issue) => warn(issue) })) {
 *   handle(value);
 * }
 */
export async function* decodeJsonl(source: JsonlSource, options: DecodeJsonlOptions = {}): AsyncGenerator<JsonlLine> {
  const { onMalformed, signal } = options;
  if (onMalformed !== undefined && typeof onMalformed !== 'function') {
    throw new TypeError(`Expected option "onMalformed" to be a function, got ${typeof onMalformed}`);
  }
  const decoder = new TextDecoder('utf-8');
  // Pieces of the current, still unterminated line; joined once when its newline arrives.
  let pieces: string[] = [];
  let lineNumber = 0;
  let atStart = true;
  // Lines parsed from the current chunk, handed out before the next chunk is read (plain functions
  // and one array per chunk: a generator per line would cost more than the JSON parsing).
  const ready: JsonlLine[] = [];

  const parseLine = (rawLine: string): void => {
    lineNumber++;
    const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (text.trim() === '') return;
    try {
      ready.push({ line: lineNumber, value: JSON.parse(text) as unknown });
    } catch (error) {
      onMalformed?.({ line: lineNumber, text, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  const consume = (chunkText: string): void => {
    let text = chunkText;
    if (atStart && text !== '') {
      atStart = false;
      // TextDecoder drops a BOM from bytes; string chunks may still carry one.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      const tail = text.slice(start, newline);
      const rawLine = pieces.length === 0 ? tail : pieces.join('') + tail;
      pieces = [];
      parseLine(rawLine);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) pieces.push(text.slice(start));
  };

  for await (const chunk of iterate(source)) {
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    consume(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (ready.length > 0) yield* ready.splice(0);
  }
  consume(decoder.decode());
  if (pieces.length > 0) {
    const rawLine = pieces.join('');
    pieces = [];
    parseLine(rawLine);
  }
  if (ready.length > 0) yield* ready.splice(0);
}

/**
 * Streams a JSONL file from disk through {@link decodeJsonl}; the file is closed when iteration
 * ends, also on `break` or an error.
 *
 * @example
 * for await (const { value } of readJsonlFile('requests.jsonl')) console.log(value);
 */
export async function* readJsonlFile(path: string, options: DecodeJsonlOptions = {}): AsyncGenerator<JsonlLine> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    yield* decodeJsonl(stream as AsyncIterable<Uint8Array>, options);
  } finally {
    stream.destroy();
  }
}

async function* iterate(source: JsonlSource): AsyncGenerator<Uint8Array | string> {
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array | string>;
    return;
  }
  // Web streams without async iteration (older runtimes, some polyfills).
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // Stopped early: tell the producer, so a network body is not downloaded for nothing.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
