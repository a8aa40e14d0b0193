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
  for await (const value of values) {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) {
      throw new TypeError(`Value at index ${index} cannot be encoded as JSON (got ${typeof value})`);
    }
    yield `${json}\n`;
    index++;
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
  for await (const line of encodeJsonl(values)) {
    let bytes = encoder.encode(line);
    while (bytes.length > 0) {
      const taken = Math.min(bytes.length, chunkBytes - filled);
      buffer.set(bytes.subarray(0, taken), filled);
      filled += taken;
      bytes = bytes.subarray(taken);
      if (filled === chunkBytes) {
        yield buffer;
        buffer = new Uint8Array(chunkBytes);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.slice(0, filled);
}
