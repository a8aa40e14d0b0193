import { describe, expectTypeOf, it } from 'vitest';
import type { BatchProvider, JobBilling, JobManifest } from 'llm-batch';
import { distributed } from 'llm-batch/redis';

describe('BatchProvider.billing', () => {
  it('is optional, and batch or sync', () => {
    expectTypeOf<BatchProvider['billing']>().toEqualTypeOf<JobBilling | undefined>();
    expectTypeOf<JobBilling>().toEqualTypeOf<'batch' | 'sync'>();
    const billed: Pick<BatchProvider, 'billing'> = { billing: 'sync' };
    const unset: Pick<BatchProvider, 'billing'> = {};
    // @ts-expect-error only batch or sync
    const wrong: Pick<BatchProvider, 'billing'> = { billing: 'discounted' };
    void [billed, unset, wrong];
  });

  it('is declared by distributed(), and kept in the stored manifest as an optional field', () => {
    expectTypeOf(distributed).returns.toHaveProperty('billing').toEqualTypeOf<JobBilling | undefined>();
    expectTypeOf<JobManifest['billing']>().toEqualTypeOf<JobBilling | undefined>();
  });
});
