/** Options of {@link runWorkerPool}. */
export interface WorkerPoolOptions<T> {
  /** Pulled lazily: only as far ahead as `maxQueueSize` allows. */
  readonly source: AsyncIterable<T>;
  readonly concurrency: number;
  /** Most items read from `source` and not yet taken by a worker. */
  readonly maxQueueSize: number;
  /** Processes one item. A rejection stops the pool and is rethrown by `runWorkerPool`. */
  readonly handle: (item: T, worker: WorkerContext) => Promise<void>;
  /**
   * Most items that may wait in {@link WorkerContext.park} at once, each having handed its worker
   * to a new item meanwhile. @default 0 (a waiting item keeps its worker)
   */
  readonly maxParked?: number;
  /** Stops scheduling: no new item is taken; items in hand finish (their `handle` sees its own signal). */
  readonly signal: AbortSignal;
  readonly onWorkerStarted?: (worker: number) => void;
  readonly onWorkerStopped?: (worker: number) => void;
}

/** What `handle` gets besides its item. */
export interface WorkerContext {
  /** The worker's number: 0 to `concurrency - 1`, then up to `concurrency + maxParked - 1` for workers lent by parked items. */
  readonly worker: number;
  /**
   * Waits for `wait` (a retry delay, say) without holding a worker: while it waits, another item may
   * start, so that at most `concurrency` items are being worked on outside `park`. Past `maxParked`
   * items parked at once, or with nothing left to start, it simply waits.
   */
  park<R>(wait: Promise<R>): Promise<R>;
}

/**
 * Runs up to `concurrency` workers over an async iterable through a bounded queue, so memory holds at
 * most `maxQueueSize + concurrency + maxParked` items however long the source is. Workers start as
 * items arrive, so a short source costs as many workers as it has items, whatever `concurrency` is.
 * An item that parks (waits out a retry delay) lends its worker to a new item, so waits do not idle
 * the pool. Resolves once the source is exhausted (or scheduling stopped) and every worker is idle;
 * rejects with the first error of the source or of `handle`, after the other workers have finished
 * what they hold.
 */
export async function runWorkerPool<T>(options: WorkerPoolOptions<T>): Promise<void> {
  const { signal } = options;
  const queue: T[] = [];
  let queueHead = 0;
  let sourceDone = false;
  let failure: { error: unknown } | undefined;
  const maxParked = options.maxParked ?? 0;
  // Items being worked on outside `park`; workers beyond `concurrency` stop after their item.
  let active = 0;
  let parked = 0;
  let nextWorker = 0;
  // Numbers of stopped workers, reused so that numbers stay below concurrency + maxParked.
  const freeNumbers: number[] = [];
  const running = new Set<Promise<void>>();

  // Workers waiting in `take` for an item. A plain list, woken one at a time or all in a loop: a chain
  // of callbacks (each calling the one before) overflows the stack once thousands of workers wait.
  const idleWorkers: (() => void)[] = [];
  let notifySpace: (() => void) | undefined;

  const wakeOneWorker = (): void => {
    idleWorkers.pop()?.();
  };
  const wakeWorkers = (): void => {
    for (const wake of idleWorkers.splice(0)) wake();
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
        if (idleWorkers.length > 0) wakeOneWorker();
        else if (active < options.concurrency) startWorker();
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
        // Another item waiting (a woken worker was beaten to its item): pass the wake-up on.
        if (queueHead < queue.length) wakeOneWorker();
        return { item };
      }
      if (sourceDone) return undefined;
      await new Promise<void>((resolve) => idleWorkers.push(resolve));
    }
  };

  const startWorker = (): void => {
    const worker = freeNumbers.pop() ?? nextWorker++;
    const done = work(worker).finally(() => {
      running.delete(done);
      freeNumbers.push(worker);
    });
    running.add(done);
  };

  const park = async <R>(wait: Promise<R>): Promise<R> => {
    if (parked >= maxParked) return wait;
    parked += 1;
    active -= 1;
    // An item already queued gets the lent worker now; a later one starts a worker as it arrives.
    if (!stopped() && queueHead < queue.length && active < options.concurrency) startWorker();
    try {
      return await wait;
    } finally {
      parked -= 1;
      active += 1;
    }
  };

  const work = async (worker: number): Promise<void> => {
    options.onWorkerStarted?.(worker);
    const context: WorkerContext = { worker, park };
    try {
      while (active < options.concurrency) {
        active += 1;
        const next = await take();
        if (next === undefined) {
          active -= 1;
          return;
        }
        try {
          await options.handle(next.item, context);
        } catch (error) {
          failure ??= { error };
          onAbort();
          return;
        } finally {
          active -= 1;
        }
      }
    } finally {
      options.onWorkerStopped?.(worker);
    }
  };

  try {
    // Workers start as the producer queues items; once it is done, only parked items start more.
    await produce();
    // Workers may start while others run (for parked items): wait until none is left.
    while (running.size > 0) await Promise.all([...running]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure.error;
}
