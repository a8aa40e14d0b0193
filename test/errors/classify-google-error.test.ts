import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/errors/classify-error.js';

// Gemini's real per-minute 429: the wording says "quota ... billing", the details say "per minute, retry in 37s".
const perMinute429 = {
  error: {
    code: 429,
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
            quotaValue: '10',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
    ],
  },
};

const perDay429 = {
  error: {
    ...perMinute429.error,
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' },
    ],
  },
};

const bodies: Record<string, { status: number; body: unknown }> = {
  'per-minute': { status: 429, body: perMinute429 },
  'per-day': { status: 429, body: perDay429 },
  unavailable: { status: 503, body: { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } } },
  invalid: { status: 400, body: { error: { code: 400, message: 'Invalid JSON payload received. Unknown name "foo"', status: 'INVALID_ARGUMENT' } } },
  'bad-key': {
    status: 400,
    body: {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      },
    },
  },
};

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  // Answers with the body named by the first path segment, as Gemini would.
  server = createServer((request, response) => {
    const scenario = decodeURIComponent((request.url ?? '/').split('/')[1] ?? '');
    const answer = bodies[scenario] ?? { status: 500, body: { error: { code: 500, message: 'no such scenario', status: 'INTERNAL' } } };
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

/** The error the unmodified SDK throws for a scenario. */
async function sdkError(scenario: string): Promise<unknown> {
  const ai = new GoogleGenAI({ apiKey: 'AIza-test-key-never-shown', httpOptions: { baseUrl: `${baseUrl}/${scenario}` } });
  return ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' }).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('classifyError on Gemini errors (through @google/genai)', () => {
  it('reads a per-minute 429 with RetryInfo as a retryable rate_limit with retryAfterMs, not as insufficient_quota', async () => {
    const classification = classifyError(await sdkError('per-minute'));
    expect(classification).toMatchObject({ category: 'rate_limit', retryable: true, retryAfterMs: 37_000, statusCode: 429, code: 'RESOURCE_EXHAUSTED' });
    // The inner message, not the SDK's whole JSON body.
    expect(classification.message).toMatch(/^You exceeded your current quota/);
  });

  it('reads a 429 whose QuotaFailure names only a per-day quota as insufficient_quota, not retried', async () => {
    const classification = classifyError(await sdkError('per-day'));
    expect(classification).toMatchObject({ category: 'insufficient_quota', retryable: false, statusCode: 429 });
    expect(classification.retryAfterMs).toBeUndefined();
  });

  it('reads 503 UNAVAILABLE as retryable', async () => {
    expect(classifyError(await sdkError('unavailable'))).toMatchObject({ category: 'server', retryable: true, statusCode: 503, code: 'UNAVAILABLE' });
  });

  it('reads 400 INVALID_ARGUMENT as a final invalid_request', async () => {
    expect(classifyError(await sdkError('invalid'))).toMatchObject({ category: 'invalid_request', retryable: false, statusCode: 400 });
  });

  it('reads a 400 whose ErrorInfo reason is API_KEY_INVALID as auth', async () => {
    const classification = classifyError(await sdkError('bad-key'));
    expect(classification).toMatchObject({ category: 'auth', retryable: false, type: 'API_KEY_INVALID' });
    expect(JSON.stringify(classification)).not.toContain('AIza-test-key-never-shown');
  });
});

describe('classifyError on Google statuses without HTTP', () => {
  it('reads a batch line status by its gRPC name', () => {
    expect(classifyError({ code: 8, status: 'RESOURCE_EXHAUSTED', message: 'Quota', details: [] })).toMatchObject({ category: 'rate_limit', retryable: true });
  });

  it('takes a RetryInfo delay given as { seconds, nanos }', () => {
    const body = { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow down', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: { seconds: 1, nanos: 500_000_000 } }] } };
    expect(classifyError({ status: 429, ...body })).toMatchObject({ category: 'rate_limit', retryAfterMs: 1500 });
  });

  it('leaves an OpenAI 429 that says "exceeded your current quota" as insufficient_quota', () => {
    const error = { status: 429, error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } };
    expect(classifyError(error)).toMatchObject({ category: 'insufficient_quota', retryable: false });
  });
});
