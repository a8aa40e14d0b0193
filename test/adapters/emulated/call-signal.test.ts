import { describe, expect, it } from 'vitest';
import { emulated } from '../../../src/adapters/emulated/index.js';
import type { CallContext, CallOutput, CallStrategy } from '../../../src/provider/call-strategy.js';
import { noRetry } from '../../../src/retry/no-retry.js';
import { makeContext, makePart, makeRequests, runToEnd } from './helpers.js';

const answer: CallOutput = { text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'm' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A call strategy of a few lines, as users write for an in-process model. */
function strategy(call: (context: CallContext) => Promise<CallOutput>): CallStrategy {
  return { name: 'in-process', call: (_request, context) => call(context) };
}

describe("each call's signal and timeout", () => {
  it('a call that reads its signal late gets the deadline counted from its start, and times out', async () => {
    const seen: { aborted: boolean; reason: unknown }[] = [];
    const call = strategy(async (context) => {
      await sleep(300);
      const { signal } = context;
      seen.push({ aborted: signal.aborted, reason: signal.reason });
      await new Promise((_resolve, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      return answer;
    });
    const started = Date.now();
    const { journal } = await runToEnd(emulated({ call, timeoutMs: 400, retry: noRetry() }), makeRequests(1));
    expect(journal[0]).toMatchObject({ status: 'failed', error: { category: 'timeout', retryable: true } });
    // The deadline is 400 ms after the call started (not 700 ms: 400 after the signal was read).
    expect(Date.now() - started).toBeLessThan(650);
    expect(seen[0]?.aborted).toBe(false);
  });

  it('a call that reads its signal after its time ran out gets an aborted signal', async () => {
    const reasons: unknown[] = [];
    const call = strategy(async (context) => {
      await sleep(120);
      reasons.push(context.signal.reason);
      throw context.signal.reason;
    });
    const { journal } = await runToEnd(emulated({ call, timeoutMs: 50, retry: noRetry() }), makeRequests(1));
    expect((reasons[0] as DOMException | undefined)?.name).toBe('TimeoutError');
    expect(journal[0]).toMatchObject({ status: 'failed', error: { category: 'timeout' } });
  });

  it('a call that never reads its signal and fails after its time ran out counts as timed out', async () => {
    const call = strategy(async () => {
      await sleep(120);
      throw new Error('some failure of the model');
    });
    const { journal } = await runToEnd(emulated({ call, timeoutMs: 50, retry: noRetry() }), makeRequests(1));
    expect(journal[0]).toMatchObject({ status: 'failed', error: { category: 'timeout' } });
  });

  it('a call that never reads its signal and answers in time succeeds', async () => {
    const call = strategy(async () => answer);
    const { journal } = await runToEnd(emulated({ call, timeoutMs: 60_000, concurrency: 4 }), makeRequests(20));
    expect(journal.every((result) => result.status === 'succeeded')).toBe(true);
    expect(journal).toHaveLength(20);
  });

  it('cancel aborts a call that read its signal, and a call reading it after the cancel finds it aborted', async () => {
    let readLate: AbortSignal | undefined;
    let calls = 0;
    const call = strategy(async (context) => {
      calls += 1;
      if (calls === 1) {
        const { signal } = context;
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
      }
      await sleep(150);
      readLate = context.signal;
      throw readLate.reason;
    });
    const provider = emulated({ call, concurrency: 2, retry: noRetry() });
    const context = makeContext();
    const reference = await provider.submit(makePart(makeRequests(2), 2), context);
    await sleep(50);
    await provider.cancel(reference, context);
    await provider.waitForRun(reference);
    expect((await provider.poll(reference, context)).status).toBe('cancelled');
    expect(readLate?.aborted).toBe(true);
    expect(context.journal.map((result) => result.status)).toEqual(['cancelled', 'cancelled']);
  });
});

describe('a strategy that wraps another', () => {
  it('hands a copy of the context ({ ...context }) on with its signal, which times out', async () => {
    const inner = strategy(
      (context) =>
        new Promise((_resolve, reject) => {
          const { signal } = context;
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    );
    const wrapper: CallStrategy = { name: 'wrapper', call: (request, context) => inner.call(request, { ...context, attempt: context.attempt }) };
    const { journal } = await runToEnd(emulated({ call: wrapper, timeoutMs: 100, retry: noRetry() }), makeRequests(1));
    expect(journal[0]).toMatchObject({ status: 'failed', error: { category: 'timeout' } });
  });
});
