import { describe, expect, it } from 'vitest';
import { createBatchClient, emulated, memoryStore, ValidationError, type BatchProvider, type CallStrategy } from '../../src/index.js';

/** A provider that fails the test if anything reaches it: option errors come before any call. */
const untouchable: BatchProvider = {
  name: 'untouchable',
  mode: 'native',
  limits: { maxRequests: 10, maxBytes: 1e6, oneModelPerPart: false },
  submit: () => Promise.reject(new Error('submit must not be called')),
  poll: () => Promise.reject(new Error('poll must not be called')),
  results: () => {
    throw new Error('results must not be called');
  },
  cancel: () => Promise.reject(new Error('cancel must not be called')),
};

const call: CallStrategy = { name: 'never', call: () => Promise.reject(new Error('call must not be called')) };

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a misspelt option is refused before any network call, naming the key and the right one', () => {
  it('submit(requests, { maxCostUSD: 5 })', async () => {
    const client = createBatchClient({ provider: untouchable, store: memoryStore() });
    const error = await client.submit([{ id: 'a', model: 'm', messages: [{ role: 'user', content: 'hi' }] }], { maxCostUSD: 5 } as never).catch((thrown: unknown) => thrown);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("submit(): unknown option 'maxCostUSD' (did you mean 'maxCostUsd'?)");
    expect(await client.list()).toEqual([]);
  });

  it('createBatchClient({ provider, stroe: memoryStore() })', () => {
    const error = caught(() => createBatchClient({ provider: untouchable, stroe: memoryStore() } as never));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("createBatchClient(): unknown option 'stroe' (did you mean 'store'?)");
  });

  it('emulated({ call, concurency: 4 })', () => {
    const error = caught(() => emulated({ call, concurency: 4 } as never));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("emulated(): unknown option 'concurency' (did you mean 'concurrency'?)");
  });

  it('wait, results, run and retry are closed too', async () => {
    const client = createBatchClient({ provider: untouchable, store: memoryStore() });
    await expect(client.wait('job_x', { pollIntervalMS: 5 } as never)).rejects.toThrow("wait(): unknown option 'pollIntervalMS' (did you mean 'pollIntervalMs'?)");
    await expect(client.run([], { timeoutMS: 5 } as never)).rejects.toThrow("run(): unknown option 'timeoutMS' (did you mean 'timeoutMs'?)");
    await expect(client.retry('job_x', { status: ['failed'] } as never)).rejects.toThrow(/retry\(\): unknown option 'status' \(did you mean 'statuses'\?\)/);
    const iterator = client.results('job_x', { ordr: 'input' } as never)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow(/results\(\): unknown option 'ordr' \(did you mean 'order'\?\)/);
  });
});
