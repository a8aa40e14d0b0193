import { describe, expect, it } from 'vitest';
import { fakeBatchProvider } from '../../src/adapters/fake/fake-batch-provider.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { memoryStore } from '../../src/store/memory-store.js';

function setup() {
  const provider = fakeBatchProvider();
  const store = memoryStore();
  const client = createBatchClient({ provider, store, pollIntervalMs: 1 });
  return { provider, store, client };
}

async function validationIssues(input: unknown[], options: { model?: string } = { model: 'm' }) {
  const { client, provider, store } = setup();
  const error = await client.submit(input as never, options).catch((caught: unknown) => caught);
  expect(ValidationError.isInstance(error)).toBe(true);
  expect(provider.backend.created).toBe(0);
  expect(await store.listJobs()).toEqual([]);
  return (error as ValidationError).issues;
}

const user = (content: unknown) => ({ role: 'user', content });

describe('validation before any network call', () => {
  it('reports every bad item at once with index, id, field and reason', async () => {
    const issues = await validationIssues([
      { id: 'ok', messages: [user('hi')] },
      { messages: [user('no id')] },
      { id: 'has space', messages: [user('x')] },
      { id: 'ok', messages: [user('dup')] },
      { id: 'empty', messages: [] },
      { id: 'role', messages: [{ role: 'robot', content: 'x' }] },
      { id: 'content', messages: [user(42)] },
      { id: 'tokens', maxTokens: -5, messages: [user('x')] },
      { id: 'extra', messages: [user('x')], temprature: 0.2 },
    ]);
    const byIndex = (index: number) => issues.filter((issue) => issue.index === index);
    expect(byIndex(0)).toEqual([]);
    expect(byIndex(1)[0]).toMatchObject({ field: 'id' });
    expect(byIndex(2)[0]).toMatchObject({ id: 'has space', field: 'id' });
    expect(byIndex(3)[0]).toMatchObject({ id: 'ok', field: 'id', reason: expect.stringContaining('duplicate') });
    expect(byIndex(4)[0]).toMatchObject({ id: 'empty', field: 'messages' });
    expect(byIndex(5)[0]).toMatchObject({ id: 'role', field: 'messages.0.role' });
    expect(byIndex(6)[0]?.field).toMatch(/^messages\.0\.content/);
    expect(byIndex(7)[0]).toMatchObject({ id: 'tokens', field: 'maxTokens' });
    expect(byIndex(8)[0]).toMatchObject({ id: 'extra', field: 'temprature', reason: 'unknown key' });
  });

  it('names the item in the error message', async () => {
    const { client } = setup();
    const error = (await client.submit([{ id: 'x1', messages: [] }] as never, { model: 'm' }).catch((caught) => caught)) as Error;
    expect(error.message).toContain('request 0 (id "x1"): messages');
  });

  it('requires a model on every request or as an option', async () => {
    const issues = await validationIssues([{ id: 'a', messages: [user('x')] }], {});
    expect(issues).toEqual([expect.objectContaining({ index: 0, id: 'a', field: 'model' })]);
  });

  it('rejects items that are neither requests nor plain prompts, and an empty input', async () => {
    // A string is a plain prompt now; a number or null is no request at all.
    expect(await validationIssues([42, null])).toHaveLength(2);
    expect((await validationIssues([]))[0]?.reason).toContain('empty');
  });

  it("checks ids against the adapter's id rule", async () => {
    const provider = fakeBatchProvider({ limits: { idPattern: /^[a-z]+$/ } });
    const client = createBatchClient({ provider, store: memoryStore() });
    const error = await client.submit([{ id: 'ABC', messages: [user('x')] }] as never, { model: 'm' }).catch((caught) => caught);
    expect((error as ValidationError).issues[0]).toMatchObject({ id: 'ABC', field: 'id' });
  });

  it('rejects bad options with a TypeError naming the option', async () => {
    const { client } = setup();
    await expect(client.submit([], { model: '' })).rejects.toThrow(/option "model"/);
    await expect(client.submit([], { metadata: { run: 3 as unknown as string } })).rejects.toThrow(/metadata\.run/);
    expect(() => createBatchClient({ provider: fakeBatchProvider(), pollIntervalMs: -1 })).toThrow(/pollIntervalMs/);
    expect(() => createBatchClient({ provider: fakeBatchProvider(), mode: 'turbo' as never })).toThrow(/"mode"/);
  });

  it('refuses a retry option that is not a strategy when the client is made, not as a failed provider call later', () => {
    for (const retry of [5, {}, { shouldRetry: () => true }]) {
      expect(() => createBatchClient({ provider: fakeBatchProvider(), store: memoryStore(), retry: retry as never })).toThrow(
        new TypeError(`Expected option "retry" to be a retry strategy ({ shouldRetry(context), delayMs(context) }), got ${typeof retry === 'number' ? retry : 'object'}`),
      );
    }
    expect(() => createBatchClient({ provider: fakeBatchProvider(), store: memoryStore(), retry: { shouldRetry: () => false, delayMs: () => 0 } })).not.toThrow();
  });

  it('accepts an async generator as input', async () => {
    const { client } = setup();
    async function* requests() {
      for (let index = 0; index < 3; index++) yield { id: `g${index}`, messages: [{ role: 'user' as const, content: 'x' }] };
    }
    const summary = await client.run(requests(), { model: 'm' });
    expect(summary.counts.succeeded).toBe(3);
  });
});
