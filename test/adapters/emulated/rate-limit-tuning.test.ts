import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RateLimitPermit } from '../../../src/adapters/emulated/adaptive-rate-limiter.js';
import { AdaptiveRateLimiter, emulated, type EmulatedEvent, type EmulatedOptions } from '../../../src/adapters/emulated/index.js';
import { resolveRateLimitTuning, type EmulatedRateLimitTuning } from '../../../src/adapters/emulated/rate-limit-tuning.js';
import { openaiChat } from '../../../src/adapters/openai/index.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import { exponentialBackoff } from '../../../src/retry/exponential-backoff.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import type { CallStrategy } from '../../../src/provider/call-strategy.js';
import { makeRequests, runToEnd } from './helpers.js';

const call: CallStrategy = {
  name: 'never-called',
  async call() {
    throw new Error('not called');
  },
};

function thrownBy(rateLimit: unknown): unknown {
  try {
    emulated({ call, rateLimit: rateLimit as EmulatedOptions['rateLimit'] });
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('rate limiter knobs: validation', () => {
  it.each([
    [{ minCooldownMs: -1 }, 'rateLimit.minCooldownMs'],
    [{ defaultCooldownMs: 0 }, 'rateLimit.defaultCooldownMs'],
    [{ maxCooldownMs: Number.NaN }, 'rateLimit.maxCooldownMs'],
    [{ minCooldownMs: 5000, maxCooldownMs: 1000 }, 'rateLimit.minCooldownMs'],
    [{ restartConcurrency: 1.5 }, 'rateLimit.restartConcurrency'],
    [{ releaseSpacingMs: -5 }, 'rateLimit.releaseSpacingMs'],
    [{ decreaseFactor: 0 }, 'rateLimit.decreaseFactor'],
    [{ decreaseFactor: 1.5 }, 'rateLimit.decreaseFactor'],
    [{ denseShare: 2 }, 'rateLimit.denseShare'],
    [{ adaptive: 'headers' }, 'rateLimit.adaptive'],
    [{ adaptive: { cooldown: 'no' } }, 'rateLimit.adaptive.cooldown'],
    [{ retryBudget: 'yes' }, 'rateLimit.retryBudget'],
    [{ retryBudget: { ratio: 5 } }, 'rateLimit.retryBudget.ratio'],
    [{ retryBudget: { capacity: 0 } }, 'rateLimit.retryBudget.capacity'],
  ])('refuses %j with a ValidationError naming %s', (rateLimit, field) => {
    const error = thrownBy(rateLimit);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toMatchObject([{ field }]);
  });

  it('names every misspelt key at once, nested ones included', () => {
    const error = thrownBy({ minCooldown: 500, adaptive: { cooldowns: false }, retryBudget: { size: 5 } });
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).issues.map((issue) => issue.field);
    expect(fields).toEqual(expect.arrayContaining(['rateLimit.minCooldown', 'rateLimit.adaptive.cooldowns', 'rateLimit.retryBudget.size']));
    expect((error as ValidationError).message).toMatch(/minCooldownMs/);
  });

  it('accepts every knob at its bounds', () => {
    expect(() =>
      emulated({
        call,
        rateLimit: {
          adaptive: { headers: false, cooldown: true, window: false },
          minCooldownMs: 0,
          defaultCooldownMs: 1,
          maxCooldownMs: 3_600_000,
          restartConcurrency: 20_000,
          releaseSpacingMs: 0,
          decreaseFactor: 1,
          denseShare: 0.01,
          retryBudget: { capacity: 1, ratio: 1 },
        },
      }),
    ).not.toThrow();
  });
});

/** A limiter built from the options as emulated() builds it. */
function limiterWith(tuning: EmulatedRateLimitTuning, maxConcurrency = 16, started: number[] = []): AdaptiveRateLimiter {
  const resolved = resolveRateLimitTuning('emulated()', tuning, maxConcurrency);
  return new AdaptiveRateLimiter({ maxConcurrency, ...resolved.limiter, onCooldownStarted: (_until, ms) => started.push(ms) });
}

async function grantAll(limiter: AdaptiveRateLimiter, count: number): Promise<RateLimitPermit[]> {
  return Promise.all(Array.from({ length: count }, () => limiter.acquire(1)));
}

describe('rate limiter knobs: each takes effect', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Every call of a round answered 429 with `retryAfterMs` (or none): real rate limiting. */
  async function refuseAll(limiter: AdaptiveRateLimiter, count: number, retryAfterMs: number | undefined): Promise<boolean[]> {
    const permits = await grantAll(limiter, count);
    return permits.map((permit) => limiter.release(permit, retryAfterMs === undefined ? { kind: 'rate_limited' } : { kind: 'rate_limited', retryAfterMs }));
  }

  it('minCooldownMs lengthens a cooldown whose retry-after asks less; maxCooldownMs cuts one that asks more', async () => {
    vi.useFakeTimers();
    const floor: number[] = [];
    await refuseAll(limiterWith({ minCooldownMs: 800 }, 4, floor), 4, 100);
    expect(floor).toEqual([800]);
    const unchanged: number[] = [];
    await refuseAll(limiterWith({}, 4, unchanged), 4, 100);
    expect(unchanged).toEqual([100]);
    const ceiling: number[] = [];
    await refuseAll(limiterWith({ maxCooldownMs: 2000 }, 4, ceiling), 4, 30_000);
    expect(ceiling).toEqual([2000]);
  });

  it('defaultCooldownMs is the cooldown of a 429 without retry-after', async () => {
    vi.useFakeTimers();
    const started: number[] = [];
    await refuseAll(limiterWith({ defaultCooldownMs: 250 }, 4, started), 4, undefined);
    expect(started).toEqual([250]);
  });

  it('restartConcurrency is the window after a cooldown', async () => {
    vi.useFakeTimers();
    const one = limiterWith({}, 16);
    await refuseAll(one, 16, 10);
    expect(one.window).toBe(1);
    const four = limiterWith({ restartConcurrency: 4 }, 16);
    await refuseAll(four, 16, 10);
    expect(four.window).toBe(4);
  });

  it('releaseSpacingMs spaces the calls released after a cooldown', async () => {
    vi.useFakeTimers();
    const grantTimes = async (tuning: EmulatedRateLimitTuning): Promise<number[]> => {
      const limiter = limiterWith({ ...tuning, restartConcurrency: 4 }, 4);
      await refuseAll(limiter, 4, 1000);
      const times: number[] = [];
      const waiters = Array.from({ length: 4 }, () =>
        limiter.acquire(1).then((permit) => {
          times.push(Date.now());
          limiter.release(permit, { kind: 'success' });
        }),
      );
      await vi.advanceTimersByTimeAsync(2000);
      await Promise.all(waiters);
      return times;
    };
    const spaced = await grantTimes({ releaseSpacingMs: 100 });
    expect(spaced.at(-1)! - spaced[0]!).toBeGreaterThanOrEqual(3 * 100);
    const together = await grantTimes({ releaseSpacingMs: 0 });
    expect(together.at(-1)! - together[0]!).toBe(0);
  });

  it('decreaseFactor scales the window on a 529', async () => {
    vi.useFakeTimers();
    const halved = limiterWith({}, 16);
    halved.release((await grantAll(halved, 1))[0]!, { kind: 'overloaded' });
    expect(halved.window).toBe(8);
    const gentle = limiterWith({ decreaseFactor: 0.75 }, 16);
    gentle.release((await grantAll(gentle, 1))[0]!, { kind: 'overloaded' });
    expect(gentle.window).toBe(12);
  });

  it('denseShare is the share of 429s that counts as real rate limiting', async () => {
    vi.useFakeTimers();
    const outcomes = async (tuning: EmulatedRateLimitTuning): Promise<boolean[]> => {
      const limiter = limiterWith(tuning, 8);
      const permits = await grantAll(limiter, 8);
      await vi.advanceTimersByTimeAsync(100);
      // Six successes, then two 429s: a quarter of the round's calls.
      return permits.map((permit, index) => limiter.release(permit, index < 6 ? { kind: 'success' } : { kind: 'rate_limited', retryAfterMs: 500 }));
    };
    expect((await outcomes({})).slice(6)).toEqual([false, false]);
    expect((await outcomes({ denseShare: 0.25 })).slice(6)).toEqual([false, true]);
  });

  it('adaptive.cooldown false: real rate limiting shrinks the window, but each item waits alone', async () => {
    vi.useFakeTimers();
    const started: number[] = [];
    const limiter = limiterWith({ adaptive: { cooldown: false } }, 8, started);
    const shared = await refuseAll(limiter, 8, 1000);
    expect(shared.every((value) => !value)).toBe(true);
    expect(started).toEqual([]);
    expect(limiter.window).toBe(4);
  });

  it('adaptive.window false: the cooldown is shared, the window stays at the concurrency', async () => {
    vi.useFakeTimers();
    const started: number[] = [];
    const limiter = limiterWith({ adaptive: { window: false } }, 8, started);
    await refuseAll(limiter, 8, 1000);
    expect(started).toEqual([1000]);
    expect(limiter.window).toBe(8);
    await vi.advanceTimersByTimeAsync(1001);
    limiter.release((await grantAll(limiter, 1))[0]!, { kind: 'overloaded' });
    expect(limiter.window).toBe(8);
  });

  it('adaptive.headers false: limits in headers are not learned, and a spent budget alone is not rate limiting', async () => {
    vi.useFakeTimers();
    const snapshot = { requests: { limit: 600, remaining: 0 } };
    const reading = limiterWith({}, 16);
    const [first] = await grantAll(reading, 1);
    expect(reading.release(first!, { kind: 'rate_limited', retryAfterMs: 1000, snapshot })).toBe(true);
    expect(reading.requestsPerMinute).toBe(600);
    const blind = limiterWith({ adaptive: { headers: false } }, 16);
    const permits = await grantAll(blind, 16);
    await vi.advanceTimersByTimeAsync(100);
    for (const permit of permits.slice(0, 15)) blind.release(permit, { kind: 'success' });
    expect(blind.release(permits[15]!, { kind: 'rate_limited', retryAfterMs: 1000, snapshot })).toBe(false);
    expect(blind.requestsPerMinute).toBeUndefined();
  });
});

describe('rateLimit.retryBudget against the emulator', () => {
  let server: MockProviderServer;
  beforeAll(async () => {
    server = await createMockProviderServer({ latency: 5 });
  });
  afterAll(async () => {
    await server.close();
  });

  /** An SDK client whose first `count` calls the emulator answers 503 (forced by its fault header). */
  function clientWithFirst503s(count: number): OpenAI {
    let sent = 0;
    return new OpenAI({
      apiKey: 'k',
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
      fetch: (input, init) => {
        sent += 1;
        if (sent > count) return fetch(input, init);
        const headers = new Headers(init?.headers);
        headers.set('x-mock-fault', '503');
        return fetch(input, { ...init, headers });
      },
    });
  }

  async function retryDelays(rateLimit: EmulatedOptions['rateLimit'], failures: number, items = 1): Promise<number[]> {
    server.reset();
    const events: EmulatedEvent[] = [];
    const { journal } = await runToEnd(
      emulated({
        call: openaiChat({ client: clientWithFirst503s(failures) }),
        concurrency: 1,
        retry: exponentialBackoff({ maxRetries: 5, initialDelayMs: 300, jitter: 'none' }),
        ...(rateLimit === undefined ? {} : { rateLimit }),
        observers: [(event) => events.push(event)],
      }),
      makeRequests(items),
    );
    expect(journal.every((result) => result.status === 'succeeded')).toBe(true);
    // One call per fault and one per item: the budget changes when a retry goes, never how many.
    expect(server.stats().byEndpoint['chat.completions']).toBe(failures + items);
    return events.filter((event) => event.type === 'retry.scheduled').map((event) => (event as { delayMs: number }).delayMs);
  }

  it('retries a scattered 503 after a short jitter while the budget lasts, then backs off as the strategy says', async () => {
    // Two items, each answered 503 once (with concurrency 1, the first lends its worker while it waits).
    const quick = await retryDelays(undefined, 2, 2);
    expect(quick).toHaveLength(2);
    for (const delayMs of quick) expect(delayMs).toBeLessThanOrEqual(50);
    // A budget of one quick retry: the other item's retry waits the strategy's backoff (300 ms).
    const capped = await retryDelays({ retryBudget: { capacity: 1 } }, 2, 2);
    expect(capped.filter((delayMs) => delayMs <= 50)).toHaveLength(1);
    expect(capped.filter((delayMs) => delayMs === 300)).toHaveLength(1);
  });

  it('quickens only an item\'s first three retries: one that fails a fourth time backs off', async () => {
    const delays = await retryDelays(undefined, 4, 1);
    expect(delays).toHaveLength(4);
    expect(delays[0]).toBeLessThanOrEqual(50);
    expect(delays[1]).toBeLessThanOrEqual(50);
    expect(delays[2]).toBeLessThanOrEqual(50);
    expect(delays[3]).toBe(2400);
  });

  it('with retryBudget: false every retry waits the strategy\'s backoff', async () => {
    expect(await retryDelays({ retryBudget: false }, 2, 1)).toEqual([300, 600]);
  });
});
