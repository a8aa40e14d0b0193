import type { BatchResult } from '../../models/batch-result.js';
import type { RunEvent } from '../../models/run-event.js';

// A job's run over time, for the viewer's charts: what ended, was retried and was refused (429) per
// interval, the shared cooldowns and the concurrency window. From the results' `finishedAt` and the
// run events the store journaled; a job journaled before either existed has none.

/** Intervals a timeline is cut into, at most. */
const maxIntervals = 60;
/** Points of the concurrency line, at most (the last size of each slice of the run). */
const maxWindowPoints = 300;

export interface TimelineInterval {
  succeeded: number;
  failed: number;
  other: number;
  /** Calls tried again (from the run events; else from the results' attempts, at their end). */
  retried: number;
  /** Calls answered 429 (or 529). */
  rateLimited: number;
}

export interface RunTimeline {
  /** Epoch milliseconds of the first interval's start. */
  readonly start: number;
  readonly end: number;
  readonly intervalMs: number;
  readonly intervals: TimelineInterval[];
  /** Whether the store journaled run events for this job (emulated runs). */
  readonly hasRunEvents: boolean;
  readonly cooldowns: { start: number; end: number }[];
  readonly concurrency: { at: number; size: number }[];
}

/** Collects what a timeline needs while the journal is read once. */
export class TimelineBuilder {
  readonly #finished: number[] = [];
  /** 0 succeeded, 1 failed, 2 other: aligned with `#finished`. */
  readonly #kinds: number[] = [];
  /** Retries told by the results' attempts, at their end (used when there are no run events). */
  readonly #retriedAt: number[] = [];

  add(result: BatchResult): void {
    if (result.finishedAt === undefined) return;
    this.#finished.push(result.finishedAt);
    this.#kinds.push(result.status === 'succeeded' ? 0 : result.status === 'failed' ? 1 : 2);
    const attempts = 'attempts' in result ? result.attempts : undefined;
    if (attempts !== undefined && attempts > 1) for (let retry = 1; retry < attempts; retry++) this.#retriedAt.push(result.finishedAt);
  }

  build(events: readonly RunEvent[]): RunTimeline | undefined {
    if (this.#finished.length === 0 && events.length === 0) return undefined;
    let start = Infinity;
    let end = -Infinity;
    for (const at of this.#finished) {
      if (at < start) start = at;
      if (at > end) end = at;
    }
    for (const event of events) {
      if (event.at < start) start = event.at;
      if (event.at > end) end = event.at;
    }
    const intervalMs = Math.max(20, Math.ceil((end - start + 1) / maxIntervals));
    const count = Math.max(1, Math.ceil((end - start + 1) / intervalMs));
    const intervals: TimelineInterval[] = Array.from({ length: count }, () => ({ succeeded: 0, failed: 0, other: 0, retried: 0, rateLimited: 0 }));
    const slot = (at: number) => intervals[Math.min(count - 1, Math.max(0, Math.floor((at - start) / intervalMs)))]!;
    this.#finished.forEach((at, index) => {
      const interval = slot(at);
      const kind = this.#kinds[index];
      if (kind === 0) interval.succeeded++;
      else if (kind === 1) interval.failed++;
      else interval.other++;
    });
    const cooldowns: { start: number; end: number }[] = [];
    const concurrency: { at: number; size: number }[] = [];
    let open: { start: number; planned: number } | undefined;
    const windowSlice = Math.max(1, (end - start + 1) / maxWindowPoints);
    for (const event of events) {
      switch (event.type) {
        case 'retry':
          slot(event.at).retried++;
          break;
        case 'rate_limited':
          slot(event.at).rateLimited++;
          break;
        case 'cooldown_started':
          if (open !== undefined) cooldowns.push({ start: open.start, end: open.planned });
          open = { start: event.at, planned: event.at + event.durationMs };
          break;
        case 'cooldown_ended':
          cooldowns.push({ start: open?.start ?? event.at - event.durationMs, end: event.at });
          open = undefined;
          break;
        case 'concurrency': {
          const last = concurrency[concurrency.length - 1];
          // The last size of each slice of the run: a long run keeps a few hundred points.
          if (last !== undefined && Math.floor((last.at - start) / windowSlice) === Math.floor((event.at - start) / windowSlice) && concurrency.length > 1) {
            concurrency[concurrency.length - 1] = { at: event.at, size: event.size };
          } else concurrency.push({ at: event.at, size: event.size });
          break;
        }
      }
    }
    if (open !== undefined) cooldowns.push({ start: open.start, end: Math.max(open.planned, open.start) });
    const hasRunEvents = events.length > 0;
    if (!hasRunEvents) for (const at of this.#retriedAt) slot(at).retried++;
    return { start, end, intervalMs, intervals, hasRunEvents, cooldowns, concurrency };
  }
}
