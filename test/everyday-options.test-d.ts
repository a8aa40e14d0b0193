import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  batchComplete,
  createBatchClient,
  formatCost,
  type BatchClient,
  type BatchCompletion,
  type BatchProvider,
  type BatchResult,
  type JobPriority,
  type PlainPrompt,
} from 'llm-batch';

declare const provider: BatchProvider;
declare const client: BatchClient;

// Each call marked @ts-expect-error must fail to compile; the type test fails if one compiles.
describe('the everyday options are typed and closed', () => {
  it('client defaults', () => {
    createBatchClient({ provider, defaults: { model: 'gpt-5.4-mini', system: 'Be brief.', temperature: 0, maxTokens: 64, tools: [{ name: 'lookup' }], schema: z.object({ a: z.string() }) } });
    // @ts-expect-error modle is not a default
    createBatchClient({ provider, defaults: { modle: 'gpt-5.4-mini' } });
    // @ts-expect-error temperature is a number
    createBatchClient({ provider, defaults: { temperature: 'low' } });
  });

  it('currency', () => {
    createBatchClient({ provider, currency: { code: 'EUR', perUsd: 0.92 } });
    // @ts-expect-error perUSD is not perUsd
    createBatchClient({ provider, currency: { code: 'EUR', perUSD: 0.92 } });
    expectTypeOf(formatCost(1, { code: 'EUR', perUsd: 0.92 })).toEqualTypeOf<string>();
  });

  it('priority', () => {
    void client.submit([], { priority: 'high', serviceTierFromPriority: true });
    // @ts-expect-error urgent is not a priority
    void client.submit([], { priority: 'urgent' });
    expectTypeOf<JobPriority>().toEqualTypeOf<'low' | 'normal' | 'high'>();
  });

  it('plain prompts go wherever requests do', () => {
    void client.submit(['a', { prompt: 'b', system: 'c', metadata: { row: 1 } }]);
    void client.run(['a'], { model: 'gpt-5.4-mini' });
    // @ts-expect-error sytem is not a key of a plain prompt
    const misspelt: PlainPrompt = { prompt: 'b', sytem: 'c' };
    void misspelt;
  });

  it('complete', () => {
    expectTypeOf(client.complete('hi', { model: 'gpt-5.4-mini' })).resolves.toEqualTypeOf<BatchResult<unknown>>();
    // @ts-expect-error modle is not an option of complete()
    void client.complete('hi', { modle: 'gpt-5.4-mini' });
  });

  it('batchComplete', () => {
    expectTypeOf(batchComplete(['a'], { provider: 'openai', model: 'gpt-5.4-mini' })).resolves.toEqualTypeOf<BatchCompletion[]>();
    // @ts-expect-error concurency is not an option of batchComplete()
    void batchComplete(['a'], { provider: 'openai', concurency: 4 });
    // @ts-expect-error a batchComplete takes plain prompts
    void batchComplete([{ id: 'a', messages: [] }], { provider: 'openai' });
  });

  it('a completion narrows to its text or its failure', () => {
    const completion = {} as BatchCompletion;
    if (typeof completion === 'string') expectTypeOf(completion).toEqualTypeOf<string>();
    else expectTypeOf(completion.error.category).toBeString();
  });

  it('a client is AsyncDisposable', () => {
    expectTypeOf(client).toMatchTypeOf<AsyncDisposable>();
  });
});
