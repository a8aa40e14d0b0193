import type { BatchJob } from '../models/batch-job.js';
import type { CliOutput } from './cli-io.js';
import { formatElapsed, formatUsd } from './format-job.js';

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /** Where progress goes (stderr, so that stdout stays clean for results). */
  readonly output: CliOutput;
  /** Draw a bar redrawn in place; otherwise write plain lines. @default output.isTTY */
  readonly bar?: boolean;
  /** Plain lines are written at most this often, except on a status change. @default 2_000 */
  readonly lineIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ProgressReporter {
  /** Shows a job snapshot (pass it as `onProgress`). */
  update(job: BatchJob): void;
  /** Draws the last state once more and ends the bar's line. */
  finish(): void;
}

const barWidth = 24;

/**
 * Progress of a job on stderr: on a terminal, one bar redrawn in place with counts, rate, ETA and
 * spend; elsewhere (CI logs, pipes), a plain line when the status changes and otherwise at most
 * every `lineIntervalMs`.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const bar = options.bar ?? options.output.isTTY === true;
  const lineIntervalMs = options.lineIntervalMs ?? 2_000;
  const started = now();
  let last: BatchJob | undefined;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let lastLineStatus: string | undefined;
  let lastLineDone = -1;
  let drawn = false;

  function describe(job: BatchJob): { done: number; fields: string[] } {
    const { counts } = job;
    const done = counts.total - counts.pending;
    const elapsedMs = Math.max(1, now() - started);
    const fields: string[] = [];
    const rate = (done * 1000) / elapsedMs;
    if (done > 0) fields.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} items/s`);
    if (done > 0 && counts.pending > 0) fields.push(`ETA ${formatElapsed((counts.pending / rate) * 1000)}`);
    else fields.push(`elapsed ${formatElapsed(elapsedMs)}`);
    const spend = spendOf(job, done);
    if (spend !== undefined) fields.push(spend);
    return { done, fields };
  }

  function drawBar(job: BatchJob): void {
    const { counts } = job;
    const { done, fields } = describe(job);
    const ratio = counts.total === 0 ? 1 : done / counts.total;
    const filled = Math.round(ratio * barWidth);
    const failed = counts.failed + counts.cancelled + counts.expired;
    const text =
      `${job.status.padEnd(11)} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ` +
      `${done}/${counts.total} ✓ ${counts.succeeded} ✗ ${failed} · ${fields.join(' · ')}`;
    options.output.write(`\r\x1b[2K${text}`);
    drawn = true;
  }

  function writeLine(job: BatchJob, force: boolean): void {
    const { counts } = job;
    const { done, fields } = describe(job);
    const changed = job.status !== lastLineStatus;
    if (!force && !changed && (done === lastLineDone || now() - lastLineAt < lineIntervalMs)) return;
    lastLineAt = now();
    lastLineStatus = job.status;
    lastLineDone = done;
    const percent = counts.total === 0 ? 100 : Math.floor((done / counts.total) * 100);
    const failed = counts.failed + counts.cancelled + counts.expired;
    options.output.write(
      `progress: ${job.status} ${done}/${counts.total} (${percent}%) | succeeded ${counts.succeeded} | failed ${failed} | ${fields.join(' | ')}\n`,
    );
  }

  return {
    update(job) {
      last = job;
      if (bar) drawBar(job);
      else writeLine(job, false);
    },
    finish() {
      if (!last) return;
      if (bar) {
        drawBar(last);
        if (drawn) options.output.write('\n');
      } else if (lastLineDone !== last.counts.total - last.counts.pending || lastLineStatus !== last.status) {
        writeLine(last, true);
      }
    },
  };
}

/** What the job has cost so far: reported cost when known, else the estimate pro rata. */
function spendOf(job: BatchJob, done: number): string | undefined {
  const unknown = job.estimate?.unknownModels ?? [];
  // Never "$0.00" for a model without a price: say the cost is unknown, or what it covers.
  if (unknown.length > 0 && !(job.estimate!.costUsd > 0) && !(job.costUsd !== undefined && job.costUsd > 0)) {
    return `cost unknown (no price for model ${unknown.join(', ')})`;
  }
  const partly = unknown.length > 0 ? ' (priced models only)' : '';
  if (job.costUsd !== undefined) return `${formatUsd(job.costUsd)} spent${partly}`;
  if (job.estimate && job.counts.total > 0) return `~${formatUsd((job.estimate.costUsd * done) / job.counts.total)} spent${partly}`;
  return undefined;
}
