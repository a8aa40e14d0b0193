import { describe, expectTypeOf, it } from 'vitest';
import { createBatchClient, type BatchClient, type BatchPart, type JobMode, type LlmBatchConfig } from 'llm-batch';

describe('createBatchClient({ config })', () => {
  it('takes a file path, or true to find the file from the working directory up', () => {
    expectTypeOf(createBatchClient({ config: 'llm-batch.config.yaml' })).toEqualTypeOf<BatchClient>();
    expectTypeOf(createBatchClient({ config: true, provider: 'openai' })).toEqualTypeOf<BatchClient>();
    // @ts-expect-error false is not a config: leave the option out
    createBatchClient({ config: false });
    // @ts-expect-error a number is not a path
    createBatchClient({ config: 1 });
  });
});

describe('per-provider mode in a mixed job', () => {
  it('is set per provider in the config, and shown on each part', () => {
    const config: LlmBatchConfig = { provider: 'openai', providers: { openai: { mode: 'native' }, anthropic: { mode: 'emulated' } } };
    createBatchClient({ config });
    expectTypeOf<BatchPart['mode']>().toEqualTypeOf<JobMode | undefined>();
    // @ts-expect-error a mode is native or emulated
    createBatchClient({ config: { providers: { anthropic: { mode: 'sync' } } } });
  });
});
