import { describe, expectTypeOf, it } from 'vitest';
import { createBatchClient, emulated, JobFailedError, metricsObserver, type BatchAggregate, type BatchClient, type BatchProvider, type BatchResult, type CallStrategy, type ErrorClassification, type JobEvent, type Logger } from 'llm-batch';
import { aiSdk } from 'llm-batch/ai-sdk';
import { anthropicBatch } from 'llm-batch/anthropic';
import { openaiBatch } from 'llm-batch/openai';
import { MockLanguageModelV3 } from 'ai/test';

declare const client: BatchClient;
declare const call: CallStrategy;
declare const provider: BatchProvider;

// The options of the extension points, each typed and closed.
describe('extension point options', () => {
  it('run() takes throwOnFailure, a boolean, and JobFailedError carries the aggregate', () => {
    void client.run([], { throwOnFailure: true });
    // @ts-expect-error throwOnFailure is a boolean
    void client.run([], { throwOnFailure: 'yes' });
    // @ts-expect-error throwOnFailur is not an option of run()
    void client.run([], { throwOnFailur: true });
    // @ts-expect-error throwOnFailure belongs to run(), not submit()
    void client.submit([], { throwOnFailure: true });
    expectTypeOf<JobFailedError['aggregate']>().toEqualTypeOf<BatchAggregate<unknown>>();
  });

  it('classifyError takes the error and the built-in verdict, and returns a classification or undefined', () => {
    const extend = (_error: unknown, builtIn: ErrorClassification) => (builtIn.statusCode === 400 ? { ...builtIn, retryable: true } : undefined);
    emulated({ call, classifyError: extend });
    openaiBatch({ classifyError: extend });
    anthropicBatch({ classifyError: extend });
    // @ts-expect-error a category must be one of ErrorCategory
    emulated({ call, classifyError: () => ({ category: 'teapot', retryable: false, message: 'x' }) });
    // @ts-expect-error a classification needs retryable and message
    openaiBatch({ classifyError: () => ({ category: 'timeout' }) });
    // @ts-expect-error classifyError is a function
    anthropicBatch({ classifyError: 'timeout' });
  });

  it('aiSdk() takes a LanguageModel or a function to one, and closed options', () => {
    const model = new MockLanguageModelV3();
    aiSdk({ model });
    aiSdk({ model: (modelId: string) => new MockLanguageModelV3({ modelId }), name: 'gemini', headers: { 'x-team': 'a' }, maxOutputTokens: 512 });
    // @ts-expect-error model is required
    aiSdk({});
    // @ts-expect-error modle is not an option of aiSdk()
    aiSdk({ model, modle: 'x' });
    // @ts-expect-error maxRetries is not ours to set: the AI SDK's retries are always off
    aiSdk({ model, maxRetries: 2 });
    expectTypeOf(aiSdk({ model })).toEqualTypeOf<CallStrategy>();
  });

  it('createBatchClient takes observers, onResult and a logger, typed', () => {
    createBatchClient({ provider, observers: [metricsObserver(), (event: JobEvent) => void event.type], onResult: (result: BatchResult, job) => void `${job.id}/${result.id}`, logger: console });
    const pinoLike: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    createBatchClient({ provider, logger: pinoLike });
    // @ts-expect-error a logger needs debug, info, warn and error
    createBatchClient({ provider, logger: { info: () => {} } });
    // @ts-expect-error observers is an array of functions
    createBatchClient({ provider, observers: metricsObserver() });
    // @ts-expect-error observer is not an option (observers is)
    createBatchClient({ provider, observer: [metricsObserver()] });
    const onEvent = (event: JobEvent) => {
      if (event.type === 'part.polled') expectTypeOf(event.counts).toEqualTypeOf<{ readonly succeeded?: number; readonly failed?: number; readonly cancelled?: number; readonly expired?: number; readonly pending?: number } | undefined>();
      if (event.type === 'item.result') expectTypeOf(event.id).toBeString();
    };
    void onEvent;
  });

  it('includeRaw is a boolean of emulated(), openaiBatch() and anthropicBatch()', () => {
    emulated({ call, includeRaw: true });
    openaiBatch({ includeRaw: true });
    anthropicBatch({ includeRaw: false });
    // @ts-expect-error includeRaw is a boolean
    emulated({ call, includeRaw: 'all' });
    // @ts-expect-error includeRaws is not an option of openaiBatch()
    openaiBatch({ includeRaws: true });
  });
});
