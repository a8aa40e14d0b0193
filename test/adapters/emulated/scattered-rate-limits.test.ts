import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated, type EmulatedEvent } from '../../../src/adapters/emulated/index.js';
import { openaiChat } from '../../../src/adapters/openai/index.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
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
    const provider = emulated({
      call: openaiChat({ apiKey: 'k', baseURL: `${server.url}/v1` }),
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
  });
});
