import { afterEach, describe, expect, it } from 'vitest';
import { anthropicBatch, anthropicMessages } from '../../src/adapters/anthropic/index.js';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiBatch, openaiChat, openaiResponses } from '../../src/adapters/openai/index.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { CallStrategy } from '../../src/provider/call-strategy.js';
import { fileStore } from '../../src/store/file-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { checkNumberOption, checkOptionKeys, failOption } from '../../src/validation/check-options.js';

const call: CallStrategy = {
  name: 'never',
  call() {
    throw new Error('no call may be made while options are checked');
  },
};

/** The error a function throws, so that its class, message and issues can all be asserted. */
function thrownBy(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('checkOptionKeys', () => {
  it('passes an object whose keys are all known, including one set to undefined', () => {
    expect(() => checkOptionKeys('f()', { a: 1, b: undefined }, ['a', 'b', 'c'])).not.toThrow();
  });

  it('names an unknown key and the known one it most likely meant', () => {
    const error = thrownBy(() => checkOptionKeys('emulated()', { concurency: 4 }, ['call', 'concurrency']));
    expect(error.message).toBe("emulated(): unknown option 'concurency' (did you mean 'concurrency'?)");
    expect(error.issues).toEqual([{ index: 0, field: 'concurency', reason: "unknown option (did you mean 'concurrency'?)" }]);
    expect(error.code).toBe('validation_error');
  });

  it.each([
    ['maxCostUSD', ['maxCostUsd', 'model'], 'maxCostUsd'],
    ['stroe', ['provider', 'store'], 'store'],
    ['apikey', ['apiKey', 'baseURL'], 'apiKey'],
    ['dri', ['dir'], 'dir'],
    ['latecy', ['latency', 'seed'], 'latency'],
    ['pollIntervalMS', ['pollIntervalMs', 'timeoutMs'], 'pollIntervalMs'],
  ])('suggests the close name for %s', (key, known, meant) => {
    expect(thrownBy(() => checkOptionKeys('f()', { [key]: 1 }, known)).message).toBe(`f(): unknown option '${key}' (did you mean '${meant}'?)`);
  });

  it('suggests nothing when no known name is close', () => {
    expect(thrownBy(() => checkOptionKeys('f()', { url: 'x' }, ['dir'])).message).toBe("f(): unknown option 'url'");
    expect(thrownBy(() => checkOptionKeys('f()', { temperature: 1 }, ['concurrency'])).message).toBe("f(): unknown option 'temperature'");
  });

  it('lists every unknown key at once', () => {
    const error = thrownBy(() => checkOptionKeys('emulated()', { concurency: 4, retires: 3, zzz: 1 }, ['concurrency', 'retry']));
    expect(error.message).toBe("emulated(): unknown options 'concurency' (did you mean 'concurrency'?), 'retires' and 'zzz'");
    expect(error.issues.map((issue) => issue.field)).toEqual(['concurency', 'retires', 'zzz']);
  });

  it('checks nested options in the same pass, naming keys by their path', () => {
    const nested = { rateLimit: { known: ['requestsPerMinute', 'tokensPerMinute'] } };
    const error = thrownBy(() => checkOptionKeys('emulated()', { concurency: 1, rateLimit: { requestPerMinute: 5 } }, ['concurrency', 'rateLimit'], { nested }));
    expect(error.message).toBe(
      "emulated(): unknown options 'concurency' (did you mean 'concurrency'?) and 'rateLimit.requestPerMinute' (did you mean 'rateLimit.requestsPerMinute'?)",
    );
  });

  it('refuses options that are not an object, and a nested option that is not one', () => {
    expect(thrownBy(() => checkOptionKeys('f()', 5 as never, ['a'])).message).toBe('f(): options must be an object, got 5');
    expect(thrownBy(() => checkOptionKeys('f()', { rateLimit: 5 }, ['rateLimit'], { nested: { rateLimit: { known: [] } } })).message).toBe(
      'f(): option "rateLimit" must be an object, got 5',
    );
  });

  it('never shows the value of an unknown key (it may be a secret)', () => {
    const error = thrownBy(() => checkOptionKeys('openaiBatch()', { apikey: 'sk-secret-value' }, ['apiKey']));
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain('sk-secret-value');
  });
});

describe('value errors share the phrasing', () => {
  it('checkNumberOption names the option, the bounds and the value as written', () => {
    const error = thrownBy(() => checkNumberOption('createBatchClient()', 'pollIntervalMs', Number.NaN, { min: 1, max: 86_400_000 }));
    expect(error.message).toBe('createBatchClient(): option "pollIntervalMs" must be a number from 1 to 86,400,000, got NaN');
    expect(error.issues).toEqual([{ index: 0, field: 'pollIntervalMs', reason: 'must be a number from 1 to 86,400,000, got NaN' }]);
    expect(() => checkNumberOption('f()', 'n', undefined, { min: 1, max: 2 })).not.toThrow();
  });

  it('failOption can show a stand-in instead of the value', () => {
    expect(thrownBy(() => failOption('openaiChat()', 'apiKey', 'a non-empty string', 42, 'number')).message).toBe(
      'openaiChat(): option "apiKey" must be a non-empty string, got number',
    );
  });
});

describe('every public options object refuses an unknown key before any network call', () => {
  // No key in the environment is needed: the key check runs before the client is made.
  it.each([
    ['emulated', () => emulated({ call, concurency: 4 } as never), "emulated(): unknown option 'concurency' (did you mean 'concurrency'?)"],
    ['emulated rateLimit', () => emulated({ call, rateLimit: { requestPerMinute: 5 } } as never), "emulated(): unknown option 'rateLimit.requestPerMinute' (did you mean 'rateLimit.requestsPerMinute'?)"],
    ['openaiBatch', () => openaiBatch({ apikey: 'x' } as never), "openaiBatch(): unknown option 'apikey' (did you mean 'apiKey'?)"],
    ['openaiChat', () => openaiChat({ apiKey: 'x', baseUrl: 'http://localhost' } as never), "openaiChat(): unknown option 'baseUrl' (did you mean 'baseURL'?)"],
    ['openaiResponses', () => openaiResponses({ apiKey: 'x', modle: 'm' } as never), "openaiResponses(): unknown option 'modle' (did you mean 'model'?)"],
    ['anthropicBatch', () => anthropicBatch({ apiKey: 'x', pollIntervalMS: 5 } as never), "anthropicBatch(): unknown option 'pollIntervalMS' (did you mean 'pollIntervalMs'?)"],
    ['anthropicMessages', () => anthropicMessages({ apiKey: 'x', defaultMaxToken: 5 } as never), "anthropicMessages(): unknown option 'defaultMaxToken' (did you mean 'defaultMaxTokens'?)"],
    ['fileStore', () => fileStore({ dri: 'x' } as never), "fileStore(): unknown option 'dri' (did you mean 'dir'?)"],
  ])('%s', (_name, create, message) => {
    expect(thrownBy(create).message).toBe(message);
  });

  describe('createMockProviderServer', () => {
    let server: MockProviderServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('refuses a misspelt top-level option without starting', async () => {
      const attempt = createMockProviderServer({ latecy: 5 } as never).then((started) => (server = started));
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toThrow("createMockProviderServer(): unknown option 'latecy' (did you mean 'latency'?)");
    });

    it('refuses misspelt nested options, all at once', async () => {
      const attempt = createMockProviderServer({
        batch: { procesingMs: 5 },
        rateLimit: { openai: { requestPerMinute: 1 } },
        latency: { 'chat.completion': 5 },
      } as never).then((started) => (server = started));
      await expect(attempt).rejects.toThrow(
        "createMockProviderServer(): unknown options 'batch.procesingMs' (did you mean 'batch.processingMs'?), " +
          "'rateLimit.openai.requestPerMinute' (did you mean 'rateLimit.openai.requestsPerMinute'?) and " +
          "'latency.chat.completion' (did you mean 'latency.chat.completions'?)",
      );
    });

    it('still takes every documented shape of latency and rate limits', async () => {
      server = await createMockProviderServer({
        latency: { p50: 1, p99: 2 },
        rateLimit: { anthropic: { requestsPerMinute: 100 } },
        batch: { clock: 'manual' },
        faults: { rate: 0 },
        batchFaults: { itemErrorRate: 0 },
      });
      await server.close();
      server = await createMockProviderServer({ latency: { default: 1, messages: 2 }, rateLimit: { tokensPerMinute: 1_000 } });
    });
  });
});
