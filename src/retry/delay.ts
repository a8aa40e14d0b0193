import { AbortError } from '../errors/abort-error.js';

/** The longest delay `setTimeout` honours; longer values would fire at once. */
const maxTimerDelayMs = 2_147_483_647;

/** Options of {@link delay}. */
export interface DelayOptions {
  /** Rejects the wait with an `AbortError` as soon as this signal aborts. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Waits `milliseconds` (clamped to 0 … 2^31−1). Abortable: an abort rejects at once with an
 * `AbortError`, and either way the timer is cleared and the abort listener removed, so a long-lived
 * signal does not collect one listener per wait.
 *
 * @example
 * await delay(1_000, { signal });
 */
export function delay(milliseconds: number, options: DelayOptions = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  const wait = Number.isFinite(milliseconds) ? Math.min(Math.max(0, milliseconds), maxTimerDelayMs) : maxTimerDelayMs;

  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new AbortError(undefined, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, wait);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
