import { describe, expect, it } from 'vitest';
import { Utf8LineChecker } from '../../src/cli/utf8-line-checker.js';

function check(bytes: Uint8Array, chunkSize = bytes.length || 1): number[] {
  const checker = new Utf8LineChecker();
  for (let start = 0; start < bytes.length; start += chunkSize) checker.push(bytes.subarray(start, start + chunkSize));
  checker.end();
  return [...checker.invalidLines].sort((left, right) => left - right);
}

/** The lines a strict decoder refuses, one line at a time: what the checker must find. */
function strictlyInvalidLines(bytes: Uint8Array): number[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const invalid: number[] = [];
  let line = 1;
  let start = 0;
  for (let index = 0; index <= bytes.length; index++) {
    if (index === bytes.length || bytes[index] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, index));
      } catch {
        invalid.push(line);
      }
      line += 1;
      start = index + 1;
    }
  }
  return invalid;
}

describe('Utf8LineChecker', () => {
  it('finds nothing in valid text, characters split between chunks included', () => {
    const bytes = Buffer.from('{"a":"é"}\n{"b":"日本語"}\n{"c":"🙂 \uFFFD"}\n');
    for (const size of [1, 2, 3, 5, 64]) expect(check(bytes, size)).toEqual([]);
  });

  it('names the line of a Latin-1 byte, a lone continuation byte, an overlong form and a surrogate', () => {
    const bytes = Buffer.concat([
      Buffer.from('ok\n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), // "café" in Latin-1
      Buffer.from('ok\n'),
      Buffer.from([0x80, 0x0a]),
      Buffer.from([0xc0, 0xaf, 0x0a]),
      Buffer.from([0xed, 0xa0, 0x80, 0x0a]),
    ]);
    for (const size of [1, 3, 1024]) expect(check(bytes, size)).toEqual([2, 4, 5, 6]);
  });

  it('names a last line cut in the middle of a character', () => {
    expect(check(Buffer.from([0x61, 0x0a, 0xe6, 0x97]))).toEqual([2]);
  });

  it('agrees with a strict decoder on random bytes cut into random chunks', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = ['a', '\n', 'é', '日', '🙂', '\uFFFD'].map((text) => Buffer.from(text));
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      for (let index = 0; index < 60; index++) {
        parts.push(random() < 0.1 ? Buffer.from([Math.floor(random() * 256)]) : (pieces[Math.floor(random() * pieces.length)] as Buffer));
      }
      const bytes = Buffer.concat(parts);
      expect(check(bytes, 1 + Math.floor(random() * 9))).toEqual(strictlyInvalidLines(bytes));
    }
  });
});
