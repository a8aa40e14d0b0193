import * as anthropic from '@anthropic-ai/sdk';
import * as openai from 'openai';
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors/abort-error.js';
import { ApiCallError } from '../../src/errors/api-call-error.js';
import { BudgetExceededError } from '../../src/errors/budget-exceeded-error.js';
import { classifyError } from '../../src/errors/classify-error.js';
import { JobNotFoundError } from '../../src/errors/job-not-found-error.js';
import { ValidationError } from '../../src/errors/validation-error.js';

function openaiError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) {
  const body = { error: { message: 'message', type: 'invalid_request_error', param: null, code: null, ...error } };
  return openai.APIError.generate(status, body, undefined, new Headers({ 'x-request-id': 'req_oa', ...headers }));
}

function anthropicError(status: number, type: string, message = 'message', headers: Record<string, string> = {}) {
  const body = { type: 'error', error: { type, message }, request_id: 'req_an' };
  return anthropic.APIError.generate(status, body, undefined, new Headers({ 'request-id': 'req_an', ...headers }));
}

describe('classifyError with openai SDK errors', () => {
  it.each([
    [400, 'invalid_request', false],
    [401, 'auth', false],
    [403, 'permission', false],
    [404, 'not_found', false],
    [408, 'timeout', true],
    [409, 'server', true],
    [413, 'invalid_request', false],
    [422, 'invalid_request', false],
    [429, 'rate_limit', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'server', true],
    [504, 'timeout', true],
    [529, 'overloaded', true],
  ] as const)('maps status %i to %s (retryable %s)', (status, category, retryable) => {
    const result = classifyError(openaiError(status, {}));
    expect(result).toMatchObject({ category, retryable, statusCode: status });
  });

  it('keeps the inner message, type, code and request id', () => {
    const result = classifyError(openaiError(400, { message: 'bad param', code: 'invalid_value', type: 'invalid_request_error' }));
    expect(result).toEqual({
      category: 'invalid_request',
      retryable: false,
      statusCode: 400,
      message: 'bad param',
      code: 'invalid_value',
      type: 'invalid_request_error',
      requestId: 'req_oa',
    });
  });

  it('maps context_length_exceeded to context_length', () => {
    const result = classifyError(openaiError(400, { code: 'context_length_exceeded', message: "This model's maximum context length is 128000 tokens." }));
    expect(result).toMatchObject({ category: 'context_length', retryable: false });
  });

  it('maps a 429 insufficient_quota to insufficient_quota, not retryable', () => {
    const result = classifyError(openaiError(429, { code: 'insufficient_quota', type: 'insufficient_quota', message: 'You exceeded your current quota' }));
    expect(result).toMatchObject({ category: 'insufficient_quota', retryable: false, statusCode: 429 });
  });

  it('maps a 429 organization_usage_limit_exceeded to insufficient_quota', () => {
    const result = classifyError(openaiError(429, { code: 'organization_usage_limit_exceeded' }));
    expect(result).toMatchObject({ category: 'insufficient_quota', retryable: false });
  });

  it('reads retry-after into retryAfterMs', () => {
    const result = classifyError(openaiError(429, { type: 'requests', code: 'rate_limit_exceeded' }, { 'retry-after': '2' }));
    expect(result).toMatchObject({ category: 'rate_limit', retryable: true, retryAfterMs: 2_000 });
  });

  it('lets x-should-retry: false override a retryable status', () => {
    const result = classifyError(openaiError(503, {}, { 'x-should-retry': 'false' }));
    expect(result).toMatchObject({ category: 'server', retryable: false });
  });

  it('lets x-should-retry: true override a non-retryable status', () => {
    const result = classifyError(openaiError(400, {}, { 'x-should-retry': 'true' }));
    expect(result).toMatchObject({ category: 'invalid_request', retryable: true });
  });

  it('maps APIConnectionTimeoutError to timeout, retryable', () => {
    expect(classifyError(new openai.APIConnectionTimeoutError())).toMatchObject({ category: 'timeout', retryable: true });
  });

  it('maps APIConnectionError with a fetch-failed cause to network with the cause code', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const result = classifyError(new openai.APIConnectionError({ message: 'Connection error.', cause }));
    expect(result).toMatchObject({ category: 'network', retryable: true, code: 'ECONNREFUSED' });
  });

  it('maps APIUserAbortError to cancelled, not retryable', () => {
    expect(classifyError(new openai.APIUserAbortError())).toMatchObject({ category: 'cancelled', retryable: false });
  });
});

describe('classifyError with @anthropic-ai/sdk errors', () => {
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
  ] as const)('maps %i %s to %s (retryable %s)', (status, type, category, retryable) => {
    const result = classifyError(anthropicError(status, type));
    expect(result).toMatchObject({ category, retryable, statusCode: status, type, requestId: 'req_an' });
  });

  it('maps overloaded_error under another status to overloaded', () => {
    expect(classifyError(anthropicError(500, 'overloaded_error'))).toMatchObject({ category: 'overloaded', retryable: true });
  });

  it('maps "prompt is too long" to context_length', () => {
    const result = classifyError(anthropicError(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'));
    expect(result).toMatchObject({ category: 'context_length', retryable: false, message: 'prompt is too long: 210000 tokens > 200000 maximum' });
  });

  it('maps a spend-limit 429 to insufficient_quota', () => {
    const body = {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'You have reached your specified workspace API usage limits.', details: { error_code: 'enforced_spend_limit_reached' } },
    };
    const error = anthropic.APIError.generate(429, body, undefined, new Headers());
    expect(classifyError(error)).toMatchObject({ category: 'insufficient_quota', retryable: false, code: 'enforced_spend_limit_reached' });
  });

  it('reads retry-after-ms', () => {
    expect(classifyError(anthropicError(529, 'overloaded_error', 'Overloaded', { 'retry-after-ms': '250' }))).toMatchObject({ retryAfterMs: 250 });
  });

  it('maps APIUserAbortError to cancelled', () => {
    expect(classifyError(new anthropic.APIUserAbortError())).toMatchObject({ category: 'cancelled', retryable: false });
  });

  it('maps APIConnectionTimeoutError to timeout', () => {
    expect(classifyError(new anthropic.APIConnectionTimeoutError())).toMatchObject({ category: 'timeout', retryable: true });
  });
});

describe('classifyError with network errors and aborts', () => {
  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'])('maps %s to network, retryable', (code) => {
    const error = Object.assign(new Error(`socket ${code}`), { code });
    expect(classifyError(error)).toMatchObject({ category: 'network', retryable: true, code });
  });

  it('maps TypeError: fetch failed with a cause code to network', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classifyError(error)).toMatchObject({ category: 'network', retryable: true, code: 'UND_ERR_SOCKET' });
  });

  it('maps an undici headers timeout to timeout', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) });
    expect(classifyError(error)).toMatchObject({ category: 'timeout', retryable: true });
  });

  it('maps a DOMException TimeoutError to timeout', () => {
    expect(classifyError(new DOMException('timed out', 'TimeoutError'))).toMatchObject({ category: 'timeout', retryable: true });
  });

  it('maps a DOMException AbortError to cancelled', () => {
    expect(classifyError(new DOMException('aborted', 'AbortError'))).toMatchObject({ category: 'cancelled', retryable: false });
  });

  it('maps our AbortError to cancelled', () => {
    expect(classifyError(new AbortError())).toMatchObject({ category: 'cancelled', retryable: false });
  });

  it('maps the rejection of an aborted fetch to cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await fetch('http://127.0.0.1:9/', { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(classifyError(error)).toMatchObject({ category: 'cancelled', retryable: false });
  });
});

describe('classifyError with batch result lines', () => {
  it('maps an OpenAI batch_expired error to expired', () => {
    const error = { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' };
    expect(classifyError(error)).toMatchObject({ category: 'expired', retryable: true, code: 'batch_expired' });
  });

  it('maps an OpenAI batch_cancelled error to cancelled, not retryable', () => {
    const line = { id: 'batch_req_2', custom_id: 'c', response: null, error: { code: 'batch_cancelled', message: 'cancelled' } };
    expect(classifyError(line)).toMatchObject({ category: 'cancelled', retryable: false, code: 'batch_cancelled' });
  });

  it('maps a whole OpenAI expired line to expired', () => {
    const line = { id: 'batch_req_1', custom_id: 'a', response: null, error: { code: 'batch_expired', message: 'expired' } };
    expect(classifyError(line)).toMatchObject({ category: 'expired' });
  });

  it('maps a failed OpenAI response envelope by its status and body error', () => {
    const response = {
      status_code: 400,
      request_id: 'req_line',
      body: { error: { message: 'Invalid model', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
    };
    expect(classifyError(response)).toEqual({
      category: 'invalid_request',
      retryable: false,
      statusCode: 400,
      message: 'Invalid model',
      type: 'invalid_request_error',
      code: 'model_not_found',
      requestId: 'req_line',
    });
  });

  it('maps a whole failed OpenAI line with a 500 response to server, retryable', () => {
    const line = { custom_id: 'b', response: { status_code: 500, request_id: 'r', body: { error: { message: 'oops', type: 'server_error', param: null, code: null } } }, error: null };
    expect(classifyError(line)).toMatchObject({ category: 'server', retryable: true, statusCode: 500 });
  });

  it('maps a response.body.error object without a status by its type', () => {
    expect(classifyError({ message: 'slow down', type: 'server_error', param: null, code: null })).toMatchObject({ category: 'server', retryable: true });
  });

  it.each([
    ['invalid_request_error', 'invalid_request', false],
    ['overloaded_error', 'overloaded', true],
    ['api_error', 'server', true],
    ['rate_limit_error', 'rate_limit', true],
    ['authentication_error', 'auth', false],
  ] as const)('maps an Anthropic errored result of type %s to %s', (type, category, retryable) => {
    const error = { type: 'error', error: { type, message: 'why' }, request_id: 'req_b' };
    expect(classifyError(error)).toMatchObject({ category, retryable, type, message: 'why', requestId: 'req_b' });
    expect(classifyError({ custom_id: 'x', result: { type: 'errored', error } })).toMatchObject({ category, retryable });
  });

  it('maps Anthropic expired and canceled results', () => {
    expect(classifyError({ custom_id: 'e', result: { type: 'expired' } })).toMatchObject({ category: 'expired' });
    expect(classifyError({ custom_id: 'c', result: { type: 'canceled' } })).toMatchObject({ category: 'cancelled', retryable: false });
  });
});

describe('classifyError with this library’s errors', () => {
  it('keeps the category and retryable of an ApiCallError', () => {
    const error = new ApiCallError('boom', { provider: 'openai', statusCode: 503, requestId: 'req_x', retryable: true, category: 'overloaded' });
    expect(classifyError(error)).toMatchObject({ category: 'overloaded', retryable: true, statusCode: 503, requestId: 'req_x' });
  });

  it('takes retryAfterMs from the cause of an ApiCallError', () => {
    const cause = openaiError(429, {}, { 'retry-after': '3' });
    const error = new ApiCallError('limited', { provider: 'openai', retryable: true, category: 'rate_limit', cause });
    expect(classifyError(error)).toMatchObject({ category: 'rate_limit', retryAfterMs: 3_000, statusCode: 429 });
  });

  it('maps ValidationError to validation', () => {
    const error = new ValidationError([{ index: 0, field: 'id', reason: 'missing' }]);
    expect(classifyError(error)).toMatchObject({ category: 'validation', retryable: false });
  });

  it('maps BudgetExceededError to budget and JobNotFoundError to not_found', () => {
    expect(classifyError(new BudgetExceededError(1, 2))).toMatchObject({ category: 'budget', retryable: false });
    expect(classifyError(new JobNotFoundError('job_1'))).toMatchObject({ category: 'not_found', retryable: false });
  });
});

describe('classifyError with anything else', () => {
  it('maps a plain Error to unknown, not retryable', () => {
    expect(classifyError(new Error('odd'))).toEqual({ category: 'unknown', retryable: false, message: 'odd' });
  });

  it('maps non-errors to unknown with a message', () => {
    expect(classifyError('text')).toEqual({ category: 'unknown', retryable: false, message: 'text' });
    expect(classifyError(undefined)).toMatchObject({ category: 'unknown', retryable: false });
    expect(classifyError(null)).toMatchObject({ category: 'unknown', retryable: false });
  });

  it('redacts API keys from messages', () => {
    const result = classifyError(new Error('Incorrect API key provided: sk-proj-abcdef123456 and sk-ant-api03-XYZ_abc-123'));
    expect(result.message).not.toContain('abcdef123456');
    expect(result.message).not.toContain('XYZ_abc');
  });
});
