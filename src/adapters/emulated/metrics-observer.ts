import type { NativeJobEvent } from '../../provider/job-events.js';
import type { EmulatedEvent, EmulatedObserver } from './observers.js';

/** Upper bounds (seconds) of the latency histogram buckets. */
export const defaultLatencyBucketsSeconds: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Options of {@link metricsObserver}. */
export interface MetricsObserverOptions {
  /** Histogram bucket upper bounds in seconds (ascending). @default 0.05 … 120 */
  readonly latencyBucketsSeconds?: readonly number[];
  /** Prefix of every Prometheus metric name. @default 'llm_batch' */
  readonly prefix?: string;
}

/** A cumulative histogram: `counts[i]` observations at most `buckets[i]` seconds. */
export interface HistogramSnapshot {
  buckets: number[];
  counts: number[];
  count: number;
  sumSeconds: number;
}

/** Everything the metrics observer counted, as plain JSON. */
export interface MetricsSnapshot {
  jobsStarted: number;
  jobsCompleted: Record<string, number>;
  itemsStarted: number;
  /** Terminal items by status (succeeded, failed, cancelled, expired). */
  items: Record<string, number>;
  /** Failed items by error category. */
  failuresByCategory: Record<string, number>;
  /** Scheduled retries by error category. */
  retriesByCategory: Record<string, number>;
  rateLimitHits: number;
  overloadedHits: number;
  cooldowns: number;
  cooldownSeconds: number;
  workersActive: number;
  itemLatency: HistogramSnapshot;
  /** Native parts created at the provider. */
  partsSubmitted: number;
  /** Polls of native parts. */
  partPolls: number;
  /** Native parts ended, by status. */
  partsEnded: Record<string, number>;
}

/** An observer that counts events, with exports as JSON and in the Prometheus text format. */
export interface MetricsObserver extends EmulatedObserver {
  /** Counts an event of an emulated run or of a native part (pass it in the client's `observers` for both). */
  (event: EmulatedEvent | NativeJobEvent): void;
  toJSON(): MetricsSnapshot;
  /** Prometheus text exposition format (version 0.0.4). */
  toPrometheus(): string;
  reset(): void;
}

function increment(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

function emptySnapshot(buckets: readonly number[]): MetricsSnapshot {
  return {
    jobsStarted: 0,
    jobsCompleted: {},
    itemsStarted: 0,
    items: {},
    failuresByCategory: {},
    retriesByCategory: {},
    rateLimitHits: 0,
    overloadedHits: 0,
    cooldowns: 0,
    cooldownSeconds: 0,
    workersActive: 0,
    partsSubmitted: 0,
    partPolls: 0,
    partsEnded: {},
    itemLatency: { buckets: [...buckets], counts: buckets.map(() => 0), count: 0, sumSeconds: 0 },
  };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * Counts what jobs do: items by status (emulated and native), failures and retries by category,
 * 429s, cooldowns, active workers, an item latency histogram (emulated), and native parts
 * submitted, polled and ended. Pass it in `emulated({ observers })` or, for every mode, in
 * `createBatchClient({ observers })`; read it any time.
 *
 * @example
 * const metrics = metricsObserver();
 * const provider = emulated({ call: openaiChat(), observers: [metrics] });
 * // ... later, e.g. from an HTTP handler:
 * response.end(metrics.toPrometheus());
 */
export function metricsObserver(options: MetricsObserverOptions = {}): MetricsObserver {
  const buckets = options.latencyBucketsSeconds ?? defaultLatencyBucketsSeconds;
  if (!Array.isArray(buckets) || buckets.some((bound, index) => !(bound > 0) || (index > 0 && bound <= (buckets[index - 1] as number)))) {
    throw new TypeError(`metricsObserver: latencyBucketsSeconds must be ascending positive numbers, got ${JSON.stringify(buckets)}`);
  }
  const prefix = options.prefix ?? 'llm_batch';
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new TypeError(`metricsObserver: prefix must be a valid Prometheus metric name, got ${JSON.stringify(prefix)}`);
  }
  let snapshot = emptySnapshot(buckets);

  const observeLatency = (latencyMs: number): void => {
    const seconds = latencyMs / 1000;
    const histogram = snapshot.itemLatency;
    histogram.count += 1;
    histogram.sumSeconds += seconds;
    histogram.buckets.forEach((bound, index) => {
      if (seconds <= bound) histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
    });
  };

  const observer = (event: EmulatedEvent | NativeJobEvent): void => {
    switch (event.type) {
      case 'part.submitted':
        snapshot.partsSubmitted += 1;
        break;
      case 'part.polled':
        snapshot.partPolls += 1;
        break;
      case 'part.ended':
        increment(snapshot.partsEnded, event.status);
        break;
      case 'item.result':
        // A native result: counted with the emulated ones (no latency: the provider ran it).
        increment(snapshot.items, event.status);
        if (event.status === 'failed' && event.error !== undefined) increment(snapshot.failuresByCategory, event.error.category);
        break;
      case 'job.started':
        snapshot.jobsStarted += 1;
        break;
      case 'job.completed':
        increment(snapshot.jobsCompleted, event.status);
        break;
      case 'item.started':
        snapshot.itemsStarted += 1;
        break;
      case 'item.completed':
        increment(snapshot.items, event.status);
        if (event.status === 'succeeded') observeLatency(event.latencyMs);
        break;
      case 'item.failed':
        increment(snapshot.items, 'failed');
        increment(snapshot.failuresByCategory, event.error.category);
        observeLatency(event.latencyMs);
        break;
      case 'retry.scheduled':
        increment(snapshot.retriesByCategory, event.category);
        break;
      case 'rate_limit.hit':
        if (event.category === 'rate_limit') snapshot.rateLimitHits += 1;
        else snapshot.overloadedHits += 1;
        break;
      case 'cooldown.started':
        snapshot.cooldowns += 1;
        break;
      case 'cooldown.ended':
        snapshot.cooldownSeconds += event.durationMs / 1000;
        break;
      case 'worker.started':
        snapshot.workersActive += 1;
        break;
      case 'worker.stopped':
        snapshot.workersActive = Math.max(0, snapshot.workersActive - 1);
        break;
    }
  };

  const toPrometheus = (): string => {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string): string => {
      const full = `${prefix}_${name}`;
      lines.push(`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`);
      return full;
    };
    const labelled = (name: string, label: string, values: Record<string, number>): void => {
      for (const [key, value] of Object.entries(values)) lines.push(`${name}{${label}="${escapeLabel(key)}"} ${value}`);
    };
    let name = metric('jobs_started_total', 'counter', 'Emulated runs started.');
    lines.push(`${name} ${snapshot.jobsStarted}`);
    name = metric('jobs_completed_total', 'counter', 'Emulated runs ended, by status.');
    labelled(name, 'status', snapshot.jobsCompleted);
    name = metric('items_started_total', 'counter', 'Items started.');
    lines.push(`${name} ${snapshot.itemsStarted}`);
    name = metric('items_total', 'counter', 'Terminal items (emulated and native), by status.');
    labelled(name, 'status', snapshot.items);
    name = metric('item_failures_total', 'counter', 'Failed items, by error category.');
    labelled(name, 'category', snapshot.failuresByCategory);
    name = metric('retries_total', 'counter', 'Retries scheduled, by error category.');
    labelled(name, 'category', snapshot.retriesByCategory);
    name = metric('rate_limit_hits_total', 'counter', 'Calls answered 429.');
    lines.push(`${name} ${snapshot.rateLimitHits}`);
    name = metric('overloaded_hits_total', 'counter', 'Calls answered 529 (overloaded).');
    lines.push(`${name} ${snapshot.overloadedHits}`);
    name = metric('cooldowns_total', 'counter', 'Coordinated cooldowns started.');
    lines.push(`${name} ${snapshot.cooldowns}`);
    name = metric('cooldown_seconds_total', 'counter', 'Seconds every worker was held by cooldowns.');
    lines.push(`${name} ${snapshot.cooldownSeconds}`);
    name = metric('workers_active', 'gauge', 'Workers running now.');
    lines.push(`${name} ${snapshot.workersActive}`);
    name = metric('parts_submitted_total', 'counter', 'Native parts (provider batches) created.');
    lines.push(`${name} ${snapshot.partsSubmitted}`);
    name = metric('part_polls_total', 'counter', 'Polls of native parts.');
    lines.push(`${name} ${snapshot.partPolls}`);
    name = metric('parts_ended_total', 'counter', 'Native parts ended, by status.');
    labelled(name, 'status', snapshot.partsEnded);
    name = metric('item_latency_seconds', 'histogram', 'Time from item start to its terminal result (retries included).');
    const histogram = snapshot.itemLatency;
    histogram.buckets.forEach((bound, index) => lines.push(`${name}_bucket{le="${bound}"} ${histogram.counts[index] ?? 0}`));
    lines.push(`${name}_bucket{le="+Inf"} ${histogram.count}`, `${name}_sum ${histogram.sumSeconds}`, `${name}_count ${histogram.count}`);
    return `${lines.join('\n')}\n`;
  };

  return Object.assign(observer, {
    toJSON: (): MetricsSnapshot => structuredClone(snapshot),
    toPrometheus,
    reset: (): void => {
      snapshot = emptySnapshot(buckets);
    },
  });
}
