import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors/abort-error.js';
import { decodeJsonl, type JsonlLine, type MalformedJsonlLine, readJsonlFile } from '../../src/jsonl/decode-jsonl.js';

const encoder = new TextEncoder();

async function* chunks(...parts: (Uint8Array | string)[]): AsyncGenerator<Uint8Array | string> {
  for (const part of parts) yield part;
}

async function collect(source: AsyncIterable<JsonlLine>): Promise<JsonlLine[]> {
  const lines: JsonlLine[] = [];
  for await (const line of source) lines.push(line);
  return lines;
}

// Multi-byte characters of 2, 3 and 4 bytes, a CRLF line end, a blank line and no final newline.
const sample = '{"text":"é"}\r\n\n{"text":"€ ✓"}\n  \n{"emoji":"🦀","n":3}';
const expected = [
  { line: 1, value: { text: 'é' } },
  { line: 3, value: { text: '€ ✓' } },
  { line: 5, value: { emoji: '🦀', n: 3 } },
];

describe('decodeJsonl', () => {
  it('decodes lines, skips blank ones, handles CRLF and a missing final newline', async () => {
    expect(await collect(decodeJsonl(chunks(encoder.encode(sample))))).toEqual(expected);
  });

  it('gives the same result with a chunk boundary at every byte position', async () => {
    const bytes = encoder.encode(sample);
    for (let split = 0; split <= bytes.length; split++) {
      const lines = await collect(decodeJsonl(chunks(bytes.slice(0, split), bytes.slice(split))));
      expect(lines, `split at byte ${split}`).toEqual(expected);
    }
  });

  it('gives the same result with every byte in its own chunk', async () => {
    const bytes = encoder.encode(sample);
    const single = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await collect(decodeJsonl(chunks(...single)))).toEqual(expected);
  });

  it('accepts string chunks split anywhere', async () => {
    for (let split = 0; split <= sample.length; split++) {
      const lines = await collect(decodeJsonl(chunks(sample.slice(0, split), sample.slice(split))));
      expect(lines, `split at character ${split}`).toEqual(expected);
    }
  });

  it('accepts a web ReadableStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"a":1}\n{"a"'));
        controller.enqueue(encoder.encode(':2}\n'));
        controller.close();
      },
    });
    expect(await collect(decodeJsonl(stream))).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: { a: 2 } },
    ]);
  });

  it('reports a malformed line with its 1-based number and goes on', async () => {
    const issues: MalformedJsonlLine[] = [];
    const lines = await collect(
      decodeJsonl(chunks('{"ok":1}\n{not json}\r\n{"ok":2}\n'), { onMalformed: (issue) => issues.push(issue) }),
    );
    expect(lines).toEqual([
      { line: 1, value: { ok: 1 } },
      { line: 3, value: { ok: 2 } },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 2, text: '{not json}' });
    expect(issues[0]?.error).toBeInstanceOf(SyntaxError);
  });

  it('reports a truncated last line as malformed', async () => {
    const issues: MalformedJsonlLine[] = [];
    const lines = await collect(decodeJsonl(chunks('{"ok":1}\n{"cut":"of'), { onMalformed: (issue) => issues.push(issue) }));
    expect(lines).toEqual([{ line: 1, value: { ok: 1 } }]);
    expect(issues.map((issue) => issue.line)).toEqual([2]);
  });

  it('skips malformed lines silently without onMalformed', async () => {
    expect(await collect(decodeJsonl(chunks('oops\n[1]\n')))).toEqual([{ line: 2, value: [1] }]);
  });

  it('strips a leading byte order mark', async () => {
    expect(await collect(decodeJsonl(chunks('\uFEFF{"a":1}\n')))).toEqual([{ line: 1, value: { a: 1 } }]);
    expect(await collect(decodeJsonl(chunks(Uint8Array.of(0xef, 0xbb, 0xbf), encoder.encode('{"a":1}'))))).toEqual([
      { line: 1, value: { a: 1 } },
    ]);
  });

  it('yields nothing for an empty source', async () => {
    expect(await collect(decodeJsonl(chunks()))).toEqual([]);
  });

  it('keeps a line that spans many chunks intact', async () => {
    const long = JSON.stringify({ text: 'x'.repeat(100_000) });
    const parts = long.match(/.{1,1000}/gs) ?? [];
    const lines = await collect(decodeJsonl(chunks(...parts, '\n')));
    expect(lines).toEqual([{ line: 1, value: { text: 'x'.repeat(100_000) } }]);
  });

  it('stops with an AbortError when the signal aborts between chunks', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const decoding = (async () => {
      for await (const { value } of decodeJsonl(chunks('{"a":1}\n', '{"a":2}\n', '{"a":3}\n'), { signal: controller.signal })) {
        seen.push(value);
        controller.abort();
      }
    })();
    await expect(decoding).rejects.toSatisfy((error) => AbortError.isInstance(error));
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('cancels a web stream when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode('{"a":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _line of decodeJsonl(stream)) break;
    expect(cancelled).toBe(true);
  });

  it('reads a stream without async iteration through its reader and cancels it on early stop', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode('{"a":1}\n{"a":2}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    // Only `getReader`, as in runtimes whose web streams are not async iterable.
    const readerOnly = { getReader: () => stream.getReader() } as unknown as ReadableStream<Uint8Array>;
    const values: unknown[] = [];
    for await (const { value } of decodeJsonl(readerOnly)) {
      values.push(value);
      if (values.length === 3) break;
    }
    expect(values).toEqual([{ a: 1 }, { a: 2 }, { a: 1 }]);
    expect(cancelled).toBe(true);
  });
});

describe('readJsonlFile', () => {
  it('streams a file from disk with line numbers and malformed-line reports', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'jsonl-'));
    try {
      const path = join(directory, 'input.jsonl');
      await writeFile(path, '{"id":"a"}\n\nnot json\n{"id":"b"}');
      const issues: number[] = [];
      const lines = await collect(readJsonlFile(path, { onMalformed: (issue) => issues.push(issue.line) }));
      expect(lines).toEqual([
        { line: 1, value: { id: 'a' } },
        { line: 4, value: { id: 'b' } },
      ]);
      expect(issues).toEqual([3]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('decodes a file larger than one read chunk', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'jsonl-'));
    try {
      const path = join(directory, 'big.jsonl');
      const count = 5_000;
      const text = Array.from({ length: count }, (_, index) => JSON.stringify({ index, pad: 'é'.repeat(20) })).join('\n');
      await writeFile(path, text);
      let seen = 0;
      for await (const { line, value } of readJsonlFile(path)) {
        expect(value).toEqual({ index: line - 1, pad: 'é'.repeat(20) });
        seen++;
      }
      expect(seen).toBe(count);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
