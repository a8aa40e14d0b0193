import type { EmulatedEvent } from '../adapters/emulated/observers.js';
import { redactSecrets } from '../errors/redact-secrets.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchResult } from '../models/batch-result.js';
import type { NativeJobEvent } from '../provider/job-events.js';

/** Every event a job reports: an emulated run's (`job.started`, `item.failed`, `retry.scheduled` ...) or a native part's (`part.submitted`, `part.polled` ...). */
export type JobEvent = EmulatedEvent | NativeJobEvent;

/** Receives every event of every job of the client. Runs synchronously on the hot path: keep it cheap. Its exceptions are swallowed. */
export type JobObserver = (event: JobEvent) => void;

/**
 * Where the library logs what it decides (parts planned and submitted, polls, retries and why,
 * cooldowns, items that failed for good). `console`, pino, winston and bunyan loggers fit. Every
 * message is redacted: no API key is ever logged.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = keyof Logger;

/** The client's observers, `onResult` and logger, as the client's parts call them. */
export interface ClientHooks {
  /** Tells the observers and the logger about an event of a native part. */
  emitNative(event: DistributiveOmit<NativeJobEvent, 'timestamp'>): void;
  /** Handed to an emulated run (through its submit context): receives its events. Undefined when nobody listens. */
  readonly observeRun: ((event: { readonly type: string }) => void) | undefined;
  /** Calls `onResult` with a result just journaled (exceptions become one job warning). */
  onResult(result: BatchResult, job: JobManifest): Promise<void>;
  readonly hasOnResult: boolean;
  log(level: LogLevel, message: string): void;
}

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Options of {@link createClientHooks}: the client's own. */
export interface ClientHooksOptions {
  readonly observers?: readonly JobObserver[] | undefined;
  readonly onResult?: ((result: BatchResult, job: { readonly id: string }) => void | Promise<void>) | undefined;
  readonly logger?: Logger | undefined;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What the logger says about an event, or undefined when it says nothing. */
export function describeEvent(event: JobEvent): [LogLevel, string] | undefined {
  switch (event.type) {
    case 'part.submitted':
      return ['info', `job ${event.jobId}: part ${event.partId} submitted to ${event.provider} as ${event.providerBatchId} (${plural(event.requestCount, 'request')})`];
    case 'part.polled': {
      const counts = event.counts === undefined ? '' : ` (${Object.entries(event.counts).map(([key, value]) => `${key} ${value}`).join(', ')})`;
      return ['debug', `job ${event.jobId}: part ${event.partId} polled: ${event.rawStatus ?? event.status}${counts}`];
    }
    case 'part.ended':
      return [event.status === 'failed' ? 'warn' : 'info', `job ${event.jobId}: part ${event.partId} ended ${event.status}${event.error === undefined ? '' : `: ${event.error}`}`];
    case 'results.read':
      return ['info', `job ${event.jobId}: part ${event.partId}: ${plural(event.read, 'result')} read${event.missing > 0 ? `, ${event.missing} without a result line (synthesized)` : ''}`];
    case 'job.started':
      return ['info', `job ${event.jobId}: emulated run ${event.runId} started (concurrency ${event.concurrency})`];
    case 'job.completed':
      return [
        event.status === 'failed' ? 'warn' : 'info',
        `job ${event.jobId}: emulated run ${event.runId} ended ${event.status} in ${event.elapsedMs} ms (${event.succeeded} succeeded, ${event.failed} failed, ${event.cancelled} cancelled)${event.error === undefined ? '' : `: ${event.error}`}`,
      ];
    case 'retry.scheduled':
      return [
        'info',
        `item ${event.id}: attempt ${event.attempt} failed (${event.category}); retrying in ${Math.round(event.delayMs)} ms${event.consumesRetryBudget ? '' : ' (a rate-limit wait, not counted against the retries)'}`,
      ];
    case 'rate_limit.hit':
      return ['debug', `item ${event.id}: ${event.category === 'rate_limit' ? '429 rate limited' : '529 overloaded'}${event.retryAfterMs === undefined ? '' : `, retry-after ${event.retryAfterMs} ms`}`];
    case 'cooldown.started':
      return ['warn', `rate limited: every worker of run ${event.runId} paused for ${Math.round(event.durationMs)} ms (shared cooldown)`];
    case 'cooldown.ended':
      return ['info', `run ${event.runId}: cooldown over after ${Math.round(event.durationMs)} ms; ramping back up`];
    case 'item.failed':
      return ['warn', `item ${event.id} failed after ${plural(event.attempts, 'attempt')} (${event.error.category}): ${event.error.message}`];
    case 'item.completed':
      return event.status === 'succeeded' ? undefined : ['debug', `item ${event.id} ${event.status}`];
    default:
      return undefined;
  }
}

/** Calls the logger, redacted; a logger that throws is ignored. */
export function safeLog(logger: Logger | undefined, level: LogLevel, message: string): void {
  if (logger === undefined) return;
  try {
    logger[level](redactSecrets(message));
  } catch {
    // A broken logger must not break a job.
  }
}

/** The client's hooks: its observers, `onResult` and logger, each optional. */
export function createClientHooks(options: ClientHooksOptions, warn: (job: JobManifest, message: string) => void = () => {}): ClientHooks {
  const observers = options.observers ?? [];
  const logger = options.logger;
  const deliver = (event: JobEvent): void => {
    for (const observer of observers) {
      try {
        observer(event);
      } catch {
        // An observer only watches: its failure changes nothing.
      }
    }
    if (logger !== undefined) {
      const line = describeEvent(event);
      if (line !== undefined) safeLog(logger, line[0], line[1]);
    }
  };
  const listening = observers.length > 0 || logger !== undefined;
  const onResult = options.onResult;
  return {
    emitNative(event) {
      if (listening) deliver({ ...event, timestamp: Date.now() } as JobEvent);
    },
    observeRun: listening ? (event) => deliver(event as JobEvent) : undefined,
    hasOnResult: onResult !== undefined,
    async onResult(result, job) {
      if (onResult === undefined) return;
      try {
        await onResult(result, { id: job.id });
      } catch (error) {
        warn(job, `onResult threw: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
      }
    },
    log(level, message) {
      safeLog(logger, level, message);
    },
  };
}

/** Hooks that do nothing (a client without observers, onResult or logger). */
export const noClientHooks: ClientHooks = createClientHooks({});
