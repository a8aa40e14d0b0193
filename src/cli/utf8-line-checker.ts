import { isUtf8 } from 'node:buffer';

/**
 * Finds the lines of a byte stream that are not valid UTF-8, which a decoder would otherwise turn
 * into U+FFFD without a word. Fed chunk by chunk (a character may be split between two chunks);
 * lines count from 1 and end at each `\n` byte. A `\n` byte is never part of a multi-byte character,
 * so these are the line numbers the JSONL decoder gives too. A U+FFFD written in the file itself is
 * valid UTF-8 and is not reported.
 *
 * @example
 * const checker = new Utf8LineChecker();
 * for await (const chunk of stream) checker.push(chunk);
 * checker.end();
 * checker.invalidLines; // Set { 3 }
 */
export class Utf8LineChecker {
  /** Lines holding at least one byte sequence that is not UTF-8. */
  readonly invalidLines = new Set<number>();
  #line = 1;
  /** Continuation bytes the current character still needs. */
  #needed = 0;
  /** Range of the next continuation byte (narrower after E0, ED, F0 and F4: no overlong forms, no surrogates). */
  #lower = 0x80;
  #upper = 0xbf;

  push(chunk: Uint8Array): void {
    let start = 0;
    // Finish a character cut at the end of the previous chunk.
    while (this.#needed > 0 && start < chunk.length) this.#step(chunk[start++] as number);
    const tail = Math.max(start, incompleteTailStart(chunk));
    // Most chunks are valid: one native check, then only their newlines are counted.
    const body = chunk.subarray(start, tail);
    if (isUtf8(body)) this.#countLines(body);
    else for (const byte of body) this.#step(byte);
    for (let index = tail; index < chunk.length; index++) this.#step(chunk[index] as number);
  }

  /** The input ended: a character still waiting for its continuation bytes is invalid. */
  end(): void {
    if (this.#needed > 0) this.#invalid();
  }

  #countLines(bytes: Uint8Array): void {
    for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, index + 1)) this.#line += 1;
  }

  #invalid(): void {
    this.invalidLines.add(this.#line);
    this.#needed = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }

  // The decoding algorithm of the WHATWG Encoding Standard, keeping only whether each byte fits.
  #step(byte: number): void {
    if (this.#needed > 0) {
      if (byte >= this.#lower && byte <= this.#upper) {
        this.#needed -= 1;
        this.#lower = 0x80;
        this.#upper = 0xbf;
        return;
      }
      // The character is cut short; this byte starts afresh.
      this.#invalid();
    }
    if (byte === 0x0a) this.#line += 1;
    else if (byte < 0x80) return;
    else if (byte >= 0xc2 && byte <= 0xdf) this.#needed = 1;
    else if (byte >= 0xe0 && byte <= 0xef) {
      if (byte === 0xe0) this.#lower = 0xa0;
      if (byte === 0xed) this.#upper = 0x9f;
      this.#needed = 2;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      if (byte === 0xf0) this.#lower = 0x90;
      if (byte === 0xf4) this.#upper = 0x8f;
      this.#needed = 3;
    } else this.#invalid();
  }
}

/** Where a character that the chunk's end cuts short begins; the chunk's length when none is cut. */
function incompleteTailStart(chunk: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= chunk.length; back++) {
    const byte = chunk[chunk.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? chunk.length - back : chunk.length;
  }
  return chunk.length;
}
