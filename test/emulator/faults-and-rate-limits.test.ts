import OpenAI, { toFile } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockProviderServer, formatGoDuration, type MockProviderServer, type MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { chatBody, messageBody, postChat, postMessage } from './helpers.js';

let server: MockProviderServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: MockProviderServerOptions = {}): Promise<MockProviderServer> {
  server = await createMockProviderServer(options);
  return server;
}

describe('rate limits', () => {
  it('answers 429 with OpenAI rate-limit headers once the request bucket is empty', async () => {
    const { url } = await start({ rateLimit: { requestsPerMinute: 2, tokensPerMinute: 100_000 } });
    const first = await postChat(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(100_000);
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    expect((await postChat(url)).status).toBe(200);
    const limited = await postChat(url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const retryAfterMs = Number(limited.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(25_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
    expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
  });

  it('limits by estimated tokens', async () => {
    const { url } = await start({ rateLimit: { tokensPerMinute: 1000 } });
    expect((await postChat(url, chatBody('Hello', { max_tokens: 900 }))).status).toBe(200);
    const limited = await postChat(url, chatBody('Hello', { max_tokens: 900 }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(limited.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('sends Anthropic rate-limit headers with RFC 3339 resets', async () => {
    const { url } = await start({ rateLimit: { anthropic: { requestsPerMinute: 1, tokensPerMinute: 50_000 } } });
    const first = await postMessage(url);
    expect(first.headers.get('anthropic-ratelimit-requests-limit')).toBe('1');
    expect(first.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(Number.isNaN(Date.parse(first.headers.get('anthropic-ratelimit-requests-reset') ?? ''))).toBe(false);
    for (const kind of ['tokens', 'input-tokens', 'output-tokens']) {
      expect(first.headers.get(`anthropic-ratelimit-${kind}-limit`)).toBe('50000');
      expect(first.headers.get(`anthropic-ratelimit-${kind}-remaining`)).not.toBeNull();
    }
    const limited = await postMessage(url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // The OpenAI side has no limit configured here.
    expect((await postChat(url)).headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('formats reset durations like Go', () => {
    expect(formatGoDuration(12)).toBe('12ms');
    expect(formatGoDuration(1000)).toBe('1s');
    expect(formatGoDuration(1500)).toBe('1.5s');
    expect(formatGoDuration(360_000)).toBe('6m0s');
    expect(formatGoDuration(3_723_000)).toBe('1h2m3s');
  });
});

describe('forced faults (x-mock-fault header)', () => {
  it.each([
    ['500', 500, 500],
    ['502', 502, 502],
    ['503', 503, 503],
    ['529', 503, 529],
  ])('%s answers OpenAI %i and Anthropic %i with provider error bodies', async (kind, openAIStatus, anthropicStatus) => {
    const { url } = await start();
    const openAIResponse = await postChat(url, undefined, { 'x-mock-fault': kind });
    expect(openAIResponse.status).toBe(openAIStatus);
    expect(await openAIResponse.json()).toMatchObject({ error: { type: 'server_error' } });
    const anthropicResponse = await postMessage(url, undefined, { 'x-mock-fault': kind });
    expect(anthropicResponse.status).toBe(anthropicStatus);
    const body = (await anthropicResponse.json()) as { error: { type: string } };
    expect(body.error.type).toBe(kind === '529' ? 'overloaded_error' : 'api_error');
  });

  it('429 carries retry-after from the option', async () => {
    const { url } = await start({ faults: { retryAfterMs: 2500 } });
    const response = await postChat(url, undefined, { 'x-mock-fault': '429' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('retry-after-ms')).toBe('2500');
  });

  it('insufficient_quota is a 429 without retry-after', async () => {
    const { url } = await start();
    const response = await postChat(url, undefined, { 'x-mock-fault': 'insufficient_quota' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toMatchObject({ error: { code: 'insufficient_quota', type: 'insufficient_quota' } });
  });

  it('reset destroys the socket', async () => {
    const { url } = await start();
    await expect(postChat(url, undefined, { 'x-mock-fault': 'reset' })).rejects.toThrow();
    const client = new OpenAI({ apiKey: 'test', baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: { 'x-mock-fault': 'reset' } });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('hang never answers until the client aborts, and close() still returns', async () => {
    const { url, journal } = await start();
    const controller = new AbortController();
    const pending = postChat(url, undefined, { 'x-mock-fault': 'hang' });
    const aborted = fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer t', 'x-mock-fault': 'hang' }, body: chatBody(), signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(aborted).rejects.toThrow();
    expect(journal.every((entry) => entry.fault === 'hang')).toBe(true);
    const settled = await Promise.race([pending.then(() => 'answered', () => 'failed'), new Promise((resolve) => setTimeout(() => resolve('pending'), 200))]);
    expect(settled).toBe('pending');
    await server?.close();
    await expect(pending).rejects.toThrow();
  });

  it('malformed answers 200 with a body that is not JSON', async () => {
    const { url } = await start();
    const response = await postChat(url, undefined, { 'x-mock-fault': 'malformed' });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('rejects an unknown fault kind loudly', async () => {
    const { url } = await start();
    const response = await postChat(url, undefined, { 'x-mock-fault': 'explode' });
    expect(response.status).toBe(400);
  });

  it('truncated cuts a batch output download mid-line', async () => {
    const { url, advance } = await start({ batch: { clock: 'manual' } });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${url}/v1`, maxRetries: 0 });
    const text = Array.from({ length: 6 }, (_, index) => JSON.stringify({ custom_id: `r${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } })).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(text), 'in.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await advance(10_000);
    const done = await client.batches.retrieve(batch.id);
    const response = await fetch(`${url}/v1/files/${done.output_file_id ?? ''}/content`, { headers: { authorization: 'Bearer t', 'x-mock-fault': 'truncated' } });
    const body = await response.text();
    const lines = body.split('\n');
    expect(lines).toHaveLength(4);
    expect(() => JSON.parse(lines[3] ?? '')).toThrow();
    expect(() => JSON.parse(lines[2] ?? '')).not.toThrow();
  });

  it('expire and fail-validation apply to batch creation', async () => {
    const { url, advance } = await start({ batch: { clock: 'manual', processingMs: { perRequest: 100 } } });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${url}/v1`, maxRetries: 0 });
    const text = Array.from({ length: 4 }, (_, index) => JSON.stringify({ custom_id: `r${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } })).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(text), 'in.jsonl'), purpose: 'batch' });
    const params = { input_file_id: file.id, endpoint: '/v1/chat/completions' as const, completion_window: '24h' as const };
    const expiring = await client.batches.create(params, { headers: { 'x-mock-fault': 'expire' } });
    const failing = await client.batches.create(params, { headers: { 'x-mock-fault': 'fail-validation' } });
    await advance(10_000);
    const expired = await client.batches.retrieve(expiring.id);
    expect(expired.status).toBe('expired');
    expect(expired.request_counts).toEqual({ total: 4, completed: 2, failed: 2 });
    expect((await client.batches.retrieve(failing.id)).status).toBe('failed');

    const anthropic = new Anthropic({ apiKey: 'test', baseURL: url, maxRetries: 0 });
    const anthropicBatch = await anthropic.messages.batches.create(
      { requests: Array.from({ length: 4 }, (_, index) => ({ custom_id: `r${index}`, params: { model: 'claude-test-model', max_tokens: 10, messages: [{ role: 'user' as const, content: 'x' }] } })) },
      { headers: { 'x-mock-fault': 'expire' } },
    );
    await advance(10_000);
    expect((await anthropic.messages.batches.retrieve(anthropicBatch.id)).request_counts).toMatchObject({ succeeded: 2, expired: 2 });
  });
});

describe('random faults', () => {
  it('draws faults at the configured rate, reproducibly for a seed', async () => {
    const run = async (): Promise<number[]> => {
      const instance = await start({ seed: 3, faults: { rate: 0.3, kinds: ['500', '503'] } });
      const statuses: number[] = [];
      for (let index = 0; index < 100; index += 1) statuses.push((await postChat(instance.url)).status);
      await instance.close();
      return statuses;
    };
    const first = await run();
    const failures = first.filter((status) => status !== 200).length;
    expect(failures).toBeGreaterThan(15);
    expect(failures).toBeLessThan(45);
    expect(new Set(first.filter((status) => status !== 200))).toEqual(new Set([500, 503]));
    expect(await run()).toEqual(first);
  });

  it('leaves non-generation endpoints alone unless listed', async () => {
    const { url } = await start({ faults: { rate: 1 } });
    const list = await fetch(`${url}/v1/batches`, { headers: { authorization: 'Bearer t' } });
    expect(list.status).toBe(200);
  });

  it('fails a fraction of batch items and can drop or rename result lines', async () => {
    const { url, advance } = await start({ seed: 5, batch: { clock: 'manual' }, batchFaults: { itemErrorRate: 0.5, dropLineRate: 0.1, unknownCustomIdRate: 0.1 } });
    const anthropic = new Anthropic({ apiKey: 'test', baseURL: url, maxRetries: 0 });
    const batch = await anthropic.messages.batches.create({
      requests: Array.from({ length: 40 }, (_, index) => ({ custom_id: `r${index}`, params: { model: 'claude-test-model', max_tokens: 10, messages: [{ role: 'user' as const, content: `x${index}` }] } })),
    });
    await advance(10_000);
    const ended = await anthropic.messages.batches.retrieve(batch.id);
    expect(ended.request_counts.errored).toBeGreaterThan(5);
    const results = [];
    for await (const result of await anthropic.messages.batches.results(batch.id)) results.push(result);
    expect(results.length).toBeLessThan(40);
    expect(results.some((result) => result.custom_id.startsWith('unknown-'))).toBe(true);
    expect(results.find((result) => result.result.type === 'errored')?.result).toMatchObject({ error: { type: 'error', error: { type: 'api_error' } } });
  });

  it('truncateResults cuts Anthropic results downloads', async () => {
    const { url, advance } = await start({ batch: { clock: 'manual' }, batchFaults: { truncateResults: true } });
    const anthropic = new Anthropic({ apiKey: 'test', baseURL: url, maxRetries: 0 });
    const batch = await anthropic.messages.batches.create({ requests: [1, 2, 3, 4].map((index) => ({ custom_id: `r${index}`, params: { model: 'claude-test-model', max_tokens: 10, messages: [{ role: 'user' as const, content: 'x' }] } })) });
    await advance(10_000);
    const response = await fetch(`${url}/v1/messages/batches/${batch.id}/results`, { headers: { 'x-api-key': 't', 'anthropic-version': '2023-06-01' } });
    expect(response.headers.get('content-type')).toBe('application/x-jsonl');
    const lines = (await response.text()).split('\n');
    expect(() => JSON.parse(lines[lines.length - 1] ?? '')).toThrow();
  });
});

describe('raw HTTP', () => {
  it('keeps connections alive between requests', async () => {
    const { url } = await start();
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let index = 0; index < 3; index += 1) {
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(`${url}/v1/messages`, { method: 'POST', agent, headers: { 'x-api-key': 't', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' } }, (response) => {
          ports.add(response.socket.localPort ?? 0);
          response.resume();
          response.on('end', () => resolve());
        });
        request.on('error', reject);
        request.end(messageBody());
      });
    }
    agent.destroy();
    expect(ports.size).toBe(1);
  });
});
