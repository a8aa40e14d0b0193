import { describe, expect, it } from 'vitest';
import { decodeJsonl } from '../../src/jsonl/decode-jsonl.js';
import { encodeJsonl, encodeJsonlChunks } from '../../src/jsonl/encode-jsonl.js';

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    total.set(part, offset);
    offset += part.length;
  }
  return total;
}

describe('encodeJsonl', () => {
  it('yields one line with a newline per value', async () => {
    expect(await collect(encodeJsonl([{ a: 1 }, 'text\nwith newline', [1, 2]]))).toEqual([
      '{"a":1}\n',
      '"text\\nwith newline"\n',
      '[1,2]\n',
    ]);
  });

  it('accepts an async iterable', async () => {
    async function* values() {
      yield 1;
      yield null;
    }
    expect(await collect(encodeJsonl(values()))).toEqual(['1\n', 'null\n']);
  });

  it('rejects a value JSON cannot encode, naming its index', async () => {
    await expect(collect(encodeJsonl([1, undefined]))).rejects.toThrow(/index 1/);
  });

  it('consumes values lazily', async () => {
    let produced = 0;
    function* values() {
      for (let index = 0; index < 1_000; index++) {
        produced++;
        yield index;
      }
    }
    for await (const _line of encodeJsonl(values())) break;
    expect(produced).toBe(1);
  });
});

describe('encodeJsonlChunks', () => {
  const values = Array.from({ length: 200 }, (_, index) => ({ index, text: `é€🦀 ${'x'.repeat(index % 37)}` }));

  it('yields chunks of exactly chunkBytes except the last', async () => {
    const parts = await collect(encodeJsonlChunks(values, { chunkBytes: 1_000 }));
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.slice(0, -1).every((part) => part.length === 1_000)).toBe(true);
    expect(parts.at(-1)?.length).toBeLessThanOrEqual(1_000);
  });

  it('round-trips through decodeJsonl, even with lines split inside characters', async () => {
    const parts = await collect(encodeJsonlChunks(values, { chunkBytes: 7 }));
    const decoded = await collect(decodeJsonl((async function* () { yield* parts; })()));
    expect(decoded.map((line) => line.value)).toEqual(values);
  });

  it('produces the same bytes as the joined lines', async () => {
    const parts = await collect(encodeJsonlChunks(values, { chunkBytes: 64 }));
    const expected = new TextEncoder().encode(values.map((value) => `${JSON.stringify(value)}\n`).join(''));
    expect(concat(parts)).toEqual(expected);
  });

  it('gives each chunk its own buffer', async () => {
    const parts = await collect(encodeJsonlChunks(values, { chunkBytes: 100 }));
    expect(new Set(parts.map((part) => part.buffer)).size).toBe(parts.length);
  });

  it('yields nothing for no values', async () => {
    expect(await collect(encodeJsonlChunks([]))).toEqual([]);
  });

  it('holds at most one chunk while reading a large lazy input', async () => {
    let produced = 0;
    function* many() {
      for (let index = 0; index < 100_000; index++) {
        produced++;
        yield { index, pad: 'y'.repeat(50) };
      }
    }
    const iterator = encodeJsonlChunks(many(), { chunkBytes: 65_536 });
    const first = await iterator.next();
    await iterator.return(undefined);
    expect(first.value?.length).toBe(65_536);
    // About 65,536 / 80 bytes per line, plus the line that crossed the boundary.
    expect(produced).toBeLessThan(1_000);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects chunkBytes %s with a TypeError naming it', async (chunkBytes) => {
    await expect(collect(encodeJsonlChunks([1], { chunkBytes }))).rejects.toThrow(/"chunkBytes"/);
  });
});
