import { describe, expectTypeOf, it } from 'vitest';
import type { BatchAggregate, BatchClient, BatchRequest } from 'llm-batch';

declare const client: BatchClient;
declare const requests: Iterable<BatchRequest>;

describe('keepResults', () => {
  it('is a boolean option of run() and aggregate(); the aggregate keeps its type', () => {
    expectTypeOf(client.run(requests, { keepResults: false })).resolves.toEqualTypeOf<BatchAggregate<unknown>>();
    expectTypeOf(client.aggregate('job', { keepResults: false })).resolves.toEqualTypeOf<BatchAggregate<unknown>>();
    // @ts-expect-error keepResults is a boolean
    void client.run(requests, { keepResults: 'no' });
    // @ts-expect-error keepResults is not an option of results()
    void client.results('job', { keepResults: false });
  });
});
