import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError } from '../../src/errors/abort-error.js';
import { delay } from '../../src/retry/delay.js';
import { countingSignal } from './counting-signal.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('delay', () => {
  it('resolves after the given time and not before', async () => {
    let resolved = false;
    const waiting = delay(1_000).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(resolved).toBe(true);
  });

  it('rejects at once with an AbortError when the signal aborts, clearing its timer', async () => {
    const controller = new AbortController();
    const waiting = delay(60_000, { signal: controller.signal });
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toSatisfy((error) => AbortError.isInstance(error));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects without starting a timer when the signal is already aborted', async () => {
    const waiting = delay(1_000, { signal: AbortSignal.abort() });
    expect(vi.getTimerCount()).toBe(0);
    await expect(waiting).rejects.toSatisfy((error) => AbortError.isInstance(error));
  });

  it('removes its abort listener once the time is up', async () => {
    const { signal, activeListeners } = countingSignal();
    const waiting = delay(100, { signal });
    expect(activeListeners()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await waiting;
    expect(activeListeners()).toBe(0);
  });

  it('removes its abort listener when aborted', async () => {
    const controller = new AbortController();
    const { signal, activeListeners } = countingSignal(controller.signal);
    const waiting = delay(100, { signal });
    controller.abort();
    await expect(waiting).rejects.toThrow();
    expect(activeListeners()).toBe(0);
  });

  it('treats negative and NaN delays as zero-ish instead of throwing', async () => {
    const waiting = delay(-5);
    await vi.advanceTimersByTimeAsync(0);
    await expect(waiting).resolves.toBeUndefined();
  });
});
