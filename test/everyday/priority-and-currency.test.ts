import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiBatch, openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { formatCost } from '../../src/cost/currency.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import { noRetry } from '../../src/retry/no-retry.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { runCliInProcess, temporaryFolder } from '../cli/cli-harness.js';

const bodies: Record<string, unknown>[] = [];
let server: MockProviderServer;
let failedOnce = false;

beforeAll(async () => {
  server = await createMockProviderServer({
    batch: { validatingMs: 5, processingMs: 20, finalizingMs: 5 },
    respond: (request) => {
      bodies.push(request.body);
      // The first call of 'fail once' fails with a retryable server error.
      const messages = request.body['messages'] as { content: unknown }[] | undefined;
      if (messages?.at(-1)?.content === 'fail once' && !failedOnce) {
        failedOnce = true;
        return { status: 500 };
      }
      return undefined;
    },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  bodies.length = 0;
});

const connection = (): { apiKey: string; baseURL: string } => ({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
const requests = (count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `r${index}`, model: 'gpt-5.4-mini', maxTokens: 20, messages: [{ role: 'user' as const, content: `q${index}` }] }));

describe('priority', () => {
  it('is stored, read back by status and list, and sent as batch metadata', async () => {
    await using client = createBatchClient({ provider: openaiBatch({ ...connection(), pollIntervalMs: 10 }), store: memoryStore(), pollIntervalMs: 10 });
    const job = await client.submit(requests(2), { priority: 'high', metadata: { team: 'risk' } });
    expect(job.priority).toBe('high');
    expect((await client.status(job.id)).priority).toBe('high');
    expect((await client.list()).map((listed) => listed.priority)).toEqual(['high']);
    const batch = await server.getBatch(job.parts[0]!.providerBatchId!);
    expect(batch?.['metadata']).toMatchObject({ priority: 'high', team: 'risk' });
    // Not in the request bodies: without serviceTierFromPriority it is the batch's metadata only.
    expect(JSON.stringify(bodies)).not.toContain('service_tier');
  });

  it('becomes OpenAI\'s service_tier only when asked, on requests that set none', async () => {
    await using client = createBatchClient({ provider: emulated({ call: openaiChat(connection()) }), store: memoryStore() });
    const own = { ...requests(1)[0]!, id: 'own', providerOptions: { openai: { service_tier: 'auto' } } };
    await client.run([...requests(1), own], { priority: 'low' });
    expect(bodies.map((body) => body['service_tier'])).toEqual([undefined, 'auto']);
    bodies.length = 0;
    const dryRun = await client.submit([...requests(1), own], { dryRun: true, priority: 'high', serviceTierFromPriority: true, exactTokens: false });
    expect(dryRun.preview.map((body) => (body as Record<string, unknown>)['service_tier'])).toEqual(['priority', 'auto']);
    await client.run(requests(1), { priority: 'low', serviceTierFromPriority: true });
    expect(bodies[0]?.['service_tier']).toBe('flex');
  });

  it('a retry job keeps the priority', async () => {
    await using client = createBatchClient({ provider: emulated({ call: openaiChat(connection()), retry: noRetry() }), store: memoryStore() });
    const summary = await client.run([{ ...requests(1)[0]!, messages: [{ role: 'user', content: 'fail once' }] }], { priority: 'low' });
    expect(summary.counts.failed).toBe(1);
    const retry = await client.retry(summary.jobId);
    expect(retry.priority).toBe('low');
  });

  it('a bad priority is a ValidationError before anything is sent', async () => {
    await using client = createBatchClient({ provider: openaiBatch(connection()), store: memoryStore() });
    const error = await client.submit(requests(1), { priority: 'urgent' as never }).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/priority.*"low", "normal" or "high".*urgent/);
    expect(bodies).toEqual([]);
  });
});

describe('currency', () => {
  const currency = { code: 'EUR', perUsd: 0.92 };

  it('estimates and aggregates carry the cost converted, and the stored figures stay in USD', async () => {
    await using client = createBatchClient({ provider: emulated({ call: openaiChat(connection()) }), store: memoryStore(), currency });
    const estimate = await client.estimate(requests(4), { exactTokens: false });
    expect(estimate.currency).toBe('USD');
    expect(estimate.converted?.currency).toBe('EUR');
    expect(estimate.converted?.cost).toBeCloseTo(estimate.costUsd * 0.92, 12);
    expect(estimate.converted?.syncCost).toBeCloseTo(estimate.syncCostUsd * 0.92, 12);
    const summary = await client.run(requests(2));
    expect(summary.costUsd).toBeGreaterThan(0);
    expect(summary.converted).toEqual({ currency: 'EUR', perUsd: 0.92, cost: summary.costUsd! * 0.92 });
    const stored = await client.status(summary.jobId);
    expect(stored.estimate?.converted).toBeUndefined();
    expect(stored.costUsd).toBe(summary.costUsd);
  });

  it('formatCost writes the amount in the currency', () => {
    expect(formatCost(3.3913, currency)).toBe('€3.12');
    expect(formatCost(3.12)).toBe('$3.12');
    expect(formatCost(0.0012, { code: 'GBP', perUsd: 0.5 })).toBe('£0.0006');
  });

  it('a bad currency is a ValidationError naming the field', () => {
    const make = (given: unknown) => () => createBatchClient({ provider: openaiBatch(connection()), store: memoryStore(), currency: given as never });
    expect(make({ code: 'euro', perUsd: 1 })).toThrow(/currency\.code/);
    expect(make({ code: 'EUR', perUsd: 0 })).toThrow(/currency\.perUsd/);
    expect(make({ code: 'EUR', perUsd: 1, rate: 2 })).toThrow(/currency\.rate/);
  });
});

describe('the CLI', () => {
  const input = (): Readable => Readable.from([requests(3).map((request) => JSON.stringify(request)).join('\n')]);

  it('--priority is stored and shown by status and list', async () => {
    const store = (await temporaryFolder()).path;
    const run = await runCliInProcess(['run', '-', '--priority', 'high', '--json', '--quiet', '--store', store], input());
    expect(run.code).toBe(0);
    const { jobId } = JSON.parse(run.stdout) as { jobId: string };
    expect((await runCliInProcess(['status', jobId, '--store', store])).stdout).toBe('Status: completed | Total: 3 | Completed: 3 | Failed: 0 | Priority: high\n');
    const [header, row] = (await runCliInProcess(['list', '--store', store])).stdout.split('\n');
    expect(header).toMatch(/ CREATED +PRIORITY$/);
    expect(row).toMatch(/ high$/);
  });

  it('--priority takes low, normal or high only', async () => {
    const run = await runCliInProcess(['submit', '-', '--priority', 'urgent', '--store', (await temporaryFolder()).path], input());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--priority must be one of low, normal, high; got "urgent"/);
  });

  it('--currency shows the dry run\'s estimate in that currency', async () => {
    const usd = await runCliInProcess(['submit', '-', '--dry-run', '--no-exact-tokens'], input());
    const eur = await runCliInProcess(['submit', '-', '--dry-run', '--no-exact-tokens', '--currency', 'EUR:0.92'], input());
    const amount = (text: string): number => Number(/Estimate: \D*([\d.]+) \(≈ –50% vs sync\)/.exec(text)?.[1]);
    expect(usd.stdout).toMatch(/^Estimate: \$[\d.]+ \(≈ –50% vs sync\)$/m);
    expect(eur.stdout).toMatch(/^Estimate: €[\d.]+ \(≈ –50% vs sync\)$/m);
    expect(amount(eur.stdout)).toBeCloseTo(amount(usd.stdout) * 0.92, 3);
  });

  it('a malformed --currency is a usage error', async () => {
    const run = await runCliInProcess(['submit', '-', '--dry-run', '--currency', 'EUR'], input());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--currency must be CODE:UNITS_PER_USD, like EUR:0.92; got "EUR"/);
  });
});
