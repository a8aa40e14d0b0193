import { describe, it } from 'vitest';
import { createBatchClient, emulated, fileStore, memoryStore, type BatchClient, type BatchProvider, type CallStrategy } from 'llm-batch';
import { anthropicBatch, anthropicMessages } from 'llm-batch/anthropic';
import { openaiBatch, openaiChat, openaiResponses } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';
import { optionNames } from '../src/validation/check-options.js';

declare const call: CallStrategy;
declare const provider: BatchProvider;
declare const client: BatchClient;

// Each call below must fail to compile; `@ts-expect-error` fails the type test if one compiles.
describe('options types are closed', () => {
  it('a misspelt option is a type error', () => {
    // @ts-expect-error concurency is not an option of emulated()
    emulated({ call, concurency: 4 });
    // @ts-expect-error requestPerMinute is not a rate limit option
    emulated({ call, rateLimit: { requestPerMinute: 4 } });
    // @ts-expect-error apikey is not an option of openaiBatch()
    openaiBatch({ apikey: 'x' });
    // @ts-expect-error baseUrl is not an option of openaiChat()
    openaiChat({ baseUrl: 'http://localhost:8000/v1' });
    // @ts-expect-error modle is not an option of openaiResponses()
    openaiResponses({ modle: 'gpt-5-mini' });
    // @ts-expect-error pollIntervalMS is not an option of anthropicBatch()
    anthropicBatch({ pollIntervalMS: 5 });
    // @ts-expect-error defaultMaxToken is not an option of anthropicMessages()
    anthropicMessages({ defaultMaxToken: 5 });
    // @ts-expect-error dri is not an option of fileStore()
    fileStore({ dri: './jobs' });
    // @ts-expect-error latecy is not an option of the mock server
    void createMockProviderServer({ latecy: 5 });
    // @ts-expect-error stroe is not an option of createBatchClient()
    createBatchClient({ provider, stroe: memoryStore() });
    // @ts-expect-error maxCostUSD is not an option of submit()
    void client.submit([], { maxCostUSD: 5 });
    // @ts-expect-error pollIntervalMS is not an option of wait()
    void client.wait('job_1', { pollIntervalMS: 5 });
    // @ts-expect-error 'stream' is not an intake: 'checked' or 'streaming'
    void client.run([], { intake: 'stream' });
  });

  it('the correct spellings compile', () => {
    emulated({ call, concurrency: 4, rateLimit: { requestsPerMinute: 4 } });
    fileStore({ dir: './jobs' });
    void createMockProviderServer({ latency: 5 });
    void client.run([], { intake: 'streaming', onSubmitted: (job) => job.id });
  });

  it('optionNames keeps a list of names and its type in step', () => {
    optionNames<{ a?: number; b?: string }>({ a: true, b: true });
    // @ts-expect-error b is missing
    optionNames<{ a?: number; b?: string }>({ a: true });
    // @ts-expect-error c is not a key of the type
    optionNames<{ a?: number; b?: string }>({ a: true, b: true, c: true });
  });
});
