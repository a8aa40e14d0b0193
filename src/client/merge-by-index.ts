import type { StoredRequest } from '../store/batch-store.js';

/**
 * Merges streams that are each sorted by `index` into one stream in input order. Parts are few,
 * so a linear scan of the heads beats a heap here.
 */
export async function* mergeByIndex(streams: AsyncIterable<StoredRequest>[]): AsyncGenerator<StoredRequest> {
  const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
  const heads: Array<StoredRequest | undefined> = await Promise.all(
    iterators.map(async (iterator) => {
      const next = await iterator.next();
      return next.done ? undefined : next.value;
    }),
  );
  try {
    while (true) {
      let smallest = -1;
      for (let position = 0; position < heads.length; position++) {
        const head = heads[position];
        if (head && (smallest === -1 || head.index < (heads[smallest] as StoredRequest).index)) smallest = position;
      }
      if (smallest === -1) return;
      yield heads[smallest] as StoredRequest;
      const next = await (iterators[smallest] as AsyncIterator<StoredRequest>).next();
      heads[smallest] = next.done ? undefined : next.value;
    }
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
  }
}
