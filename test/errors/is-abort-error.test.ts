import { APIUserAbortError as AnthropicAbort } from '@anthropic-ai/sdk';
import { APIUserAbortError as OpenAIAbort } from 'openai';
import { describe, expect, it } from 'vitest';
import { AbortError, isAbortError } from '../../src/errors/abort-error.js';

describe('isAbortError', () => {
  it('recognises our AbortError, DOM aborts and both SDKs\' user aborts', () => {
    expect(isAbortError(new AbortError())).toBe(true);
    expect(isAbortError(new DOMException('stop', 'AbortError'))).toBe(true);
    expect(isAbortError(new OpenAIAbort())).toBe(true);
    expect(isAbortError(new AnthropicAbort())).toBe(true);
  });

  it('is false for other errors', () => {
    expect(isAbortError(new Error('boom'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
    expect(isAbortError(null)).toBe(false);
  });
});
