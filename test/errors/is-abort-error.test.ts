import { APIUserAbortError as AnthropicAbort } from '@anthropic-ai/sdk';
import { APIUserAbortError as OpenAIAbort } from 'openai';
import { describe, expect, it } from 'vitest';
import { AbortError, isAbortError } from '../../src/errors/abort-error.js';
import { classifyError } from '../../src/errors/classify-error.js';

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

describe('one abort check', () => {
  it('classifyError files as cancelled exactly what isAbortError recognises', () => {
    const undiciAbort = Object.assign(new Error('aborted'), { code: 'UND_ERR_ABORTED' });
    const nodeAbort = Object.assign(new Error('The operation was aborted'), { code: 'ABORT_ERR' });
    const aborts = [new AbortError(), new DOMException('stop', 'AbortError'), new OpenAIAbort(), new AnthropicAbort(), undiciAbort, nodeAbort];
    for (const error of aborts) {
      expect(isAbortError(error)).toBe(true);
      expect(classifyError(error).category).toBe('cancelled');
    }
    expect(classifyError(new Error('boom')).category).not.toBe('cancelled');
  });
});
