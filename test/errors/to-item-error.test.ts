import * as openai from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyError, redactSecrets, toItemError } from '../../src/errors/classify-error.js';
import { itemErrorFromClassification } from '../../src/errors/item-error-from-classification.js';
import { itemErrorSchema } from '../../src/models/item-error.js';

describe('toItemError', () => {
  it('builds a schema-valid ItemError from an SDK error', () => {
    const error = openai.APIError.generate(
      429,
      { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
      undefined,
      new Headers({ 'retry-after': '1', 'x-request-id': 'req_1' }),
    );
    const itemError = toItemError(error);
    expect(itemError).toEqual({
      category: 'rate_limit',
      message: 'Rate limit reached',
      statusCode: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      retryable: true,
      retryAfterMs: 1_000,
    });
    expect(itemErrorSchema.parse(itemError)).toEqual(itemError);
  });

  it('leaves out fields the error does not have', () => {
    expect(toItemError(new Error('plain'))).toEqual({ category: 'unknown', message: 'plain', retryable: false });
  });

  it('never carries an API key or bearer token in the message', () => {
    const itemError = toItemError(
      new Error('sent Authorization: Bearer eyJhbGciOi.abc-123 with sk-proj-AbCdEf123456 and sk-ant-api03-Zz_99-x'),
    );
    expect(itemError.message).not.toMatch(/eyJhbGciOi|AbCdEf123456|Zz_99/);
    expect(itemError.message).toContain('[REDACTED]');
  });

  it('is the ItemError of the classification, the one mapping the emulated adapter uses too', () => {
    const error = openai.APIError.generate(529, { error: { message: 'Overloaded', type: 'overloaded_error' } }, undefined, new Headers({ 'x-request-id': 'req_2' }));
    const classification = classifyError(error);
    expect(classification.requestId).toBe('req_2');
    expect(itemErrorFromClassification(classification)).toEqual(toItemError(error));
    expect(toItemError(error)).not.toHaveProperty('requestId');
  });
});

describe('redactSecrets', () => {
  it('masks OpenAI keys, Anthropic keys, bearer tokens and api_key assignments', () => {
    expect(redactSecrets('key sk-proj-1234567890abcdef')).toBe('key sk-[REDACTED]');
    expect(redactSecrets('key sk-ant-api03-abc_DEF-123')).toBe('key sk-ant-[REDACTED]');
    expect(redactSecrets('Authorization: Bearer abc.def.ghi')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactSecrets('the bearer of bad news')).toBe('the bearer of bad news');
    expect(redactSecrets('api_key=abcdefgh12345678')).toBe('api_key=[REDACTED]');
  });

  it('leaves ordinary text alone', () => {
    const text = 'This model’s maximum context length is 128000 tokens; task-list and sk-1 are fine';
    expect(redactSecrets(text)).toBe(text);
  });
});
