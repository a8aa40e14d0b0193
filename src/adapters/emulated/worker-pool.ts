/** Options of {@link runWorkerPool}. */
export interface WorkerPoolOptions<T> {
  /** Pulled lazily: only as far ahead as `maxQueueSize` allows. */
  readonly source: AsyncIterable<T>;
  readonly concurrency: number;
  /** Most items read from `source` and not yet taken by a worker. */
  readonly maxQueueSize: number;
  /** Processes one item. A rejection stops the pool and is rethrown by `runWorkerPool`. */
  readonly handle: (item: T, worker: number) => Promise<void>;
  /** Stops scheduling: no new item is taken; items in hand finish (their `handle` sees its own signal). */
  readonly signal: AbortSignal;
  readonly onWorkerStarted?: (worker: number) => void;
  readonly onWorkerStopped?: (worker: number) => void;
}

/**
 * Runs `concurrency` workers over an async iterable through a bounded queue, so memory holds at most
 * `maxQueueSize + concurrency` items however long the source is. Resolves once the source is exhausted
 * (or scheduling stopped) and every worker is idle; rejects with the first error of the source or of
 * `handle`, after the other workers have finished what they hold.
 */
export async function runWorkerPool<T>(options: WorkerPoolOptions<T>): Promise<void> {
  const { signal } = options;
  const queue: T[] = [];
  let queueHead = 0;
  let sourceDone = false;
  let failure: { error: unknown } | undefined;
  let notifyItem: (() => void) | undefined;
  let notifySpace: (() => void) | undefined;

  const wakeWorkers = (): void => {
    const notify = notifyItem;
    notifyItem = undefined;
    notify?.();
  };
  const wakeProducer = (): void => {
    const notify = notifySpace;
    notifySpace = undefined;
    notify?.();
  };
  const stopped = (): boolean => signal.aborted || failure !== undefined;
  const onAbort = (): void => {
    wakeWorkers();
    wakeProducer();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  const produce = async (): Promise<void> => {
    const iterator = options.source[Symbol.asyncIterator]();
    try {
      while (!stopped()) {
        if (queue.length - queueHead >= options.maxQueueSize) {
          await new Promise<void>((resolve) => (notifySpace = resolve));
          continue;
        }
        const next = await iterator.next();
        if (next.done) break;
        queue.push(next.value);
        wakeWorkers();
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      sourceDone = true;
      wakeWorkers();
      // Lets a generator run its `finally` (close files) when scheduling stops early.
      if (stopped()) await iterator.return?.().catch(() => undefined);
    }
  };

  const take = async (): Promise<{ item: T } | undefined> => {
    for (;;) {
      if (stopped()) return undefined;
      if (queueHead < queue.length) {
        const item = queue[queueHead] as T;
        queue[queueHead] = undefined as T;
        queueHead += 1;
        if (queueHead > 1024 && queueHead * 2 > queue.length) {
          queue.splice(0, queueHead);
          queueHead = 0;
        }
        wakeProducer();
        return { item };
      }
      if (sourceDone) return undefined;
      // Several workers may wait; each wake-up lets all of them re-check, one at a time.
      await new Promise<void>((resolve) => {
        const previous = notifyItem;
        notifyItem = () => {
          previous?.();
          resolve();
        };
      });
    }
  };

  const work = async (worker: number): Promise<void> => {
    options.onWorkerStarted?.(worker);
    try {
      for (;;) {
        const next = await take();
        if (next === undefined) return;
        try {
          await options.handle(next.item, worker);
        } catch (error) {
          failure ??= { error };
          onAbort();
          return;
        }
      }
    } finally {
      options.onWorkerStopped?.(worker);
    }
  };

  try {
    const workers = Array.from({ length: options.concurrency }, (_, index) => work(index));
    await Promise.all([produce(), ...workers]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure.error;
}
