import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulated } from '../../src/adapters/emulated/index.js';
import { openaiChat } from '../../src/adapters/openai/index.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { CallStrategy } from '../../src/provider/call-strategy.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { emulatorPerTest } from '../support/emulator.js';

// `intake: 'streaming'`: calls start while the input is read, a bad request fails alone as a
// result, and what was stored is the job when the input breaks off.

const emulators = emulatorPerTest();

const request = (index: number): BatchRequest => ({ id: `r${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `prompt ${index}` }] });

/** Answers at once, counting the calls of each id. */
function countingCalls(): { strategy: CallStrategy; calls: Map<string, number>; firstCall: Promise<void> } {
  const calls = new Map<string, number>();
  let markFirst: () => void = () => {};
  const firstCall = new Promise<void>((resolve) => (markFirst = resolve));
  const strategy: CallStrategy = {
    name: 'counting',
    async call(given) {
      calls.set(given.id, (calls.get(given.id) ?? 0) + 1);
      markFirst();
      return { text: `answer ${given.id}`, finishReason: 'stop', usage: { inputTokens: 2, outputTokens: 1, totalTokens: 3 }, model: given.model ?? 'gpt-5.4-mini' };
    },
  };
  return { strategy, calls, firstCall };
}

describe('the streaming intake', () => {
  it('sends the good requests over HTTP and fails each bad one alone, as a result naming its problem', async () => {
    const server = await emulators.start({ journalBodies: true });
    const client = createBatchClient({ provider: emulated({ call: openaiChat({ apiKey: 'test-key', baseURL: `${server.url}/v1` }), concurrency: 4 }), store: memoryStore() });
    const input: unknown[] = Array.from({ length: 30 }, (_, index) => request(index));
    input[5] = { id: 'r5', model: 'gpt-5.4-mini' }; // no messages
    input[9] = 42; // not a request at all
    input[12] = request(3); // r3 again
    input[20] = { ...request(20), temprature: 0.2 }; // a misspelt key
    const summary = await client.run(input as BatchRequest[], { intake: 'streaming' });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ total: 30, succeeded: 26, failed: 4, pending: 0 });
    const failed = summary.results.filter((result) => result.status === 'failed');
    expect(failed.map((result) => result.id)).toEqual(['r5', '#9', 'r3#12', 'r20']);
    for (const result of failed) expect(result.status === 'failed' && result.error.category).toBe('invalid_request');
    const messages = failed.map((result) => (result.status === 'failed' ? result.error.message : ''));
    expect(messages[0]).toMatch(/^Request 5 was not sent: .*messages/);
    expect(messages[1]).toMatch(/^Request 9 was not sent: expected a request object, got number/);
    expect(messages[2]).toMatch(/duplicate id \(first used by request 3\)/);
    expect(messages[3]).toMatch(/temprature/);
    // In input order, with the bad ones in their places; the provider saw the good ones only, once each.
    expect(summary.results.map((result) => result.id).slice(0, 6)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    const sent = server.journal.filter((entry) => entry.path.endsWith('/chat/completions')).map((entry) => (entry.body as { messages: Array<{ content: string }> }).messages[0]!.content);
    expect(sent).toHaveLength(26);
    expect(new Set(sent).size).toBe(26);
    expect(sent).not.toContain('prompt 5');
    const job = await client.status(summary.jobId);
    // The estimate is made as the input is read: 26 requests of 8 to 9 tokens at most, 1,024 output tokens each.
    expect(job.estimate?.outputTokensMax).toBe(26 * 1024);
    expect(job.warnings).toContain("4 request(s) failed the intake's checks and were not sent (failed, category invalid_request)");
  });

  it('never stores a key that a bad request carries in its reason', async () => {
    const store = memoryStore();
    const { strategy } = countingCalls();
    const client = createBatchClient({ provider: emulated({ call: strategy }), store });
    const key = 'sk-proj-0123456789abcdefghij';
    const summary = await client.run([request(0), { ...request(1), [key]: true } as BatchRequest], { intake: 'streaming' });
    const [, bad] = summary.results;
    expect(bad?.status === 'failed' && bad.error.message).toMatch(/sk-\[REDACTED\]: unknown key/);
    const stored = [];
    for await (const record of store.readRequests(summary.jobId, 0)) stored.push(JSON.stringify(record));
    expect(stored.join('\n')).not.toContain(key);
    expect(JSON.stringify(summary)).not.toContain(key);
  });

  it('makes the first call before the input is read to its end', async () => {
    const { strategy, calls, firstCall } = countingCalls();
    const client = createBatchClient({ provider: emulated({ call: strategy, concurrency: 2 }), store: memoryStore() });
    // The second half of the input only comes once a call was made: the checked intake would wait forever.
    async function* input(): AsyncGenerator<BatchRequest> {
      for (let index = 0; index < 5; index++) yield request(index);
      await firstCall;
      for (let index = 5; index < 10; index++) yield request(index);
    }
    const summary = await client.run(input(), { intake: 'streaming' });
    expect(summary.counts).toMatchObject({ total: 10, succeeded: 10 });
    expect([...calls.values()]).toEqual(Array.from({ length: 10 }, () => 1));
    expect(summary.results.map((result) => result.id)).toEqual(Array.from({ length: 10 }, (_, index) => `r${index}`));
  });

  it('follows the job from its start: onSubmitted, then run() progress while the input is still read', async () => {
    const { strategy } = countingCalls();
    const client = createBatchClient({ provider: emulated({ call: strategy, concurrency: 2 }), store: memoryStore() });
    const submitted: string[] = [];
    let progressSeen: () => void = () => {};
    const progress = new Promise<void>((resolve) => (progressSeen = resolve));
    // The rest of the input waits for a progress report showing an answer: only a job followed from its start gets there.
    async function* input(): AsyncGenerator<BatchRequest> {
      for (let index = 0; index < 3; index++) yield request(index);
      await progress;
      for (let index = 3; index < 6; index++) yield request(index);
    }
    const summary = await client.run(input(), {
      intake: 'streaming',
      pollIntervalMs: 5,
      onSubmitted: (job) => submitted.push(`${job.id} ${job.status}`),
      onProgress: (job) => {
        if (job.counts.succeeded > 0) progressSeen();
      },
    });
    expect(summary.counts).toMatchObject({ total: 6, succeeded: 6 });
    expect(submitted).toEqual([`${summary.jobId} in_progress`]);
    // The checked intake tells it too, once every part is submitted.
    const checked: number[] = [];
    await client.submit([request(0), request(1)], { onSubmitted: (job) => checked.push(job.counts.total) });
    expect(checked).toEqual([2]);
    await expect(client.submit([request(0)], { onSubmitted: 'yes' as never })).rejects.toThrow(/onSubmitted/);
  });

  it('fails alone a request whose model names another provider: the job runs on one', async () => {
    const { strategy, calls } = countingCalls();
    const client = createBatchClient({ provider: emulated({ call: strategy }), store: memoryStore() });
    const summary = await client.run([request(0), { ...request(1), model: 'anthropic:claude-example' }, request(2)], { intake: 'streaming' });
    expect(summary.counts).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
    expect(summary.results[1]).toMatchObject({ id: 'r1', status: 'failed', error: { category: 'invalid_request', message: expect.stringMatching(/runs on anthropic: a streaming intake runs every request on the job's provider/) } });
    expect([...calls.keys()]).toEqual(['r0', 'r2']);
  });

  it('refuses what it cannot honour before anything is stored or sent', async () => {
    const server = await emulators.start();
    const store = memoryStore();
    const { strategy, calls } = countingCalls();
    const client = createBatchClient({ provider: emulated({ call: strategy }), store });
    await expect(client.submit([request(0)], { intake: 'streaming', maxCostUsd: 1 })).rejects.toThrow(/cannot enforce maxCostUsd/);
    await expect(client.submit([request(0)], { intake: 'sideways' as 'streaming' })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.submit([request(0)], { intake: 'streaming', dryRun: true } as never)).rejects.toThrow(/dry run/);
    const native = createBatchClient({ provider: 'openai', apiKey: 'test-key', baseURL: `${server.url}/v1`, store });
    await expect(native.submit([request(0)], { intake: 'streaming' })).rejects.toThrow(/needs an emulated provider/);
    expect(await store.listJobs()).toEqual([]);
    expect(calls.size).toBe(0);
    expect(server.journal).toEqual([]);
  });

  it('stops reading when the run is cancelled, and the job says how much it holds', async () => {
    let made = 0;
    const slowOnce: CallStrategy = {
      name: 'slow',
      call: (given, context) =>
        new Promise((resolve, reject) => {
          made++;
          const timer = setTimeout(() => resolve({ text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'gpt-5.4-mini' }), 5);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(context.signal.reason);
          });
        }),
    };
    const client = createBatchClient({ provider: emulated({ call: slowOnce, concurrency: 2 }), store: memoryStore() });
    let read = 0;
    function* endless(): Generator<BatchRequest> {
      for (let index = 0; ; index++) {
        read++;
        yield request(index);
      }
    }
    const submitted = client.submit(endless(), { intake: 'streaming' });
    while (made < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    const jobs = await client.list();
    await client.cancel(jobs[0]!.id);
    const job = await submitted;
    const ended = await client.wait(job.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.counts.pending).toBe(0);
    expect(ended.counts.total).toBeGreaterThanOrEqual(10);
    // The input is read no faster than the run takes it: far from endless.
    expect(read).toBeLessThan(20_000);
    expect(ended.warnings.some((warning) => /not read to its end: the job holds the \d+ request/.test(warning))).toBe(true);
  });

  it('stops on its signal with an AbortError, and the job keeps what was read', async () => {
    const { strategy, calls } = countingCalls();
    const client = createBatchClient({ provider: emulated({ call: strategy, concurrency: 2 }), store: memoryStore() });
    const controller = new AbortController();
    async function* input(): AsyncGenerator<BatchRequest> {
      for (let index = 0; ; index++) {
        if (index === 30) controller.abort(new Error('Stopped by SIGINT'));
        yield request(index);
      }
    }
    await expect(client.submit(input(), { intake: 'streaming', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const [job] = await client.list();
    expect(job!.counts.total).toBeGreaterThanOrEqual(30);
    expect(job!.warnings.some((warning) => /not read to its end/.test(warning))).toBe(true);
    expect(calls.size).toBeLessThanOrEqual(job!.counts.total);
    await client.close();
  });

  it('keeps what was stored when the input throws, and resume runs it with no request paid twice', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'llm-batch-stream-'));
    try {
      const first = countingCalls();
      const client = createBatchClient({ provider: emulated({ call: first.strategy, concurrency: 2 }), store: fileStore({ dir: directory }) });
      async function* breaking(): AsyncGenerator<BatchRequest> {
        for (let index = 0; index < 40; index++) yield request(index);
        throw new Error('the source went away');
      }
      await expect(client.submit(breaking(), { intake: 'streaming' })).rejects.toMatchObject({ code: 'input_failed', message: expect.stringMatching(/after 40 request\(s\): the source went away/) });
      await client.close();
      const [job] = await client.list();
      const second = countingCalls();
      const again = createBatchClient({ provider: emulated({ call: second.strategy }), store: fileStore({ dir: directory }) });
      await again.resume(job!.id);
      const ended = await again.wait(job!.id);
      expect(ended.status).toBe('completed');
      expect(ended.counts).toMatchObject({ total: 40, succeeded: 40, pending: 0 });
      for (let index = 0; index < 40; index++) expect((first.calls.get(`r${index}`) ?? 0) + (second.calls.get(`r${index}`) ?? 0)).toBe(1);
      await again.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
