import { describe, expect, it } from 'vitest';
import { createBatchClient, emulated, memoryStore, type BatchProvider, type BatchRequest, type BatchResult, type CallStrategy } from 'llm-batch';

const requests = (count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `item_${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `prompt ${index}` }] }));

const instant: CallStrategy = {
  name: 'instant',
  call: async (request) => ({ text: `answer to ${request.id}`, finishReason: 'stop', usage: { inputTokens: 2, outputTokens: 3, totalTokens: 5 }, model: 'gpt-5.4-mini' }),
};

describe('waiting for an emulated run', () => {
  it('returns when the run ends, not a poll interval later', async () => {
    // With a one-hour poll interval, only the run's own end can wake `wait` before the test times out.
    const client = createBatchClient({ provider: emulated({ call: instant, concurrency: 4 }), store: memoryStore(), pollIntervalMs: 3_600_000 });
    const summary = await client.run(requests(50));
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ total: 50, succeeded: 50, pending: 0 });
    expect(summary.results.map((result) => result.id)).toEqual(requests(50).map((request) => request.id));
    expect(summary.results[7]).toMatchObject({ status: 'succeeded', text: 'answer to item_7' });
  });

  it('still honours an abort while it waits', async () => {
    const slow: CallStrategy = { name: 'slow', call: (_request, context) => new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason))) };
    const client = createBatchClient({ provider: emulated({ call: slow, concurrency: 2 }), store: memoryStore(), pollIntervalMs: 3_600_000 });
    const job = await client.submit(requests(4));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(client.wait(job.id, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await client.cancel(job.id);
  });

  it('reconciles a custom emulated-mode adapter that journals one id twice and another not at all', async () => {
    // The client trusts live counts only for its own emulated adapter; any other gets the full check.
    let run: Promise<void> | undefined;
    const sloppy: BatchProvider = {
      name: 'sloppy',
      mode: 'emulated',
      limits: { maxRequests: Infinity, maxBytes: Infinity, oneModelPerPart: false },
      async submit(part, context) {
        run = (async () => {
          const ids: string[] = [];
          for await (const request of part.requests()) ids.push(request.id);
          // item_0 twice, item_2 never: as many results as requests, but not one per request.
          for (const id of [ids[0], ids[0], ids[1]] as string[]) {
            const result: BatchResult = { id, status: 'succeeded', text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'gpt-5.4-mini' };
            await context.recordResult!(result);
          }
        })();
        return { id: 'run_1' };
      },
      async poll() {
        await run;
        return { status: 'completed' };
      },
      async *results() {},
      async cancel() {},
    };
    const client = createBatchClient({ provider: sloppy, store: memoryStore(), pollIntervalMs: 5 });
    const summary = await client.run(requests(3));
    expect(summary.results.map((result) => [result.id, result.status])).toEqual([
      ['item_0', 'succeeded'],
      ['item_1', 'succeeded'],
      ['item_2', 'failed'],
    ]);
    expect(summary.counts).toMatchObject({ succeeded: 2, failed: 1, pending: 0 });
  });
});
