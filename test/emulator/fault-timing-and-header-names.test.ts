import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from '../../src/testing/mock-server/index.js';
import { emulatorPerTest } from '../support/emulator.js';
import { postChat } from './helpers.js';

const emulators = emulatorPerTest();

function start(options: MockProviderServerOptions): Promise<MockProviderServer> {
  return emulators.start(options);
}

async function timed(url: string, fault?: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await postChat(url, undefined, fault === undefined ? {} : { 'x-mock-fault': fault });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/** The raw header names of one answer, as sent on the wire. */
function rawHeaderNames(url: string, fault: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer test', 'content-type': 'application/json', 'x-mock-fault': fault } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.rawHeaders.filter((_, index) => index % 2 === 0)));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }));
  });
}

describe('faults.timing', () => {
  it("'at-once' answers 429 and 503 faults before the latency, while a success still takes it", async () => {
    const emulator = await start({ latency: 1000, faults: { timing: 'at-once' } });
    const [limited, shed, success] = await Promise.all([timed(emulator.url, '429'), timed(emulator.url, '503'), timed(emulator.url)]);
    expect(limited.status).toBe(429);
    expect(shed.status).toBe(503);
    expect(success.status).toBe(200);
    // By the emulator's own clock (request read to answer), free of the client's scheduling.
    const byStatus = (status: number) => emulator.journal.find((entry) => entry.status === status)!.durationMs;
    expect(byStatus(429)).toBeLessThan(500);
    expect(byStatus(503)).toBeLessThan(500);
    expect(byStatus(200)).toBeGreaterThanOrEqual(990);
    expect(limited.ms).toBeLessThan(success.ms);
  });

  it("'after-latency' (the default) answers a fault after the latency, as before", async () => {
    const emulator = await start({ latency: 300 });
    const limited = await timed(emulator.url, '429');
    expect(limited.status).toBe(429);
    expect(limited.ms).toBeGreaterThanOrEqual(290);
    expect(emulator.journal[0]!.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('drawn faults follow the timing too', async () => {
    const emulator = await start({ latency: 1000, faults: { rates: { '429': 1 }, timing: 'at-once' } });
    const limited = await timed(emulator.url);
    expect(limited.status).toBe(429);
    expect(emulator.journal[0]!.durationMs).toBeLessThan(500);
  });

  it('refuses an unknown timing and a misspelt key', async () => {
    await expect(createMockProviderServer({ faults: { timing: 'sometimes' as 'at-once' } })).rejects.toThrow(/faults\.timing must be 'after-latency' or 'at-once'/);
    await expect(createMockProviderServer({ faults: { timeing: 'at-once' } as MockProviderServerOptions['faults'] })).rejects.toThrow(/timeing/);
  });
});

describe('headerNames', () => {
  it("'canonical' spells every header name word by word capitalised on the wire", async () => {
    const { url } = await start({ headerNames: 'canonical', faults: { retryAfterMs: 1500 } });
    const names = await rawHeaderNames(url, '429');
    expect(names).toEqual(expect.arrayContaining(['Retry-After', 'Retry-After-Ms', 'X-Request-Id', 'Content-Type']));
    expect(names.some((name) => name === name.toLowerCase() && /[a-z]/.test(name) && name !== 'connection' && name !== 'date' && name !== 'keep-alive')).toBe(false);
  });

  it("the default sends them in lower case", async () => {
    const { url } = await start({});
    const names = await rawHeaderNames(url, '429');
    expect(names).toEqual(expect.arrayContaining(['retry-after', 'retry-after-ms', 'x-request-id']));
  });

  it("the official SDK still reads retry-after from canonical names (case-insensitive headers)", async () => {
    const { url } = await start({ headerNames: 'canonical', faults: { retryAfterMs: 1500 } });
    const client = new OpenAI({ apiKey: 'test', baseURL: `${url}/v1`, maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-mock-fault': '429' } })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after-ms')).toBe('1500');
  });

  it('refuses an unknown spelling', async () => {
    await expect(createMockProviderServer({ headerNames: 'Title' as 'canonical' })).rejects.toThrow(/headerNames must be 'lowercase' or 'canonical'/);
  });
});
