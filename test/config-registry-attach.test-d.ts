import { describe, expectTypeOf, it } from 'vitest';
import {
  createBatchClient,
  createProvider,
  loadConfig,
  registerProvider,
  type AttachOptions,
  type BatchClient,
  type BatchJob,
  type BatchPart,
  type BatchProvider,
  type LlmBatchConfig,
  type LoadedConfig,
  type ProviderFactoryOptions,
} from 'llm-batch';

declare const client: BatchClient;
declare const provider: BatchProvider;

describe('the config option', () => {
  it('takes what loadConfig returns, or the settings as an object', async () => {
    expectTypeOf(loadConfig).returns.resolves.toEqualTypeOf<LoadedConfig>();
    createBatchClient({ config: await loadConfig() });
    createBatchClient({ config: await loadConfig('llm-batch.config.yaml', { cwd: '/' }) });
    createBatchClient({
      config: {
        provider: 'openai',
        mode: 'native',
        providers: { openai: { enabled: true, mode: 'emulated', apiKeyEnv: 'OPENAI_API_KEY', baseURL: 'http://localhost', concurrency: 4 } },
        models: { 'gpt-5.4-mini': { maxRequestsPerPart: 20, price: { input: 0.25, output: 2 } } },
        defaults: { model: 'gpt-5.4-mini', system: 's', temperature: 0, maxTokens: 10 },
        store: '.llm-batch',
        pollIntervalMs: 10,
        maxPollIntervalMs: 20,
      },
    });
  });

  it('is closed: a misspelt key or a key in the file is a type error', () => {
    // @ts-expect-error enabeld is not a provider setting
    const misspelt: LlmBatchConfig = { providers: { openai: { enabeld: true } } };
    // @ts-expect-error keys come from environment variables (apiKeyEnv), never from the config
    const withKey: LlmBatchConfig = { providers: { openai: { apiKey: 'x' } } };
    // @ts-expect-error maxRequestsPerPart is a number
    const cap: LlmBatchConfig = { models: { m: { maxRequestsPerPart: '20' } } };
    // @ts-expect-error mode is native or emulated
    const mode: LlmBatchConfig = { mode: 'batch' };
    void [misspelt, withKey, cap, mode];
  });
});

describe('the provider registry', () => {
  it('registerProvider takes a factory of an adapter (or a promise of one); createProvider builds by name', () => {
    registerProvider('gateway', (options) => {
      expectTypeOf(options).toEqualTypeOf<ProviderFactoryOptions>();
      expectTypeOf(options.mode).toEqualTypeOf<'native' | 'emulated'>();
      return provider;
    });
    registerProvider('lazy', async () => provider, { replace: true });
    // @ts-expect-error a factory returns an adapter
    registerProvider('bad', () => 42);
    // @ts-expect-error replce is not an option
    registerProvider('gateway', () => provider, { replce: true });
    expectTypeOf(createProvider('anthropic', { mode: 'emulated', concurrency: 2 })).resolves.toEqualTypeOf<BatchProvider>();
    // @ts-expect-error mode is native or emulated
    void createProvider('openai', { mode: 'sync' });
    createBatchClient({ provider: 'gateway' });
  });
});

describe('attach and mixed jobs', () => {
  it('attach takes a batch id and an optional provider name', () => {
    expectTypeOf(client.attach({ batchId: 'batch_1' })).resolves.toEqualTypeOf<BatchJob>();
    expectTypeOf(client.attach({ provider: 'anthropic', batchId: 'msgbatch_1', metadata: { team: 'risk' } })).resolves.toEqualTypeOf<BatchJob>();
    expectTypeOf<AttachOptions['batchId']>().toEqualTypeOf<string>();
    // @ts-expect-error batchId is required
    void client.attach({ provider: 'openai' });
    // @ts-expect-error bacthId is not an option
    void client.attach({ bacthId: 'batch_1' });
  });

  it('a part of a mixed job names its provider', () => {
    expectTypeOf<BatchPart['provider']>().toEqualTypeOf<string | undefined>();
  });
});
