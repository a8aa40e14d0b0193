import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdaptiveRateLimiter, type RateLimitPermit } from '../../../src/adapters/emulated/adaptive-rate-limiter.js';

describe('AdaptiveRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function grantAll(limiter: AdaptiveRateLimiter, count: number): Promise<RateLimitPermit[]> {
    return Promise.all(Array.from({ length: count }, () => limiter.acquire(1)));
  }

  it('starts one cooldown for many simultaneous 429s and extends it to the latest retry-after', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const limiter = new AdaptiveRateLimiter({
      maxConcurrency: 8,
      onCooldownStarted: (_until, durationMs) => started.push(durationMs),
      onCooldownEnded: (durationMs) => ended.push(durationMs),
    });
    const permits = await grantAll(limiter, 8);
    permits.forEach((permit, index) => limiter.release(permit, { kind: 'rate_limited', retryAfterMs: 1000 + index * 100 }));
    // The fourth 429 makes half of the eight calls sent together (the others still in flight count
    // until they are refused too): the cooldown starts with its retry-after and is extended to the last.
    expect(started).toEqual([1300]);
    let granted = false;
    const next = limiter.acquire(1).then((permit) => {
      granted = true;
      return permit;
    });
    await vi.advanceTimersByTimeAsync(1699);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(granted).toBe(true);
    expect(ended).toEqual([1700]);
    limiter.release(await next, { kind: 'success' });
  });

  it('halves the window once per round of calls and restarts from one after a cooldown', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 16, releaseSpacingMs: 0 });
    const permits = await grantAll(limiter, 16);
    for (const permit of permits) limiter.release(permit, { kind: 'rate_limited', retryAfterMs: 10 });
    expect(limiter.window).toBe(1);
    await vi.advanceTimersByTimeAsync(11);
    // Slow start: +1 per success until the threshold (half of 16), then +1 per window of successes.
    for (let round = 0; round < 7; round++) limiter.release(await limiter.acquire(1), { kind: 'success' });
    expect(limiter.window).toBe(8);
    for (let round = 0; round < 9; round++) limiter.release(await limiter.acquire(1), { kind: 'success' });
    expect(limiter.window).toBe(9);
  });

  it('never lets more calls in flight than the window', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 3 });
    const permits = await grantAll(limiter, 3);
    let fourth = false;
    const pending = limiter.acquire(1).then((permit) => {
      fourth = true;
      return permit;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(fourth).toBe(false);
    limiter.release(permits[0] as RateLimitPermit, { kind: 'success' });
    await vi.advanceTimersByTimeAsync(0);
    expect(fourth).toBe(true);
    for (const permit of [...permits.slice(1), await pending]) limiter.release(permit, { kind: 'success' });
  });

  it('spaces out the callers released after a cooldown', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 4, releaseSpacingMs: 50 });
    const [permit] = await grantAll(limiter, 1);
    limiter.release(permit as RateLimitPermit, { kind: 'rate_limited', retryAfterMs: 1000 });
    const grantedAt: number[] = [];
    const waiters = Array.from({ length: 3 }, () =>
      limiter.acquire(1).then((granted) => {
        grantedAt.push(Date.now());
        limiter.release(granted, { kind: 'success' });
      }),
    );
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(waiters);
    expect(grantedAt).toHaveLength(3);
    for (let index = 1; index < grantedAt.length; index++) {
      expect((grantedAt[index] as number) - (grantedAt[index - 1] as number)).toBeGreaterThanOrEqual(50);
    }
  });

  it('paces calls to a requests-per-minute limit learned from the headers', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 100 });
    const first = await limiter.acquire(1);
    limiter.release(first, { kind: 'success', snapshot: { requests: { limit: 60, remaining: 0 } } });
    expect(limiter.requestsPerMinute).toBe(60);
    let granted = false;
    const next = limiter.acquire(1).then((permit) => {
      granted = true;
      return permit;
    });
    await vi.advanceTimersByTimeAsync(900);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(granted).toBe(true);
    limiter.release(await next, { kind: 'success' });
  });

  it('rejects a waiter whose signal aborts, and leaves the others queued', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 1 });
    const held = await limiter.acquire(1);
    const controller = new AbortController();
    const aborted = limiter.acquire(1, controller.signal);
    const other = limiter.acquire(1);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(limiter.waiting).toBe(1);
    limiter.release(held, { kind: 'success' });
    limiter.release(await other, { kind: 'success' });
  });

  it('keeps a fixed window and no cooldown when not adaptive', async () => {
    const started: number[] = [];
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 4, adaptive: false, onCooldownStarted: (_until, ms) => started.push(ms) });
    const permits = await grantAll(limiter, 4);
    for (const permit of permits) limiter.release(permit, { kind: 'rate_limited', retryAfterMs: 1000 });
    expect(started).toEqual([]);
    expect(limiter.window).toBe(4);
    expect(limiter.coolingDown).toBe(false);
  });

  it('lets the caller of a scattered 429 wait alone: no cooldown, no smaller window', async () => {
    const started: number[] = [];
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 16, onCooldownStarted: (_until, ms) => started.push(ms) });
    const permits = await grantAll(limiter, 16);
    await vi.advanceTimersByTimeAsync(100);
    // One 429 among 16 calls ending within the same round trip: a server shedding load at random.
    const shared = permits.map((permit, index) =>
      limiter.release(permit, index === 7 ? { kind: 'rate_limited', retryAfterMs: 1000 } : { kind: 'success' }),
    );
    expect(shared[7]).toBe(false);
    expect(started).toEqual([]);
    expect(limiter.coolingDown).toBe(false);
    expect(limiter.window).toBe(16);
  });

  it('starts the shared cooldown for a 429 whose headers say the budget is spent, however rare', async () => {
    const started: number[] = [];
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 16, onCooldownStarted: (_until, ms) => started.push(ms) });
    const permits = await grantAll(limiter, 16);
    await vi.advanceTimersByTimeAsync(100);
    for (const permit of permits.slice(0, 15)) limiter.release(permit, { kind: 'success' });
    const shared = limiter.release(permits[15] as RateLimitPermit, {
      kind: 'rate_limited',
      retryAfterMs: 2000,
      snapshot: { requests: { limit: 600, remaining: 0 } },
    });
    expect(shared).toBe(true);
    expect(started).toEqual([2000]);
    expect(limiter.window).toBe(1);
  });

  it('starts the shared cooldown once 429s are at least half of the calls ending within a round trip', async () => {
    const started: number[] = [];
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 8, onCooldownStarted: (_until, ms) => started.push(ms) });
    const permits = await grantAll(limiter, 8);
    await vi.advanceTimersByTimeAsync(100);
    const outcomes = permits.map((permit, index) =>
      limiter.release(permit, index < 4 ? { kind: 'success' } : { kind: 'rate_limited', retryAfterMs: 500 }),
    );
    // 1 of 5, 2 of 6, 3 of 7 are scattered; the fourth 429 makes half of the round trip's calls.
    expect(outcomes).toEqual([false, false, false, false, false, false, false, true]);
    expect(started).toEqual([500]);
  });

  it('reads the first instant 429s of a run against every call sent with them, not against each other', async () => {
    const started: number[] = [];
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 64, onCooldownStarted: (_until, ms) => started.push(ms) });
    const permits = await grantAll(limiter, 64);
    // 5% of the calls are answered 429 within a millisecond, long before any success can end.
    await vi.advanceTimersByTimeAsync(1);
    const shared = permits.slice(0, 3).map((permit) => limiter.release(permit, { kind: 'rate_limited', retryAfterMs: 1000 }));
    expect(shared).toEqual([false, false, false]);
    expect(started).toEqual([]);
    expect(limiter.window).toBe(64);
    // Their items, waiting out their own retry-after, lend their workers: new calls are sent.
    const replacements = await grantAll(limiter, 3);
    await vi.advanceTimersByTimeAsync(1);
    expect(limiter.release(replacements[0] as RateLimitPermit, { kind: 'rate_limited', retryAfterMs: 1000 })).toBe(false);
    await vi.advanceTimersByTimeAsync(98);
    for (const permit of [...permits.slice(3), ...replacements.slice(1)]) limiter.release(permit, { kind: 'success' });
    expect(started).toEqual([]);
    expect(limiter.window).toBe(64);
  });

  it('still pauses everyone when most calls sent together are refused at once (real rate limiting)', async () => {
    const started: number[] = [];
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 64, onCooldownStarted: (_until, ms) => started.push(ms) });
    const permits = await grantAll(limiter, 64);
    await vi.advanceTimersByTimeAsync(1);
    const shared = permits.slice(0, 40).map((permit) => limiter.release(permit, { kind: 'rate_limited', retryAfterMs: 1000 }));
    // Refused: 32 of the 64 sent together make half of them.
    expect(shared.indexOf(true)).toBe(31);
    expect(started).toEqual([1000]);
    expect(limiter.window).toBe(1);
  });

  it('uses the burst the server says is left (remaining), not only ten seconds\' worth, then paces', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 1000 });
    const first = await limiter.acquire(1);
    limiter.release(first, { kind: 'success', snapshot: { requests: { limit: 600, remaining: 300 } } });
    // Ten seconds' worth would be 100; the server's bucket still holds 300.
    const burst = await grantAll(limiter, 300);
    expect(limiter.inFlight).toBe(300);
    let granted = false;
    const next = limiter.acquire(1).then((permit) => {
      granted = true;
      return permit;
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(granted).toBe(true);
    for (const permit of [...burst, await next]) limiter.release(permit, { kind: 'success' });
  });

  it('keeps ten seconds\' worth of burst under a lower limit of the user\'s', async () => {
    const limiter = new AdaptiveRateLimiter({ maxConcurrency: 1000, requestsPerMinute: 60 });
    const first = await limiter.acquire(1);
    limiter.release(first, { kind: 'success', snapshot: { requests: { limit: 600, remaining: 599 } } });
    expect(limiter.requestsPerMinute).toBe(60);
    let granted = 0;
    const waiters = Array.from({ length: 20 }, () => limiter.acquire(1).then(() => (granted += 1)));
    await vi.advanceTimersByTimeAsync(0);
    expect(granted).toBeLessThanOrEqual(10);
    limiter.close();
    await Promise.allSettled(waiters);
  });
});
