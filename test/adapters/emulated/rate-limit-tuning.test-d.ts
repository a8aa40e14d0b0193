import { describe, expectTypeOf, it } from 'vitest';
import { emulated, type CallStrategy } from 'llm-batch';

declare const call: CallStrategy;

type RateLimit = NonNullable<Parameters<typeof emulated>[0]['rateLimit']>;

describe('the rate limiter knobs of emulated()', () => {
  it('are typed options of rateLimit', () => {
    emulated({
      call,
      rateLimit: {
        adaptive: { headers: true, cooldown: false, window: true },
        minCooldownMs: 500,
        defaultCooldownMs: 1000,
        maxCooldownMs: 30_000,
        restartConcurrency: 4,
        releaseSpacingMs: 5,
        decreaseFactor: 0.7,
        denseShare: 0.6,
        retryBudget: { capacity: 20, ratio: 0.1 },
      },
    });
    emulated({ call, rateLimit: { adaptive: false, retryBudget: false } });
    expectTypeOf<RateLimit['adaptive']>().toEqualTypeOf<boolean | { readonly headers?: boolean; readonly cooldown?: boolean; readonly window?: boolean } | undefined>();
    expectTypeOf<RateLimit['decreaseFactor']>().toEqualTypeOf<number | undefined>();
  });

  it('refuse misspellings and wrong types', () => {
    // @ts-expect-error minCooldown is not a rate limit option (minCooldownMs is)
    emulated({ call, rateLimit: { minCooldown: 500 } });
    // @ts-expect-error cooldowns is not an adaptive signal (cooldown is)
    emulated({ call, rateLimit: { adaptive: { cooldowns: false } } });
    // @ts-expect-error retryBudget takes a boolean or { capacity, ratio }
    emulated({ call, rateLimit: { retryBudget: { size: 5 } } });
    // @ts-expect-error decreaseFactor is a number
    emulated({ call, rateLimit: { decreaseFactor: '0.5' } });
    // @ts-expect-error adaptive is a boolean or signals, not a string
    emulated({ call, rateLimit: { adaptive: 'headers' } });
  });
});
