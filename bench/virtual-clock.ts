/**
 * A virtual clock for policy simulations: replaces setTimeout/clearTimeout/setInterval/clearInterval,
 * Date.now and performance.now in this process, and runs the timers in time order whenever the
 * process has nothing else to do (no microtask, no pending I/O callback). Time costs nothing, so a
 * run measures the scheduling policy alone (retries, backoffs, cooldowns, windows), free of the CPU
 * load of a shared machine.
 */
interface VirtualTimer {
  readonly id: number;
  at: number;
  readonly callback: () => void;
  readonly intervalMs: number | undefined;
  cancelled: boolean;
}

const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
let now = 1_800_000_000_000;
let nextId = 1;
let timers: VirtualTimer[] = [];

function handle(timer: VirtualTimer): object {
  const result = {
    ref: () => result,
    unref: () => result,
    hasRef: () => true,
    refresh: () => {
      timer.at = now + (timer.intervalMs ?? 0);
      return result;
    },
    [Symbol.toPrimitive]: () => timer.id,
    virtualTimer: timer,
  };
  return result;
}

function add(callback: (...args: unknown[]) => void, delayMs: unknown, args: unknown[], interval: boolean): object {
  const ms = Math.max(1, Number(delayMs) || 0);
  const timer: VirtualTimer = { id: nextId++, at: now + ms, callback: () => callback(...args), intervalMs: interval ? ms : undefined, cancelled: false };
  timers.push(timer);
  return handle(timer);
}

function cancel(value: unknown): void {
  const timer = (value as { virtualTimer?: VirtualTimer } | undefined)?.virtualTimer;
  if (timer !== undefined) timer.cancelled = true;
}

/** Installs the virtual clock (once, before the code under test is loaded). */
export function installVirtualClock(): void {
  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, delayMs?: number, ...args: unknown[]) => add(callback, delayMs, args, false)) as unknown as typeof setTimeout;
  globalThis.setInterval = ((callback: (...args: unknown[]) => void, delayMs?: number, ...args: unknown[]) => add(callback, delayMs, args, true)) as unknown as typeof setInterval;
  globalThis.clearTimeout = cancel as typeof clearTimeout;
  globalThis.clearInterval = cancel as typeof clearInterval;
  Date.now = () => Math.floor(now);
  performance.now = () => now - 1_800_000_000_000;
}

/** Virtual milliseconds since the clock was installed. */
export function virtualNow(): number {
  return now - 1_800_000_000_000;
}

/** Runs `work` to its end, advancing virtual time to the next timer whenever nothing else is left to run. */
export async function runVirtually<T>(work: () => Promise<T>): Promise<T> {
  let settled = false;
  const promise = work().finally(() => {
    settled = true;
  });
  promise.catch(() => {});
  let idleRounds = 0;
  while (!settled) {
    // Let microtasks and ready I/O run first.
    await new Promise<void>((resolve) => realSetImmediate(resolve));
    if (settled) break;
    timers = timers.filter((timer) => !timer.cancelled);
    if (timers.length === 0) {
      // Only real I/O is pending (a file write, say): wait for it in real time.
      if (++idleRounds > 10_000) throw new Error('virtual clock: nothing left to run and the work has not ended');
      await new Promise<void>((resolve) => realSetTimeout(resolve, 1));
      continue;
    }
    idleRounds = 0;
    let earliest = timers[0] as VirtualTimer;
    for (const timer of timers) if (timer.at < earliest.at || (timer.at === earliest.at && timer.id < earliest.id)) earliest = timer;
    now = Math.max(now, earliest.at);
    if (earliest.intervalMs === undefined) earliest.cancelled = true;
    else earliest.at = now + earliest.intervalMs;
    earliest.callback();
  }
  return promise;
}
