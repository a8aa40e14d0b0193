import { describe, expect, it } from 'vitest';
import * as root from 'llm-batch';
import { createBatchClient, memoryStore, type BatchJob, type BatchRequest } from 'llm-batch';
import * as aiSdk from 'llm-batch/ai-sdk';
import * as anthropic from 'llm-batch/anthropic';
import * as openai from 'llm-batch/openai';
import * as testing from 'llm-batch/testing';
import { fakeBatchProvider } from 'llm-batch/testing';
import * as viewer from 'llm-batch/viewer';

// What each entry exports at run time is a promise kept across versions: a name added here is a
// decision (docs/ or examples/ use it), never a side effect of a refactoring.
const names = (entry: object): string[] => Object.keys(entry).sort();

describe('the public surface', () => {
  it('the root entry exports what host apps use', () => {
    expect(names(root)).toMatchInlineSnapshot(`
      [
        "AbortError",
        "ApiCallError",
        "BudgetExceededError",
        "JobFailedError",
        "JobLeasedError",
        "JobNotFoundError",
        "LlmBatchError",
        "StoreDamageError",
        "ValidationError",
        "batchComplete",
        "buildRequestsFromTemplate",
        "classifyError",
        "countTokens",
        "createBatchClient",
        "createBudgetTracker",
        "createKeepAliveFetch",
        "createProvider",
        "defaultPricing",
        "emulated",
        "estimateCost",
        "exponentialBackoff",
        "fileStore",
        "fixedDelay",
        "formatCost",
        "isAbortError",
        "isTerminalStatus",
        "loadConfig",
        "memoryStore",
        "metricsObserver",
        "noRetry",
        "readDataRows",
        "readTemplateFile",
        "redactSecrets",
        "registerProvider",
        "runWithRetry",
        "toItemError",
        "toResponseFormat",
        "unregisterProvider",
      ]
    `);
  });

  it('llm-batch/openai exports the OpenAI adapter and call strategies', () => {
    expect(names(openai)).toMatchInlineSnapshot(`
      [
        "openaiBatch",
        "openaiChat",
        "openaiResponses",
      ]
    `);
  });

  it('llm-batch/ai-sdk exports the AI SDK call strategy', () => {
    expect(names(aiSdk)).toEqual(['aiSdk']);
  });

  it('llm-batch/anthropic exports the Anthropic adapter and call strategy', () => {
    expect(names(anthropic)).toMatchInlineSnapshot(`
      [
        "anthropicBatch",
        "anthropicMessages",
      ]
    `);
  });

  it('llm-batch/testing exports the emulator, the conformance suite and the fake adapter', () => {
    expect(names(testing)).toMatchInlineSnapshot(`
      [
        "checkAdapterConformance",
        "checkStoreConformance",
        "createFakeBatchBackend",
        "createMockBatchProvider",
        "createMockProviderServer",
        "fakeBatchProvider",
        "runAdapterConformance",
        "runStoreConformance",
      ]
    `);
  });

  it('llm-batch/viewer exports the local job viewer', () => {
    expect(names(viewer)).toEqual(['startViewer']);
  });
});

describe('the jobs the client returns', () => {
  const jobFields = new Set([
    'id',
    'provider',
    'mode',
    'status',
    'counts',
    'createdAt',
    'updatedAt',
    'endedAt',
    'parts',
    'metadata',
    'warnings',
    'estimate',
    'usage',
    'costUsd',
    'retryOf',
    'retriedBy',
    'cancelRequestedAt',
    'drivenBy',
  ]);
  const partFields = new Set(['id', 'status', 'rawStatus', 'providerBatchId', 'model', 'requestCount', 'counts', 'error']);
  const requests = (count: number): BatchRequest[] =>
    Array.from({ length: count }, (_, index) => ({ id: `r${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `question ${index}` }] }));
  const fieldsOutside = (job: BatchJob): string[] => [
    ...Object.keys(job).filter((key) => !jobFields.has(key)),
    ...job.parts.flatMap((part) => Object.keys(part).filter((key) => !partFields.has(key)).map((key) => `parts[].${key}`)),
  ];

  it('carry no store internals, from every method and onProgress', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider({ limits: { maxRequests: 2 }, pollsToComplete: 100 }), store: memoryStore() });
    const returned: Record<string, BatchJob> = {};
    const submitted = await client.submit(requests(3), { metadata: { team: 'risk' }, exactTokens: false });
    returned.submit = submitted;
    returned.status = await client.status(submitted.id);
    returned.cancel = await client.cancel(submitted.id);
    returned.wait = await client.wait(submitted.id, { onProgress: (job) => (returned.onProgress = job) });
    returned.resume = await client.resume(submitted.id);
    returned.retry = await client.retry(submitted.id, { exactTokens: false });
    returned.list = (await client.list())[0]!;
    await client.close();

    expect(Object.keys(returned).sort()).toEqual(['cancel', 'list', 'onProgress', 'resume', 'retry', 'status', 'submit', 'wait']);
    for (const [method, job] of Object.entries(returned)) expect({ method, outside: fieldsOutside(job) }).toEqual({ method, outside: [] });
    expect(returned.submit!.parts.map((part) => part.providerBatchId)).toEqual(['fakebatch_1', 'fakebatch_2']);
    expect(returned.wait!.endedAt).toBeDefined();
    expect(returned.retry!.retryOf).toBe(submitted.id);
  });

  it('are copies: changing one changes nothing in the client', async () => {
    const client = createBatchClient({ provider: fakeBatchProvider(), store: memoryStore() });
    const job = await client.submit(requests(2), { metadata: { team: 'risk' }, exactTokens: false });
    const writable = job as { -readonly [key in keyof BatchJob]: BatchJob[key] };
    writable.status = 'cancelled';
    (job.metadata as Record<string, string>).team = 'changed';
    (job.counts as { total: number }).total = 99;
    (job.parts as unknown[]).length = 0;

    const fresh = await client.status(job.id);
    expect(fresh).toMatchObject({ status: 'in_progress', metadata: { team: 'risk' }, counts: { total: 2 } });
    expect(fresh.parts).toHaveLength(1);
    await client.close();
  });
});
