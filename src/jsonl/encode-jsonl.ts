/** Options of {@link encodeJsonlChunks}. */
export interface EncodeJsonlChunksOptions {
  /**
   * Size of each yielded chunk in bytes (the last one may be smaller). A line longer than this is
   * split across chunks: the chunks are bytes for an upload, not lines.
   * @default 65_536
   */
  readonly chunkBytes?: number;
}

/**
 * One JSON line (`JSON.stringify(value) + '\n'`) per value, lazily. A value JSON cannot represent
 * (`undefined`, a function, a symbol) is a TypeError naming its index rather than a silent gap.
 *
 * @example
 * for await (const line of encodeJsonl(requests)) output.write(line);
 */
export async function* encodeJsonl(values: Iterable<unknown> | AsyncIterable<unknown>): AsyncGenerator<string> {
  let index = 0;
  // Sync iterables are walked without an `await` per value, which would dominate the cost.
  if (isAsyncIterable(values)) {
    for await (const value of values) yield toJsonLine(value, index++);
  } else {
    for (const value of values) yield toJsonLine(value, index++);
  }
}

/**
 * The JSONL encoding of `values` as UTF-8 byte chunks of exactly `chunkBytes` (the last one
 * shorter), for streaming uploads: memory stays at one chunk plus one line, whatever the file size.
 * Each yielded chunk is a fresh buffer the consumer may keep.
 *
 * @example
 * const file = await toFile(Readable.from(encodeJsonlChunks(lines)), 'batch.jsonl');
 */
export async function* encodeJsonlChunks(
  values: Iterable<unknown> | AsyncIterable<unknown>,
  options: EncodeJsonlChunksOptions = {},
): AsyncGenerator<Uint8Array> {
  const { chunkBytes = 65_536 } = options;
  if (typeof chunkBytes !== 'number' || !Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new TypeError(`Expected option "chunkBytes" to be a positive integer, got ${String(chunkBytes)}`);
  }
  const encoder = new TextEncoder();
  let buffer = new Uint8Array(chunkBytes);
  let filled = 0;
  let index = 0;
  // Chunks completed by the current line, handed out before the next value is read.
  const completed: Uint8Array[] = [];

  const complete = (): void => {
    completed.push(buffer);
    buffer = new Uint8Array(chunkBytes);
    filled = 0;
  };

  const append = (value: unknown): void => {
    const line = toJsonLine(value, index++);
    // Fast path: encode straight into the free part of the chunk.
    const { read, written } = encoder.encodeInto(line, buffer.subarray(filled));
    filled += written;
    if (read < line.length) {
      // The line did not fit: the rest goes through a copy so that every chunk is filled to the
      // byte, even when the boundary falls inside a multi-byte character.
      let rest = encoder.encode(line.slice(read));
      while (rest.length > 0) {
        const taken = Math.min(rest.length, chunkBytes - filled);
        buffer.set(rest.subarray(0, taken), filled);
        filled += taken;
        rest = rest.subarray(taken);
        if (filled === chunkBytes) complete();
      }
    } else if (filled === chunkBytes) {
      complete();
    }
  };

  if (isAsyncIterable(values)) {
    for await (const value of values) {
      append(value);
      if (completed.length > 0) yield* completed.splice(0);
    }
  } else {
    for (const value of values) {
      append(value);
      if (completed.length > 0) yield* completed.splice(0);
    }
  }
  if (filled > 0) yield buffer.slice(0, filled);
}

function toJsonLine(value: unknown, index: number): string {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) {
    throw new TypeError(`Value at index ${index} cannot be encoded as JSON (got ${typeof value})`);
  }
  return `${json}\n`;
}

function isAsyncIterable(values: Iterable<unknown> | AsyncIterable<unknown>): values is AsyncIterable<unknown> {
  return typeof (values as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}
