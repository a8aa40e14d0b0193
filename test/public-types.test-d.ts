import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  createBatchClient,
  type BatchAggregate,
  type BatchJob,
  type BatchPart,
  type BatchProvider,
  type BatchStore,
  type JobManifest,
  type WaitOptions,
  type BatchRequest,
  type DryRunResult,
  type BatchResult,
  type ErrorCategory,
  type ItemError,
  type JobStatus,
  type RetryStrategy,
  type Usage,
  exponentialBackoff,
  classifyError,
} from 'llm-batch';

describe('public types', () => {
  it('BatchResult narrows on status', () => {
    const result = {} as BatchResult<{ score: number }>;
    if (result.status === 'succeeded') {
      expectTypeOf(result.text).toEqualTypeOf<string>();
      expectTypeOf(result.output).toEqualTypeOf<{ score: number } | undefined>();
      expectTypeOf(result.usage).toEqualTypeOf<Usage>();
    }
    if (result.status === 'failed') expectTypeOf(result.error).toEqualTypeOf<ItemError>();
    if (result.status === 'cancelled' || result.status === 'expired') {
      expectTypeOf(result.error).toEqualTypeOf<ItemError | undefined>();
    }
  });

  it('job statuses and error categories are closed unions', () => {
    expectTypeOf<'completed'>().toExtend<JobStatus>();
    expectTypeOf<'done'>().not.toExtend<JobStatus>();
    expectTypeOf<'rate_limit'>().toExtend<ErrorCategory>();
    expectTypeOf<'teapot'>().not.toExtend<ErrorCategory>();
  });

  it('requests need an id and messages', () => {
    expectTypeOf<{ id: string; messages: [{ role: 'user'; content: string }] }>().toExtend<BatchRequest>();
    expectTypeOf<{ messages: [] }>().not.toExtend<BatchRequest>();
  });

  it('the client methods return the public models', () => {
    const client = createBatchClient({ provider: {} as BatchProvider });
    expectTypeOf(client.submit([])).toEqualTypeOf<Promise<BatchJob>>();
    expectTypeOf(client.submit([], { dryRun: true })).toEqualTypeOf<Promise<DryRunResult>>();
    expectTypeOf(client.status).returns.toEqualTypeOf<Promise<BatchJob>>();
    expectTypeOf(client.aggregate<{ a: 1 }>).returns.resolves.toEqualTypeOf<BatchAggregate<{ a: 1 }>>();
    expectTypeOf(client.results).returns.toExtend<AsyncIterable<BatchResult>>();
  });

  it('every method that returns a job returns the public view, and so does onProgress', () => {
    const client = createBatchClient({ provider: {} as BatchProvider });
    expectTypeOf(client.wait).returns.toEqualTypeOf<Promise<BatchJob>>();
    expectTypeOf(client.cancel).returns.toEqualTypeOf<Promise<BatchJob>>();
    expectTypeOf(client.resume).returns.toEqualTypeOf<Promise<BatchJob>>();
    expectTypeOf(client.retry).returns.toEqualTypeOf<Promise<BatchJob>>();
    expectTypeOf(client.list).returns.toEqualTypeOf<Promise<BatchJob[]>>();
    expectTypeOf<NonNullable<WaitOptions['onProgress']>>().parameter(0).toEqualTypeOf<BatchJob>();
  });

  it('the public job is read-only and has none of the store internals', () => {
    expectTypeOf<BatchJob['parts']>().toEqualTypeOf<readonly BatchPart[]>();
    expectTypeOf<BatchJob>().not.toHaveProperty('options');
    expectTypeOf<BatchPart>().not.toHaveProperty('reference');
    expectTypeOf<BatchPart>().not.toHaveProperty('submitState');
    expectTypeOf<BatchPart>().not.toHaveProperty('resultsStored');
    expectTypeOf<BatchPart>().toHaveProperty('providerBatchId').toEqualTypeOf<string | undefined>();
    const job = {} as BatchJob;
    // @ts-expect-error a returned job cannot be changed
    job.status = 'cancelled';
    // @ts-expect-error nor its parts
    job.parts[0]!.status = 'cancelled';
    // @ts-expect-error nor its metadata
    job.metadata.team = 'risk';
  });

  it('a store keeps the manifest, of which the public job is a view', () => {
    expectTypeOf<BatchStore['saveJob']>().parameter(0).toEqualTypeOf<JobManifest>();
    expectTypeOf<JobManifest>().toExtend<BatchJob>();
    expectTypeOf<JobManifest['parts'][number]>().toHaveProperty('submitState');
  });

  it('internals are not part of the root entry', () => {
    type Root = typeof import('llm-batch');
    expectTypeOf<Root>().not.toHaveProperty('parseCsv');
    expectTypeOf<Root>().not.toHaveProperty('delay');
    expectTypeOf<Root>().not.toHaveProperty('encodeJsonlChunks');
    expectTypeOf<Root>().not.toHaveProperty('batchRequestSchema');
    expectTypeOf<Root>().toHaveProperty('JobLeasedError');
    expectTypeOf<Root>().toHaveProperty('StoreDamageError');
  });

  it('retry strategies and classification are values with typed shapes', () => {
    expectTypeOf(exponentialBackoff()).toEqualTypeOf<RetryStrategy>();
    expectTypeOf(classifyError(new Error('x')).category).toEqualTypeOf<ErrorCategory>();
  });
});

describe('structured output typing', () => {
  it('types result output from a zod schema', () => {
    const client = createBatchClient({ provider: {} as BatchProvider });
    const schema = z.object({ sentiment: z.enum(['positive', 'negative']) });
    const _run = () => client.run([], { schema });
    type Summary = Awaited<ReturnType<typeof _run>>;
    expectTypeOf<Summary['results'][number]>().toEqualTypeOf<BatchResult<{ sentiment: 'positive' | 'negative' }>>();
  });
});
