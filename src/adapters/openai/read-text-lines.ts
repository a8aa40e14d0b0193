/**
 * Splits a byte stream into text lines without holding more than one line (plus one chunk) in
 * memory. Handles `\r\n`, multi-byte characters cut between chunks, and a last line without a
 * newline. Empty lines are skipped. `number` is 1-based.
 */
export async function* readTextLines(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<TextLine> {
  for await (const batch of readTextLineBatches(source)) yield* batch;
}

/** A line of {@link readTextLines}. */
export interface TextLine {
  line: string;
  number: number;
  complete: boolean;
}

/**
 * The lines of {@link readTextLines}, one array per chunk of the source: a reader of a large file
 * (a 200 MB output file) takes one generator step per chunk instead of one per line.
 */
export async function* readTextLineBatches(source: AsyncIterable<Uint8Array>): AsyncGenerator<TextLine[]> {
  const decoder = new TextDecoder('utf-8');
  let buffered = '';
  let number = 0;
  for await (const chunk of source) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines: TextLine[] = [];
    let start = 0;
    let newline = buffered.indexOf('\n', start);
    while (newline !== -1) {
      number += 1;
      const line = trimCarriageReturn(buffered.slice(start, newline));
      if (line.trim() !== '') lines.push({ line, number, complete: true });
      start = newline + 1;
      newline = buffered.indexOf('\n', start);
    }
    buffered = buffered.slice(start);
    if (lines.length > 0) yield lines;
  }
  buffered += decoder.decode();
  if (buffered.trim() !== '') {
    number += 1;
    // No newline at the end: complete if it parses, which the caller decides.
    yield [{ line: trimCarriageReturn(buffered), number, complete: false }];
  }
}

function trimCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
