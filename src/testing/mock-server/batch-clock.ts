/**
 * The clock that drives batch lifecycles. Batches hold only their creation / cancel times and derive
 * their state from this clock whenever they are read, so `advance()` can jump hours ahead without
 * timers firing in between.
 */

export class BatchClock {
  private offsetMs = 0;
  private readonly manualStart: number;

  constructor(private readonly mode: 'real' | 'manual') {
    this.manualStart = Date.now();
  }

  /** Epoch milliseconds on the batch clock. */
  now(): number {
    return (this.mode === 'manual' ? this.manualStart : Date.now()) + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`advance(ms) expects a non-negative number, got ${String(ms)}`);
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/**
 * Offset from the start of processing at which item `index` (of `total`) finishes. Items finish one
 * after another, evenly over the total duration or at a fixed pace per request.
 */
export function itemFinishOffset(index: number, total: number, processingMs: number | { readonly perRequest: number }): number {
  if (typeof processingMs === 'number') return total === 0 ? 0 : Math.round((processingMs * (index + 1)) / total);
  return processingMs.perRequest * (index + 1);
}

/** Total processing duration of a batch of `total` items. */
export function processingDuration(total: number, processingMs: number | { readonly perRequest: number }): number {
  return total === 0 ? 0 : itemFinishOffset(total - 1, total, processingMs);
}

/** Number of items finished after `elapsed` ms of processing. */
export function finishedCount(elapsed: number, total: number, processingMs: number | { readonly perRequest: number }): number {
  if (elapsed <= 0 || total === 0) return 0;
  if (typeof processingMs === 'number') {
    if (processingMs <= 0) return total;
    return Math.min(total, Math.floor((elapsed * total) / processingMs + 1e-9));
  }
  if (processingMs.perRequest <= 0) return total;
  return Math.min(total, Math.floor(elapsed / processingMs.perRequest + 1e-9));
}

/** ISO 8601 / RFC 3339 timestamp as Anthropic sends it. */
export function rfc3339(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Unix seconds as OpenAI sends them. */
export function unixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
