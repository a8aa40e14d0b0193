/*
 * A set of request ids that stays small for a million of them. Up to `exactLimit` ids it is a plain
 * `Map` (exact). Past that it keeps only a 64-bit hash of each id (two independent 32-bit hashes)
 * and the position it was first seen at, in an open-addressing table of typed arrays that doubles
 * as it fills: 12 bytes a slot (8 without positions), at most half the slots used, about 24 MB for a million ids where a
 * `Map` of the strings takes more than 100 MB. A hit in that table is only a suspect (two ids may
 * share a hash): the caller confirms it exactly, by the ids themselves (see `plan-job.ts` and
 * `read-results.ts`).
 */

/** Two independent 32-bit hashes of a string's UTF-16 code units. */
export type IdHash = (id: string) => readonly [number, number];

export interface IdTableOptions {
  /** Ids kept exactly (a `Map`) before the table switches to hashes. @default 65536 */
  readonly exactLimit?: number;
  /** The hash (tests force collisions with a poor one). @default {@link hashId} */
  readonly hash?: IdHash;
  /** How many ids are expected: the table is made that large at once, with no doubling on the way. */
  readonly expected?: number;
  /** Whether {@link IdTable.add} tells the first position of a hit (4 more bytes a slot). @default true */
  readonly positions?: boolean;
}

/** FNV-1a and a murmur3-style mix, each over the UTF-16 code units: 64 bits together. */
export function hashId(id: string): readonly [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ id.length;
  for (let index = 0; index < id.length; index++) {
    const unit = id.charCodeAt(index);
    a = Math.imul(a ^ unit, 0x01000193);
    let k = Math.imul(unit, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b ^= Math.imul(k, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  b ^= b >>> 16;
  b = Math.imul(b, 0x85ebca6b);
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

const initialCapacity = 1 << 17;

export class IdTable {
  readonly #exactLimit: number;
  readonly #hash: IdHash;
  readonly #expected: number;
  readonly #keepPositions: boolean;
  #exact: Map<string, number> | undefined = new Map();
  /** The two hashes of an id; (0, 0) is an empty slot (an id that hashes to it is stored as (0, 1)). */
  #first = new Uint32Array(0);
  #second = new Uint32Array(0);
  /** The first position of each slot's hash, when kept. */
  #positions: Uint32Array | undefined;
  #capacity = 0;
  #size = 0;

  constructor(options: IdTableOptions = {}) {
    this.#exactLimit = options.exactLimit ?? 65_536;
    this.#hash = options.hash ?? hashId;
    this.#expected = options.expected ?? 0;
    this.#keepPositions = options.positions ?? true;
  }

  /** Whether a hit of {@link add} is certain (the ids are still kept as strings). */
  get exact(): boolean {
    return this.#exact !== undefined;
  }

  get size(): number {
    return this.#exact?.size ?? this.#size;
  }

  /**
   * Adds `id`, first seen at `position` (0 to 2^32 - 1). Returns -1 when it is new, else the
   * position of the id seen first with it (the same id when {@link exact}, else the same hash;
   * 0 when the table keeps no positions).
   */
  add(id: string, position: number): number {
    const exact = this.#exact;
    if (exact !== undefined) {
      const first = exact.get(id);
      if (first !== undefined) return first;
      if (exact.size < this.#exactLimit) {
        exact.set(id, position);
        return -1;
      }
      this.#exact = undefined;
      this.#resize(Math.max(initialCapacity, nextPowerOfTwo(exact.size * 4), nextPowerOfTwo(this.#expected * 2)));
      for (const [known, at] of exact) this.#insert(this.#hash(known), at);
    }
    const hash = this.#hash(id);
    return this.#insert(hash, position);
  }

  #insert(hash: readonly [number, number], position: number): number {
    if ((this.#size + 1) * 2 > this.#capacity) this.#resize(this.#capacity * 2);
    const first = hash[0];
    const second = first === 0 && hash[1] === 0 ? 1 : hash[1];
    const mask = this.#capacity - 1;
    let slot = (first ^ Math.imul(second, 0x9e3779b1)) & mask;
    for (;;) {
      const storedFirst = this.#first[slot]!;
      const storedSecond = this.#second[slot]!;
      if (storedFirst === 0 && storedSecond === 0) {
        this.#first[slot] = first;
        this.#second[slot] = second;
        if (this.#positions) this.#positions[slot] = position;
        this.#size++;
        return -1;
      }
      if (storedFirst === first && storedSecond === second) return this.#positions ? this.#positions[slot]! : 0;
      slot = (slot + 1) & mask;
    }
  }

  #resize(capacity: number): void {
    const first = this.#first;
    const second = this.#second;
    const positions = this.#positions;
    const old = this.#capacity;
    this.#first = new Uint32Array(capacity);
    this.#second = new Uint32Array(capacity);
    this.#positions = this.#keepPositions ? new Uint32Array(capacity) : undefined;
    this.#capacity = capacity;
    this.#size = 0;
    for (let slot = 0; slot < old; slot++) {
      if (first[slot] !== 0 || second[slot] !== 0) this.#insert([first[slot]!, second[slot]!], positions ? positions[slot]! : 0);
    }
  }
}

function nextPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}
