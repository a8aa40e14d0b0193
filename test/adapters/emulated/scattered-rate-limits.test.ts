import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated, type EmulatedEvent } from '../../../src/adapters/emulated/index.js';
import { openaiChat } from '../../../src/adapters/openai/index.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import type { CallStrategy } from '../../../src/provider/call-strategy.js';
import { makeRequests, runToEnd } from './helpers.js';

const retryAfterMs = 200;
let server: MockProviderServer;

beforeAll(async () => {
  // 5% of calls answered 429 at random, with a retry-after but no sign of a spent budget.
  server = await createMockProviderServer({ seed: 11, latency: 20, faults: { rates: { '429': 0.05 }, retryAfterMs } });
});
afterAll(async () => {
  await server.close();
});

describe('scattered 429s', () => {
  it('are waited out by their own items, without pausing the other workers', async () => {
    server.reset();
    const events: EmulatedEvent[] = [];
    // Calls in flight, counted around the strategy (the emulator's journal has millisecond jitter).
    const chat = openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` });
    let inFlight = 0;
    let peakInFlight = 0;
    const counted: CallStrategy = {
      name: chat.name,
      async call(request, context) {
        peakInFlight = Math.max(peakInFlight, ++inFlight);
        try {
          return await chat.call(request, context);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const provider = emulated({
      call: counted,
      concurrency: 16,
      observers: [(event) => events.push(event)],
    });
    const { journal, poll } = await runToEnd(provider, makeRequests(400));

    expect(poll.status).toBe('completed');
    expect(journal.every((result) => result.status === 'succeeded')).toBe(true);
    const hits = events.filter((event) => event.type === 'rate_limit.hit');
    expect(hits.length).toBeGreaterThanOrEqual(5);
    // At most one shared pause (if the very first call to end was a 429, nothing else was known yet).
    expect(events.filter((event) => event.type === 'cooldown.started').length).toBeLessThanOrEqual(1);
    // The items that were not paused waited out the server's retry-after themselves, outside their retry budget.
    const ownWaits = events.filter((event) => event.type === 'retry.scheduled' && event.category === 'rate_limit' && event.delayMs > 0);
    expect(ownWaits.length).toBeGreaterThanOrEqual(hits.length - 1);
    for (const wait of ownWaits) {
      expect(wait).toMatchObject({ consumesRetryBudget: false });
      expect((wait as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(retryAfterMs);
    }
    // Items waiting out a retry-after lend their workers to other items, yet never more than
    // `concurrency` calls are in flight at once.
    expect(peakInFlight).toBe(16);
  });

  it('keep the other items moving while one waits: its worker starts the next item', async () => {
    server.reset();
    const calls: { id: string; startedAt: number }[] = [];
    const failedOnce = new Set<string>();
    // item_0 and item_1 are answered 429 with a retry-after of 300 ms on their first call.
    const call: CallStrategy = {
      name: 'scripted',
      async call(request) {
        calls.push({ id: request.id, startedAt: performance.now() });
        if ((request.id === 'item_0' || request.id === 'item_1') && !failedOnce.has(request.id)) {
          failedOnce.add(request.id);
          throw Object.assign(new Error('Rate limit reached'), { status: 429, headers: { 'retry-after-ms': '300' } });
        }
        return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'm' };
      },
    };
    const { journal } = await runToEnd(emulated({ call, concurrency: 2, rateLimit: { adaptive: false } }), makeRequests(10));
    expect(journal.filter((result) => result.status === 'succeeded')).toHaveLength(10);
    const retryOfFirst = calls.filter((entry) => entry.id === 'item_0')[1];
    // Every other item was called before item_0 came back from its wait.
    for (let index = 2; index < 10; index++) {
      const first = calls.find((entry) => entry.id === `item_${index}`);
      expect(first!.startedAt).toBeLessThan(retryOfFirst!.startedAt);
    }
  });
});

