import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/errors/classify-error.js';
import { createMockProviderServer } from '../../src/testing/mock-server/index.js';
import type { MockProviderServer } from '../../src/testing/mock-server/index.js';

// Faults injected by the local provider emulator, seen through the official SDK clients.
let server: MockProviderServer;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  server = await createMockProviderServer({ faults: { retryAfterMs: 1_500 } });
  openai = new OpenAI({ apiKey: 'sk-test-emulator', baseURL: `${server.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-emulator', baseURL: server.url, maxRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

function openaiFault(fault: string): Promise<unknown> {
  return openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-mock-fault': fault } })
    .then(() => expect.unreachable('the fault should fail the call'), (error: unknown) => error);
}

function anthropicFault(fault: string): Promise<unknown> {
  return anthropic.messages
    .create(
      { model: 'claude-test-model', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-mock-fault': fault } },
    )
    .then(() => expect.unreachable('the fault should fail the call'), (error: unknown) => error);
}

describe('classifyError on emulator faults through the openai SDK', () => {
  it.each([
    ['429', { category: 'rate_limit', retryable: true, statusCode: 429, retryAfterMs: 1_500 }],
    ['insufficient_quota', { category: 'insufficient_quota', retryable: false, statusCode: 429 }],
    ['500', { category: 'server', retryable: true, statusCode: 500 }],
    ['502', { category: 'server', retryable: true, statusCode: 502 }],
    ['503', { category: 'server', retryable: true, statusCode: 503 }],
    ['reset', { category: 'network', retryable: true }],
  ])('fault %s', async (fault, expected) => {
    expect(classifyError(await openaiFault(fault))).toMatchObject(expected);
  });
});

describe('classifyError on emulator faults through the @anthropic-ai/sdk', () => {
  it.each([
    ['429', { category: 'rate_limit', retryable: true, statusCode: 429, type: 'rate_limit_error', retryAfterMs: 1_500 }],
    ['insufficient_quota', { category: 'insufficient_quota', retryable: false, statusCode: 429 }],
    ['529', { category: 'overloaded', retryable: true, statusCode: 529, type: 'overloaded_error' }],
    ['500', { category: 'server', retryable: true, statusCode: 500 }],
    ['reset', { category: 'network', retryable: true }],
  ])('fault %s', async (fault, expected) => {
    expect(classifyError(await anthropicFault(fault))).toMatchObject(expected);
  });
});
