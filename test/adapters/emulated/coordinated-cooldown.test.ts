import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulated, type EmulatedEvent } from '../../../src/adapters/emulated/index.js';
import { openaiChat } from '../../../src/adapters/openai/index.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';
import { makeRequests, runToEnd } from './helpers.js';

const retryAfterMs = 300;
let server: MockProviderServer;

beforeAll(async () => {
  server = await createMockProviderServer({ latency: 20, faults: { retryAfterMs } });
});
afterAll(async () => {
  await server.close();
});

/**
 * An SDK client whose first `count` calls are answered 429 by the emulator (forced by its fault
 * header), all at once: none of them goes out before all have been issued, so on a busy machine
 * the first answers cannot start a cooldown that holds back the rest of the burst (whose late
 * calls would then be answered 429 after it).
 */
function clientWithFirst429s(count: number): OpenAI {
  let sent = 0;
  let releaseBurst!: () => void;
  const burstIssued = new Promise<void>((resolve) => (releaseBurst = resolve));
  return new OpenAI({
    apiKey: 'k',
    baseURL: `${server.url}/v1`,
    maxRetries: 0,
    fetch: async (input, init) => {
      sent += 1;
      if (sent > count) return fetch(input, init);
      if (sent === count) releaseBurst();
      await burstIssued;
      const headers = new Headers(init?.headers);
      headers.set('x-mock-fault', '429');
      return fetch(input, { ...init, headers });
    },
  });
}

describe('coordinated cooldown', () => {
  it('pauses every worker once for a burst of simultaneous 429s, then releases them spaced out', async () => {
    server.reset();
    const concurrency = 32;
    const events: EmulatedEvent[] = [];
    const provider = emulated({
      call: openaiChat({ client: clientWithFirst429s(concurrency) }),
      concurrency,
      observers: [(event) => events.push(event)],
    });
    const { journal, poll } = await runToEnd(provider, makeRequests(64));

    expect(poll.status).toBe('completed');
    expect(journal.every((result) => result.status === 'succeeded')).toBe(true);
    expect(events.filter((event) => event.type === 'rate_limit.hit')).toHaveLength(concurrency);
    // One cooldown for all 32 answers, not 32 independent waits.
    expect(events.filter((event) => event.type === 'cooldown.started')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'cooldown.ended')).toHaveLength(1);

    const limited = server.journal.filter((entry) => entry.status === 429);
    const succeeded = server.journal.filter((entry) => entry.status === 200).sort((a, b) => a.startedAt - b.startedAt);
    expect(limited).toHaveLength(concurrency);
    expect(succeeded).toHaveLength(64);
    // Nothing was sent before the latest 429's retry-after had passed (a few ms of timer slack),
    // except by items a worker had already picked up before the cooldown began: the first answers
    // of a burst look like scattered 429s, which by design do not pause the pool, so on a busy
    // machine an item freed by one of them may have gone out before the cooldown started.
    const lastLimitedAnswer = Math.max(...limited.map((entry) => entry.startedAt + entry.durationMs));
    const cooldownStartedAt = events.find((event) => event.type === 'cooldown.started')!.timestamp;
    const pickedUpBeforeCooldown = events.filter((event) => event.type === 'item.started' && event.timestamp <= cooldownStartedAt).length - concurrency;
    const sentEarly = succeeded.filter((entry) => entry.startedAt < lastLimitedAnswer + retryAfterMs - 15);
    const t0 = limited[0]!.startedAt;
    const timeline = [
      ...limited.map((entry) => `429 sent ${entry.startedAt - t0} answered ${Math.round(entry.startedAt + entry.durationMs - t0)}`),
      ...succeeded.slice(0, 3).map((entry) => `200 sent ${entry.startedAt - t0}`),
      `cooldown started ${cooldownStartedAt - t0}; items picked up before it beyond the burst: ${pickedUpBeforeCooldown}`,
    ].join('\n');
    expect(sentEarly.length, timeline).toBeLessThanOrEqual(Math.max(0, pickedUpBeforeCooldown));
    expect(succeeded.length - sentEarly.length).toBeGreaterThanOrEqual(64 - Math.max(0, pickedUpBeforeCooldown));
    // No thundering herd: the first calls after the cooldown were spread out, not sent at once.
    const firstStarts = succeeded.slice(0, 8).map((entry) => entry.startedAt);
    expect(firstStarts.at(-1)! - firstStarts[0]!).toBeGreaterThanOrEqual(7 * 8);
  });

  it('without adaptive limits, each worker waits out its own 429 (no shared cooldown)', async () => {
    server.reset();
    const events: EmulatedEvent[] = [];
    const provider = emulated({
      call: openaiChat({ client: clientWithFirst429s(8) }),
      concurrency: 8,
      rateLimit: { adaptive: false },
      observers: [(event) => events.push(event)],
    });
    const { journal } = await runToEnd(provider, makeRequests(16));
    expect(journal.every((result) => result.status === 'succeeded')).toBe(true);
    expect(events.filter((event) => event.type === 'cooldown.started')).toHaveLength(0);
  });
});
