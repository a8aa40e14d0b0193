/**
 * Seeded randomness for the emulator. Every random choice (faults, latency, answers, ids) draws from
 * here so that a run with the same seed and the same requests behaves the same way.
 */

/** A pseudo-random source returning floats in [0, 1). */
export type RandomSource = () => number;

/** Mulberry32: tiny, fast and good enough for test traffic; not for anything security related. */
export function createRandomSource(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash: stable across runs and platforms, cheap on short strings. */
export function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Creates provider-looking ids (`file-…`, `batch_…`) from a seeded source. */
export function createIdFactory(random: RandomSource): (prefix: string, length?: number) => string {
  return (prefix, length = 24) => {
    let id = prefix;
    for (let index = 0; index < length; index += 1) {
      id += alphabet[Math.floor(random() * alphabet.length)];
    }
    return id;
  };
}

/** Fisher-Yates shuffle in place with a seeded source. */
export function shuffleInPlace<T>(items: T[], random: RandomSource): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const swap = items[index] as T;
    items[index] = items[other] as T;
    items[other] = swap;
  }
  return items;
}
