/**
 * The rate limiter's knobs as options of `emulated({ rateLimit })`: their types, defaults (and why),
 * the check of their keys and values, and what the limiter and the retry loop are built with.
 */
import { checkNumberOption, failOption, optionNames, type OptionShape } from '../../validation/check-options.js';
import type { AdaptiveRateLimiterOptions } from './adaptive-rate-limiter.js';

/** Which signals the limiter adapts to (each on by default). */
export interface EmulatedAdaptiveSignals {
  /**
   * Learn limits, and what is left of them, from `x-ratelimit-*` / `anthropic-ratelimit-*` headers
   * and pace calls with them; a 429 whose headers say a budget is spent is real rate limiting.
   * @default true
   */
  readonly headers?: boolean;
  /**
   * Pause every worker once for the retry-after of a 429 that shows real rate limiting (one shared
   * cooldown) instead of letting each item wait alone. @default true
   */
  readonly cooldown?: boolean;
  /**
   * Shrink the concurrency window on real rate limiting and on 529s, restart it small after a
   * cooldown and regrow it on successes (AIMD with slow start); off, it stays at `concurrency`.
   * @default true
   */
  readonly window?: boolean;
}

/** The quick-retry budget for scattered server errors (see {@link EmulatedRateLimitTuning.retryBudget}). */
export interface EmulatedRetryBudgetOptions {
  /** Quick retries that may be spent at once (the bucket's size). A number from 1 to 1,000,000. @default max(10, concurrency) */
  readonly capacity?: number;
  /** What each successful call earns back, in quick retries. A number from 0.001 to 1. @default 0.2 */
  readonly ratio?: number;
}

/** The limiter's knobs; every one has a default that suits the public APIs. */
export interface EmulatedRateLimitTuning {
  /**
   * Adapt to the server: `true` (all signals), `false` (none: each item waits out its own 429s, the
   * concurrency stays fixed, headers are not read), or signal by signal. A 429 shows real rate
   * limiting when its headers say a budget is spent or when 429s are dense (see `denseShare`);
   * a scattered 429 is waited out by its own item while the others go on.
   * @default true
   */
  readonly adaptive?: boolean | EmulatedAdaptiveSignals;
  /**
   * Shortest shared cooldown, whatever the retry-after asks: raise it for a server whose retry-after
   * is too optimistic. From 0 to 3,600,000 ms. @default 0 (the server's retry-after is obeyed as is)
   */
  readonly minCooldownMs?: number;
  /**
   * Cooldown for a 429 that carries no retry-after, doubled for each consecutive one (up to 64×).
   * A second is what the official SDKs start from. From 1 to 3,600,000 ms. @default 1000
   */
  readonly defaultCooldownMs?: number;
  /**
   * Longest single cooldown (a retry-after asking more is cut to it): a minute is the window of
   * per-minute limits, so no real limit needs more. From 1 to 3,600,000 ms. @default 60_000
   */
  readonly maxCooldownMs?: number;
  /**
   * The concurrency window after a cooldown, from which slow start doubles it every round trip up to
   * half of what it was: 1 probes the server's state with one call, as TCP does after a timeout; raise
   * it (up to `concurrency`) for a faster ramp. An integer from 1 to 20,000. @default 1
   */
  readonly restartConcurrency?: number;
  /**
   * Least spacing between the first `concurrency` calls after a cooldown (never more than the
   * cooldown divided by `concurrency`), so released workers do not hit the server in one burst.
   * From 0 to 60,000 ms. @default 10
   */
  readonly releaseSpacingMs?: number;
  /**
   * What the concurrency window is multiplied by on real rate limiting or a 529: a half, as TCP's
   * AIMD, converges on the server's capacity without starving it. A number from 0.01 to 1 (1: never
   * shrink). @default 0.5
   */
  readonly decreaseFactor?: number;
  /**
   * What counts as dense 429s (real rate limiting without budget headers): at least this share of
   * the calls of the last round trip (those that ended within it, and those in flight sent no later
   * than the refused one). A half tells a server that refuses most calls from one that sheds a few
   * at random (5% 429s stay scattered). A number from 0.01 to 1. @default 0.5
   */
  readonly denseShare?: number;
  /**
   * Quick retries of scattered server errors (5xx without a retry-after, network errors): while the
   * failure rate is low, an item's first two such retries go out after at most a short jitter (up to 50 ms) instead of
   * the retry strategy's backoff, so items do not sleep while the run drains (the last items'
   * backoff sets a run's length). A token bucket, as gRPC's retry throttling and the AWS SDK's retry
   * quota: a quick retry spends one token, a success earns back `ratio`; with fewer than one token
   * left, retries back off as the strategy says. It changes when a retry goes, never whether: the
   * retry strategy still decides that, and counts it. `false` turns it off. @default true
   */
  readonly retryBudget?: boolean | EmulatedRetryBudgetOptions;
}

/** What the rate limiter and the retry loop are built with. */
export interface ResolvedRateLimitTuning {
  readonly limiter: Pick<
    AdaptiveRateLimiterOptions,
    | 'learnFromHeaders'
    | 'sharedCooldown'
    | 'adaptiveWindow'
    | 'minCooldownMs'
    | 'defaultCooldownMs'
    | 'maxCooldownMs'
    | 'restartWindow'
    | 'releaseSpacingMs'
    | 'decreaseFactor'
    | 'denseShare'
  >;
  /** Whether headers are read for limits (and a spent budget). */
  readonly learnFromHeaders: boolean;
  readonly retryBudget: { readonly capacity: number; readonly ratio: number } | undefined;
}

export const rateLimitTuningNames = optionNames<EmulatedRateLimitTuning>({
  adaptive: true,
  minCooldownMs: true,
  defaultCooldownMs: true,
  maxCooldownMs: true,
  restartConcurrency: true,
  releaseSpacingMs: true,
  decreaseFactor: true,
  denseShare: true,
  retryBudget: true,
});
const signalNames = optionNames<EmulatedAdaptiveSignals>({ headers: true, cooldown: true, window: true });
const retryBudgetNames = optionNames<EmulatedRetryBudgetOptions>({ capacity: true, ratio: true });

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key shape of `rateLimit` for checkOptionKeys: `adaptive` and `retryBudget` are checked when they are objects. */
export function rateLimitOptionShape(rateLimit: unknown, otherNames: readonly string[]): OptionShape {
  const nested: Record<string, OptionShape> = {};
  if (isObject(rateLimit)) {
    if (isObject((rateLimit as EmulatedRateLimitTuning).adaptive)) nested['adaptive'] = { known: signalNames };
    if (isObject((rateLimit as EmulatedRateLimitTuning).retryBudget)) nested['retryBudget'] = { known: retryBudgetNames };
  }
  return { known: [...otherNames, ...rateLimitTuningNames], nested };
}

function booleanOption(where: string, name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') failOption(where, name, 'a boolean', value);
  return value;
}

/** Checks the knobs (keys are checked by the caller) and fills in their defaults. */
export function resolveRateLimitTuning(where: string, tuning: EmulatedRateLimitTuning, concurrency: number): ResolvedRateLimitTuning {
  const adaptive = tuning.adaptive;
  let signals: Required<EmulatedAdaptiveSignals>;
  if (adaptive === undefined || typeof adaptive === 'boolean') {
    const on = adaptive ?? true;
    signals = { headers: on, cooldown: on, window: on };
  } else if (isObject(adaptive)) {
    signals = {
      headers: booleanOption(where, 'rateLimit.adaptive.headers', adaptive.headers) ?? true,
      cooldown: booleanOption(where, 'rateLimit.adaptive.cooldown', adaptive.cooldown) ?? true,
      window: booleanOption(where, 'rateLimit.adaptive.window', adaptive.window) ?? true,
    };
  } else {
    failOption(where, 'rateLimit.adaptive', 'a boolean or { headers?, cooldown?, window? }', adaptive);
  }
  const hour = 3_600_000;
  checkNumberOption(where, 'rateLimit.minCooldownMs', tuning.minCooldownMs, { min: 0, max: hour });
  checkNumberOption(where, 'rateLimit.defaultCooldownMs', tuning.defaultCooldownMs, { min: 1, max: hour });
  checkNumberOption(where, 'rateLimit.maxCooldownMs', tuning.maxCooldownMs, { min: 1, max: hour });
  checkNumberOption(where, 'rateLimit.restartConcurrency', tuning.restartConcurrency, { min: 1, max: 20_000, integer: true });
  checkNumberOption(where, 'rateLimit.releaseSpacingMs', tuning.releaseSpacingMs, { min: 0, max: 60_000 });
  checkNumberOption(where, 'rateLimit.decreaseFactor', tuning.decreaseFactor, { min: 0.01, max: 1 });
  checkNumberOption(where, 'rateLimit.denseShare', tuning.denseShare, { min: 0.01, max: 1 });
  const minCooldownMs = tuning.minCooldownMs ?? 0;
  const maxCooldownMs = tuning.maxCooldownMs ?? 60_000;
  if (minCooldownMs > maxCooldownMs) {
    failOption(where, 'rateLimit.minCooldownMs', `at most rateLimit.maxCooldownMs (${maxCooldownMs})`, minCooldownMs);
  }
  let retryBudget: ResolvedRateLimitTuning['retryBudget'];
  const budget = tuning.retryBudget ?? true;
  if (budget === true || isObject(budget)) {
    const options: EmulatedRetryBudgetOptions = budget === true ? {} : budget;
    checkNumberOption(where, 'rateLimit.retryBudget.capacity', options.capacity, { min: 1, max: 1_000_000 });
    checkNumberOption(where, 'rateLimit.retryBudget.ratio', options.ratio, { min: 0.001, max: 1 });
    retryBudget = { capacity: options.capacity ?? Math.max(10, concurrency), ratio: options.ratio ?? 0.2 };
  } else if (budget !== false) {
    failOption(where, 'rateLimit.retryBudget', 'a boolean or { capacity?, ratio? }', budget);
  }
  return {
    limiter: {
      learnFromHeaders: signals.headers,
      sharedCooldown: signals.cooldown,
      adaptiveWindow: signals.window,
      minCooldownMs,
      defaultCooldownMs: tuning.defaultCooldownMs ?? 1000,
      maxCooldownMs,
      restartWindow: tuning.restartConcurrency ?? 1,
      releaseSpacingMs: tuning.releaseSpacingMs ?? 10,
      decreaseFactor: tuning.decreaseFactor ?? 0.5,
      denseShare: tuning.denseShare ?? 0.5,
    },
    learnFromHeaders: signals.headers,
    retryBudget,
  };
}
