import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openaiBatch } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { registerProvider, unregisterProvider } from '../../src/client/provider-registry.js';
import { createProvider, splitProviderModel } from '../../src/client/resolve-provider.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { redactSecrets } from '../../src/errors/redact-secrets.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

let server: MockProviderServer;
beforeAll(async () => {
  server = await createMockProviderServer({ batch: { validatingMs: 0, processingMs: 20, finalizingMs: 0 } });
});
afterAll(() => server.close());
afterEach(() => {
  unregisterProvider('gateway');
  unregisterProvider('leaky');
});

function caught(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('the provider registry', () => {
  it('a registered provider is a shorthand of createBatchClient and runs a job on the emulator', async () => {
    const seen: unknown[] = [];
    registerProvider('gateway', (options) => {
      seen.push(options);
      return openaiBatch({ apiKey: 'sk-test-gateway', baseURL: `${server.url}/v1`, pollIntervalMs: 10 });
    });
    const client = createBatchClient({ provider: 'gateway', store: memoryStore(), pollIntervalMs: 10 });
    const summary = await client.run([{ id: 'a', messages: [{ role: 'user', content: 'hi' }] }], { model: 'gpt-5.4-mini' });
    expect(summary.results.map((result) => result.status)).toEqual(['succeeded']);
    expect(seen).toEqual([{ mode: 'native' }]);
    expect(server.stats().batchesCreated.openai).toBeGreaterThan(0);
    await client.close();
  });

  it('createProvider builds a built-in or registered adapter by name', async () => {
    const openai = await createProvider('openai', { apiKey: 'sk-test-x', baseURL: `${server.url}/v1` });
    expect([openai.name, openai.mode]).toEqual(['openai', 'native']);
    const anthropic = await createProvider('anthropic', { mode: 'emulated', apiKey: 'sk-ant-test', baseURL: server.url, concurrency: 2 });
    expect(anthropic.mode).toBe('emulated');
    await expect(createProvider('nope')).rejects.toThrow(/createProvider\(\).*one of "openai", "anthropic".*registerProvider/);
  });

  it('refuses a bad name, a taken name and a factory that is no function', () => {
    expect(caught(() => registerProvider('Bad Name', () => openaiBatch({ apiKey: 'sk-test-x' }))).message).toMatch(/name/);
    expect(caught(() => registerProvider('openai', () => openaiBatch({ apiKey: 'sk-test-x' }))).message).toMatch(/replace: true/);
    expect(caught(() => registerProvider('gateway', 42 as never)).message).toMatch(/factory/);
    expect(caught(() => createBatchClient({ provider: 'gateway' })).message).toMatch(/registerProvider/);
  });

  it('splits provider:model only for a known provider, so fine-tuned ids stay whole', () => {
    expect(splitProviderModel('anthropic:claude-haiku-4-5')).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(splitProviderModel('openai:gpt-5.4-mini')).toEqual({ provider: 'openai', model: 'gpt-5.4-mini' });
    expect(splitProviderModel('ft:gpt-4o-mini:org:custom:abc')).toBeUndefined();
    expect(splitProviderModel('gpt-5.4-mini')).toBeUndefined();
    registerProvider('gateway', () => openaiBatch({ apiKey: 'sk-test-x' }));
    expect(splitProviderModel('gateway:llama-3')).toEqual({ provider: 'gateway', model: 'llama-3' });
  });

  it('a registered provider gets the key the config names from the environment, registered for redaction', async () => {
    const key = 'gw-secret-value-for-registry-test-0001';
    process.env['LLM_BATCH_TEST_GATEWAY_KEY'] = key;
    try {
      registerProvider('leaky', ({ apiKey }) => {
        throw new Error(`the gateway refused ${apiKey}`);
      });
      const client = createBatchClient({ config: { provider: 'leaky', providers: { leaky: { apiKeyEnv: 'LLM_BATCH_TEST_GATEWAY_KEY' } } }, store: memoryStore() });
      const error = (await client.provider().catch((caughtError: unknown) => caughtError)) as Error;
      expect(error.message).toContain(key);
      expect(redactSecrets(error.message)).not.toContain(key);
      await client.close();
    } finally {
      delete process.env['LLM_BATCH_TEST_GATEWAY_KEY'];
    }
  });
});
