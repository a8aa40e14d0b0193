import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortError } from '../../src/errors/abort-error.js';
import { exponentialBackoff } from '../../src/retry/exponential-backoff.js';
import { fixedDelay } from '../../src/retry/fixed-delay.js';
import { noRetry } from '../../src/retry/no-retry.js';
import type { RetryEvent } from '../../src/retry/run-with-retry.js';
import { runWithRetry } from '../../src/retry/run-with-retry.js';
import { countingSignal } from './counting-signal.js';

function httpError(status: number, headers: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, { error: { message: `status ${status}`, type: 'x', param: null, code: null } }, undefined, new Headers(headers));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runWithRetry', () => {
  it('returns the first successful result and passes the attempt number', async () => {
    const attempts: number[] = [];
    const result = await runWithRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw httpError(503);
        return 'ok';
      },
      { strategy: fixedDelay({ delayMs: 0 }) },
    );
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('throws the last error unchanged when retries run out', async () => {
    const errors = [httpError(500), httpError(502), httpError(503)];
    const operation = vi.fn(async (attempt: number) => {
      throw errors[attempt - 1];
    });
    await expect(runWithRetry(operation, { strategy: fixedDelay({ maxRetries: 2, delayMs: 0 }) })).rejects.toBe(errors[2]);
    expect(operation).toHaveBeenCalledTimes(3);
  });

  it('does not retry a non-retryable error', async () => {
    const operation = vi.fn(async () => {
      throw httpError(400);
    });
    await expect(runWithRetry(operation, { strategy: fixedDelay({ delayMs: 0 }) })).rejects.toMatchObject({ status: 400 });
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('does not retry with noRetry()', async () => {
    const operation = vi.fn(async () => {
      throw httpError(503);
    });
    await expect(runWithRetry(operation, { strategy: noRetry() })).rejects.toMatchObject({ status: 503 });
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('never retries an abort error thrown by the operation, whatever the strategy says', async () => {
    const alwaysRetry = { shouldRetry: () => true, delayMs: () => 0 };
    const operation = vi.fn(async () => {
      throw new OpenAI.APIUserAbortError();
    });
    await expect(runWithRetry(operation, { strategy: alwaysRetry })).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('accepts a custom strategy object and gives it the classification', async () => {
    const seen: string[] = [];
    const strategy = {
      shouldRetry: (context: { classification: { category: string }; attempt: number }) => {
        seen.push(context.classification.category);
        return context.attempt < 2;
      },
      delayMs: () => 0,
    };
    await expect(
      runWithRetry(async () => {
        throw httpError(429);
      }, { strategy }),
    ).rejects.toMatchObject({ status: 429 });
    expect(seen).toEqual(['rate_limit', 'rate_limit']);
  });

  it('reports each retry with its delay to onRetry', async () => {
    const events: RetryEvent[] = [];
    await runWithRetry(
      async (attempt) => {
        if (attempt === 1) throw httpError(429, { 'retry-after-ms': '3' });
        return attempt;
      },
      { strategy: exponentialBackoff({ initialDelayMs: 1, jitter: 'none' }), onRetry: (event) => void events.push(event) },
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, delayMs: 3, classification: { category: 'rate_limit', retryAfterMs: 3 } });
  });

  it('waits the strategy delay between attempts', async () => {
    vi.useFakeTimers();
    const operation = vi.fn(async (attempt: number) => {
      if (attempt === 1) throw httpError(503);
      return 'done';
    });
    const running = runWithRetry(operation, { strategy: fixedDelay({ delayMs: 5_000 }) });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(operation).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(running).resolves.toBe('done');
    expect(operation).toHaveBeenCalledTimes(2);
  });

  it('an abort during the wait rejects with AbortError, clears the timer and leaves no listener', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const { signal, activeListeners } = countingSignal(controller.signal);
    const operation = vi.fn(async () => {
      throw httpError(503);
    });
    const running = runWithRetry(operation, { strategy: fixedDelay({ delayMs: 60_000 }), signal });
    const outcome = running.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    const error = await outcome;
    expect(AbortError.isInstance(error)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(activeListeners()).toBe(0);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('leaves no listener on the signal after retries that succeed', async () => {
    vi.useFakeTimers();
    const { signal, activeListeners } = countingSignal();
    const running = runWithRetry(
      async (attempt) => {
        if (attempt < 4) throw httpError(502);
        return attempt;
      },
      { strategy: fixedDelay({ delayMs: 100 }), signal },
    );
    await vi.advanceTimersByTimeAsync(300);
    await expect(running).resolves.toBe(4);
    expect(activeListeners()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const operation = vi.fn(async () => 'never');
    await expect(runWithRetry(operation, { strategy: noRetry(), signal: AbortSignal.abort() })).rejects.toSatisfy((error) =>
      AbortError.isInstance(error),
    );
    expect(operation).not.toHaveBeenCalled();
  });

  it('passes the signal to the operation', async () => {
    const controller = new AbortController();
    const received = await runWithRetry(async (_attempt, signal) => signal, { strategy: noRetry(), signal: controller.signal });
    expect(received).toBe(controller.signal);
  });

  it('rejects a missing or malformed strategy with a TypeError', async () => {
    await expect(runWithRetry(async () => 1, { strategy: {} as never })).rejects.toThrow(/"strategy"/);
    await expect(runWithRetry(async () => 1, { strategy: undefined as never })).rejects.toThrow(TypeError);
  });

  it('rejects a strategy delay that is not a non-negative number', async () => {
    const strategy = { shouldRetry: () => true, delayMs: () => Number.NaN };
    await expect(
      runWithRetry(async () => {
        throw httpError(503);
      }, { strategy }),
    ).rejects.toThrow(/delayMs\(\).*NaN/);
  });

  it('retries real SDK calls against a server that fails twice', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests++;
      if (requests <= 2) {
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '1' });
        response.end(JSON.stringify({ error: { message: 'try later', type: 'server_error', param: null, code: null } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'batch_1', object: 'batch', status: 'in_progress' }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
      const categories: string[] = [];
      const batch = await runWithRetry((_attempt, signal) => client.batches.retrieve('batch_1', { signal }), {
        strategy: exponentialBackoff({ initialDelayMs: 1, jitter: 'none' }),
        onRetry: (event) => void categories.push(event.classification.category),
      });
      expect(batch.status).toBe('in_progress');
      expect(requests).toBe(3);
      expect(categories).toEqual(['server', 'server']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
