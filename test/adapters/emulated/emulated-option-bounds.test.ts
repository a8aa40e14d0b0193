import { describe, expect, it } from 'vitest';
import { emulated, type EmulatedEvent, type EmulatedOptions } from '../../../src/adapters/emulated/index.js';
import { ValidationError } from '../../../src/errors/validation-error.js';
import type { CallStrategy } from '../../../src/provider/call-strategy.js';
import { makeRequests, runToEnd } from './helpers.js';

/** Answers every call at once, in process, and counts the calls. */
function instantCall(): CallStrategy & { calls: number } {
  const strategy = {
    name: 'instant',
    calls: 0,
    async call() {
      strategy.calls += 1;
      return { text: 'ok', finishReason: 'stop' as const, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'gpt-5.4-mini' };
    },
  };
  return strategy;
}

function withOption(options: Partial<EmulatedOptions>): () => unknown {
  return () => emulated({ call: instantCall(), ...options });
}

describe('concurrency', () => {
  it('the largest concurrency, 20,000, runs a one-request job: it makes its call with one worker', async () => {
    const call = instantCall();
    const events: EmulatedEvent[] = [];
    const { poll, journal } = await runToEnd(emulated({ call, concurrency: 20_000, observers: [(event) => events.push(event)] }), makeRequests(1));
    expect(call.calls).toBe(1);
    expect(poll.status).toBe('completed');
    expect(journal).toMatchObject([{ id: 'item_0', status: 'succeeded', text: 'ok' }]);
    // Workers start as requests arrive, so a short job never pays for the whole pool.
    expect(events.filter((event) => event.type === 'worker.started')).toHaveLength(1);
  });

  it('starts no more workers than the job has requests', async () => {
    const events: EmulatedEvent[] = [];
    await runToEnd(emulated({ call: instantCall(), concurrency: 5_000, observers: [(event) => events.push(event)] }), makeRequests(3));
    expect(events.filter((event) => event.type === 'worker.started').length).toBeLessThanOrEqual(3);
  });

  it('refuses a concurrency above 20,000, naming the bound and the value', () => {
    expect(withOption({ concurrency: 20_001 })).toThrow('emulated(): option "concurrency" must be an integer from 1 to 20,000, got 20001');
    expect(withOption({ concurrency: 1e6 })).toThrow('got 1000000');
  });

  it('accepts the bounds themselves', () => {
    expect(withOption({ concurrency: 1 })).not.toThrow();
    expect(withOption({ concurrency: 20_000 })).not.toThrow();
  });
});

// Every numeric option, with values it must refuse and how the value must be shown.
const refused: [option: string, options: Partial<EmulatedOptions>, shown: string][] = [
  ['concurrency', { concurrency: Number.NaN }, 'NaN'],
  ['concurrency', { concurrency: Number.POSITIVE_INFINITY }, 'Infinity'],
  ['concurrency', { concurrency: -4 }, '-4'],
  ['concurrency', { concurrency: 2.5 }, '2.5'],
  ['concurrency', { concurrency: 0 }, '0'],
  ['concurrency', { concurrency: '8' as never }, '"8"'],
  ['maxQueueSize', { maxQueueSize: Number.NaN }, 'NaN'],
  ['maxQueueSize', { maxQueueSize: 0.5 }, '0.5'],
  ['maxQueueSize', { maxQueueSize: 100_001 }, '100001'],
  ['maxRateLimitRetries', { maxRateLimitRetries: Number.POSITIVE_INFINITY }, 'Infinity'],
  ['maxRateLimitRetries', { maxRateLimitRetries: -1 }, '-1'],
  ['maxRateLimitRetries', { maxRateLimitRetries: 1_001 }, '1001'],
  ['maxToolIterations', { maxToolIterations: Number.NaN }, 'NaN'],
  ['maxToolIterations', { maxToolIterations: 1.5 }, '1.5'],
  ['maxToolIterations', { maxToolIterations: 101 }, '101'],
  ['timeoutMs', { timeoutMs: Number.NaN }, 'NaN'],
  ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }, 'Infinity'],
  ['timeoutMs', { timeoutMs: 0 }, '0'],
  ['timeoutMs', { timeoutMs: 2 ** 31 }, '2147483648'],
  ['pollIntervalMs', { pollIntervalMs: Number.NaN }, 'NaN'],
  ['pollIntervalMs', { pollIntervalMs: Number.POSITIVE_INFINITY }, 'Infinity'],
  ['pollIntervalMs', { pollIntervalMs: -100 }, '-100'],
  ['rateLimit.requestsPerMinute', { rateLimit: { requestsPerMinute: Number.NaN } }, 'NaN'],
  ['rateLimit.requestsPerMinute', { rateLimit: { requestsPerMinute: Number.POSITIVE_INFINITY } }, 'Infinity'],
  ['rateLimit.requestsPerMinute', { rateLimit: { requestsPerMinute: 1e-9 } }, '1e-9'],
  ['rateLimit.tokensPerMinute', { rateLimit: { tokensPerMinute: Number.NEGATIVE_INFINITY } }, '-Infinity'],
  ['rateLimit.tokensPerMinute', { rateLimit: { tokensPerMinute: 0 } }, '0'],
];

describe.each(refused)('option %s', (option, options, shown) => {
  it(`refuses ${shown} with a ValidationError that names the option and shows the value as written`, () => {
    let thrown: unknown;
    try {
      emulated({ call: instantCall(), ...options });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toMatchObject([{ field: option }]);
    const message = (thrown as ValidationError).message;
    expect(message).toContain(`option "${option}"`);
    expect(message.endsWith(`, got ${shown}`)).toBe(true);
    expect(message).not.toContain('null');
  });
});

describe('values at the bounds', () => {
  it('accepts the smallest and largest value of each numeric option', () => {
    const accepted: Partial<EmulatedOptions>[] = [
      { maxQueueSize: 1 },
      { maxQueueSize: 100_000 },
      { maxRateLimitRetries: 0 },
      { maxRateLimitRetries: 1_000 },
      { maxToolIterations: 0 },
      { maxToolIterations: 100 },
      { timeoutMs: 1 },
      { timeoutMs: 2 ** 31 - 1 },
      { pollIntervalMs: 1 },
      { rateLimit: { requestsPerMinute: 1, tokensPerMinute: 1 } },
      { rateLimit: { requestsPerMinute: 0.5e6, tokensPerMinute: 1.5e9 } },
    ];
    for (const options of accepted) expect(withOption(options), JSON.stringify(options)).not.toThrow();
  });
});
