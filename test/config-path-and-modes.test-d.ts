import { describe, expectTypeOf, it } from 'vitest';
import { createBatchClient, type BatchClient, type BatchPart, type JobMode, type LlmBatchConfig, type LlmBatchPlugin, type LlmBatchPluginApi } from 'llm-batch';

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

describe('config plugins', () => {
  it('are module paths; a plugin exports register(api), the api being the registry and emulated()', () => {
    const config: LlmBatchConfig = { plugins: ['./my-provider.mjs'] };
    createBatchClient({ config, provider: 'mine' });
    // @ts-expect-error plugins are paths, not modules
    createBatchClient({ config: { plugins: [{ register() {} }] } });
    const plugin: LlmBatchPlugin = {
      register({ registerProvider, emulated }) {
        registerProvider('mine', ({ concurrency }) => emulated({ call: { name: 'mine', call: async () => ({ text: '', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, model: 'm' }) }, ...(concurrency === undefined ? {} : { concurrency }) }));
      },
    };
    expectTypeOf(plugin.register).parameter(0).toEqualTypeOf<LlmBatchPluginApi>();
  });
});

describe('config defaults', () => {
  it('take what the client defaults take: tools and schema too', () => {
    const config: LlmBatchConfig = {
      defaults: { model: 'gpt-5.4-mini', tools: [{ name: 'lookup', parameters: { type: 'object' } }], schema: { type: 'object', properties: { city: { type: 'string' } } } },
    };
    createBatchClient({ config });
    expectTypeOf<NonNullable<LlmBatchConfig['defaults']>>().toEqualTypeOf<NonNullable<Parameters<typeof createBatchClient>[0]['defaults']>>();
    // @ts-expect-error tools is a list
    createBatchClient({ config: { defaults: { tools: { name: 'lookup' } } } });
  });
});
