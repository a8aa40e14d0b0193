import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/errors/classify-error.js';

// A tiny server whose path picks the answer: /<provider>/<status>/<type>/<code or ->/<header=value>...
// (segments, because the SDKs append their own route and query to the base URL). It answers every
// status with the provider's real error body shape and headers.
let server: Server;
let baseUrl: string;

function answer(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const segments = url.pathname.split('/').map((segment) => decodeURIComponent(segment));
  const [, provider, status, type = 'api_error', rawCode] = segments;
  if (status === 'reset') {
    request.socket.destroy();
    return;
  }
  const code = rawCode === undefined || rawCode === '-' || rawCode.includes('=') ? null : rawCode;
  const parameters = new Map(
    segments.filter((segment) => segment.includes('=')).map((segment) => segment.split('=', 2) as [string, string]),
  );
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const name of ['retry-after', 'retry-after-ms', 'x-should-retry']) {
    const value = parameters.get(name);
    if (value !== undefined) headers[name] = value;
  }
  const message = parameters.get('message') ?? `status ${status}`;
  let body: unknown;
  if (provider === 'anthropic') {
    headers['request-id'] = 'req_anthropic_1';
    body = { type: 'error', error: { type, message }, request_id: 'req_anthropic_1' };
  } else {
    headers['x-request-id'] = 'req_openai_1';
    body = { error: { message, type, param: null, code } };
  }
  response.writeHead(Number(status), headers).end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

async function openaiCall(path: string): Promise<unknown> {
  // The first path segment after the base URL carries the scenario; the SDK appends its own route.
  const client = new OpenAI({ apiKey: 'sk-test-never-shown', baseURL: `${baseUrl}/openai/${path}`, maxRetries: 0 });
  return client.batches.retrieve('batch_1').then(
    () => expect.unreachable('the call should fail'),
    (error: unknown) => error,
  );
}

async function anthropicCall(path: string): Promise<unknown> {
  const client = new Anthropic({ apiKey: 'sk-ant-test-never-shown', baseURL: `${baseUrl}/anthropic/${path}`, maxRetries: 0 });
  return client.messages.batches.retrieve('msgbatch_1').then(
    () => expect.unreachable('the call should fail'),
    (error: unknown) => error,
  );
}

describe('classifyError on real openai SDK errors over HTTP', () => {
  it.each([
    [400, 'invalid_request_error', 'invalid_request', false],
    [401, 'invalid_request_error', 'auth', false],
    [403, 'invalid_request_error', 'permission', false],
    [404, 'invalid_request_error', 'not_found', false],
    [408, 'invalid_request_error', 'timeout', true],
    [409, 'invalid_request_error', 'server', true],
    [413, 'invalid_request_error', 'invalid_request', false],
    [422, 'invalid_request_error', 'invalid_request', false],
    [429, 'requests', 'rate_limit', true],
    [500, 'server_error', 'server', true],
    [502, 'server_error', 'server', true],
    [503, 'server_error', 'server', true],
    [504, 'server_error', 'timeout', true],
    [529, 'server_error', 'overloaded', true],
  ] as const)('status %i -> %s', async (status, type, category, retryable) => {
    const result = classifyError(await openaiCall(`${status}/${type}`));
    expect(result).toMatchObject({ category, retryable, statusCode: status, requestId: 'req_openai_1', message: `status ${status}` });
  });

  it('429 insufficient_quota is not retryable', async () => {
    const result = classifyError(await openaiCall('429/insufficient_quota/insufficient_quota'));
    expect(result).toMatchObject({ category: 'insufficient_quota', retryable: false, code: 'insufficient_quota' });
  });

  it('400 context_length_exceeded is context_length', async () => {
    const result = classifyError(await openaiCall('400/invalid_request_error/context_length_exceeded'));
    expect(result).toMatchObject({ category: 'context_length', retryable: false });
  });

  it('honours retry-after and x-should-retry from the response', async () => {
    const result = classifyError(await openaiCall('503/server_error/-/retry-after=4/x-should-retry=false'));
    expect(result).toMatchObject({ category: 'server', retryable: false, retryAfterMs: 4_000 });
  });

  it('a reset connection is a retryable network error', async () => {
    const result = classifyError(await openaiCall('reset'));
    expect(result).toMatchObject({ category: 'network', retryable: true });
  });

  it('a refused connection is a retryable network error with its code', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const error = await client.batches.retrieve('batch_1').catch((caught: unknown) => caught);
    expect(classifyError(error)).toMatchObject({ category: 'network', retryable: true, code: 'ECONNREFUSED' });
  });

  it('a client-side timeout is a retryable timeout', async () => {
    const hanging = createServer(() => undefined);
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const port = (hanging.address() as AddressInfo).port;
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0, timeout: 50 });
    const error = await client.batches.retrieve('batch_1').catch((caught: unknown) => caught);
    hanging.closeAllConnections();
    hanging.close();
    expect(classifyError(error)).toMatchObject({ category: 'timeout', retryable: true });
  });

  it('a user abort is cancelled, not retryable', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${baseUrl}/openai/200/`, maxRetries: 0 });
    const controller = new AbortController();
    controller.abort();
    const error = await client.batches.retrieve('batch_1', { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(classifyError(error)).toMatchObject({ category: 'cancelled', retryable: false });
  });

  it('the message never contains the API key', async () => {
    const result = classifyError(await openaiCall('401/invalid_request_error/invalid_api_key/message=Incorrect%20API%20key%20provided%3A%20sk-test-never-shown'));
    expect(result.message).not.toContain('never-shown');
  });
});

describe('classifyError on real @anthropic-ai/sdk errors over HTTP', () => {
  it.each([
    [400, 'invalid_request_error', 'invalid_request', false],
    [401, 'authentication_error', 'auth', false],
    [402, 'billing_error', 'insufficient_quota', false],
    [403, 'permission_error', 'permission', false],
    [404, 'not_found_error', 'not_found', false],
    [409, 'conflict_error', 'server', true],
    [413, 'request_too_large', 'invalid_request', false],
    [429, 'rate_limit_error', 'rate_limit', true],
    [500, 'api_error', 'server', true],
    [504, 'timeout_error', 'timeout', true],
    [529, 'overloaded_error', 'overloaded', true],
  ] as const)('status %i %s -> %s', async (status, type, category, retryable) => {
    const result = classifyError(await anthropicCall(`${status}/${type}`));
    expect(result).toMatchObject({ category, retryable, statusCode: status, type, requestId: 'req_anthropic_1' });
  });

  it('400 "prompt is too long" is context_length', async () => {
    const result = classifyError(await anthropicCall('400/invalid_request_error/-/message=prompt%20is%20too%20long%3A%20300000%20tokens'));
    expect(result).toMatchObject({ category: 'context_length', retryable: false });
  });

  it('reads retry-after-ms from a 529', async () => {
    const result = classifyError(await anthropicCall('529/overloaded_error/-/retry-after-ms=1250.5'));
    expect(result).toMatchObject({ category: 'overloaded', retryable: true, retryAfterMs: 1_251 });
  });

  it('a reset connection is a retryable network error', async () => {
    const result = classifyError(await anthropicCall('reset'));
    expect(result).toMatchObject({ category: 'network', retryable: true });
  });
});
