import { describe, expect, it } from 'vitest';
import { checkAdapterResult } from '../../src/client/check-adapter-result.js';
import { batchResultSchema, type BatchResult } from '../../src/models/batch-result.js';

const usage = { inputTokens: 3, outputTokens: 4, totalTokens: 7 };
const succeeded = { id: 'r_1', status: 'succeeded', text: 'hello', finishReason: 'stop', usage, model: 'm' } as const;

function check(raw: unknown) {
  return checkAdapterResult(raw, 'acme');
}

/** The message of the failed result a malformed one became. */
function defectOf(raw: unknown): string {
  const checked = check(raw);
  expect(checked.problem).toBeDefined();
  expect(checked.result?.status).toBe('failed');
  return checked.result?.status === 'failed' ? checked.result.error.message : '';
}

describe('checkAdapterResult: well-formed results', () => {
  it.each<[string, BatchResult]>([
    ['a succeeded result', succeeded],
    ['a failed result', { id: 'r_1', status: 'failed', error: { category: 'invalid_request', message: 'bad', retryable: false } }],
    ['a cancelled result with no error', { id: 'r_1', status: 'cancelled' }],
    ['an expired result with an error', { id: 'r_1', status: 'expired', error: { category: 'expired', message: 'too late', retryable: true } }],
    [
      'an empty text with tool calls',
      { ...succeeded, text: '', finishReason: 'tool_calls', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] },
    ],
    ['an empty text cut at length', { ...succeeded, text: '', finishReason: 'length' }],
    ['an empty text that ended with stop and carries an output (embeddings)', { ...succeeded, text: '', output: [[0.1, 0.2]] }],
  ])('accepts %s and returns it unchanged, with no problem', (_name, raw) => {
    const checked = check(raw);
    expect(checked.problem).toBeUndefined();
    expect(checked.result).toBe(raw);
  });

  it('accepts a succeeded result exactly when the model schema does, whatever its optional fields hold', () => {
    const variants: Record<string, unknown>[] = [
      { attempts: 1, latencyMs: 12.5, finishedAt: 1_765_000_000_000 },
      { attempts: 0 },
      { attempts: 1.5 },
      { attempts: 2 ** 60 },
      { latencyMs: -1 },
      { latencyMs: Infinity },
      { finishedAt: Number.NaN },
      { finishedAt: '2026-01-01' },
      { metadata: { team: 'a' } },
      { metadata: Object.create(null) as object },
      { metadata: ['a'] },
      { metadata: 'a' },
      { rawFinishReason: 'end_turn' },
      { rawFinishReason: 3 },
      { model: 7 },
      { finishReason: 'STOP' },
      { usage: { ...usage, reasoningTokens: 2 } },
      { usage: { ...usage, inputTokens: 2 ** 60 } },
      { usage: { ...usage, extra: 'kept out by the model' } },
      { toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] },
      { toolCalls: 'none' },
      { output: { any: 'value' }, raw: [1, 2] },
      { providerRequestId: 'req_9' },
      { attempts: undefined },
    ];
    for (const variant of variants) {
      const raw = { ...succeeded, ...variant };
      const accepted = batchResultSchema.safeParse(raw).success;
      const checked = check(raw);
      expect({ variant, accepted: checked.problem === undefined }).toEqual({ variant, accepted });
      if (accepted) expect(checked.result).toBe(raw);
    }
  });

  it('keeps fields the model does not list (extensions and adapters may add them)', () => {
    const raw = { ...succeeded, providerRequestId: 'req_9' };
    expect(check(raw).result).toBe(raw);
  });
});

describe('checkAdapterResult: malformed results with a usable id become failed results', () => {
  it('names the adapter and the unknown status, category unknown, not retryable', () => {
    const checked = check({ id: 'r_1', status: 'weird' });
    expect(checked.result).toEqual({
      id: 'r_1',
      status: 'failed',
      error: {
        category: 'unknown',
        message: 'The adapter "acme" returned a malformed result: status "weird" is not one of succeeded, failed, cancelled, expired',
        retryable: false,
      },
    });
    expect(checked.problem).toBe(
      'The adapter "acme" returned a malformed result for id "r_1", recorded as failed: status "weird" is not one of succeeded, failed, cancelled, expired',
    );
  });

  it.each<[string, unknown, string]>([
    ['a missing status', { id: 'r_1' }, 'status is missing'],
    ['a succeeded result with no text', { ...succeeded, text: undefined }, 'a succeeded result has no text'],
    ['a text that is not a string', { ...succeeded, text: 42 }, 'text is 42, not a string'],
    ['a succeeded result with no usage', { ...succeeded, usage: undefined }, 'a succeeded result has no usage'],
    ['usage that is not an object', { ...succeeded, usage: 12 }, 'usage is 12, not an object of token counts'],
    ['a negative token count', { ...succeeded, usage: { ...usage, outputTokens: -1 } }, 'usage.outputTokens is -1, not a non-negative whole number'],
    ['a NaN token count', { ...succeeded, usage: { ...usage, inputTokens: Number.NaN } }, 'usage.inputTokens is NaN, not a non-negative whole number'],
    ['an infinite token count', { ...succeeded, usage: { ...usage, totalTokens: Infinity } }, 'usage.totalTokens is Infinity'],
    ['a fractional token count', { ...succeeded, usage: { ...usage, inputTokens: 1.5 } }, 'usage.inputTokens is 1.5'],
    ['a token count given as a string', { ...succeeded, usage: { ...usage, inputTokens: '3' } }, 'usage.inputTokens is "3"'],
    ['a missing total', { ...succeeded, usage: { inputTokens: 1, outputTokens: 1 } }, 'usage.totalTokens is missing'],
    ['a bad optional count', { ...succeeded, usage: { ...usage, cachedInputTokens: -2 } }, 'usage.cachedInputTokens is -2'],
    ['an empty text that ended with stop and nothing else', { ...succeeded, text: '' }, 'text is empty, with no tool calls, no output and finishReason "stop"'],
    ['a succeeded result with no model', { ...succeeded, model: undefined }, 'model is missing'],
    ['an unknown finish reason', { ...succeeded, finishReason: 'done' }, 'finishReason: '],
    ['a failed result with no error', { id: 'r_1', status: 'failed' }, 'a failed result has no error'],
    ['an unknown error category', { id: 'r_1', status: 'failed', error: { category: 'oops', message: 'x', retryable: false } }, 'error.category "oops" is not a known category'],
    ['an error with no message', { id: 'r_1', status: 'failed', error: { category: 'server', retryable: true } }, 'error.message is missing'],
    ['an error with a blank message', { id: 'r_1', status: 'failed', error: { category: 'server', message: ' ', retryable: true } }, 'error.message is " ", not a non-empty string'],
    ['an error with no retryable flag', { id: 'r_1', status: 'failed', error: { category: 'server', message: 'x' } }, 'error.retryable is missing'],
    ['a cancelled result with a malformed error', { id: 'r_1', status: 'cancelled', error: 'stopped' }, 'error is "stopped", not an object'],
    ['an expired result with an unknown category', { id: 'r_1', status: 'expired', error: { category: 'late', message: 'x', retryable: true } }, 'error.category "late"'],
    ['a failed result with a negative usage', { id: 'r_1', status: 'failed', error: { category: 'server', message: 'x', retryable: true }, usage: { ...usage, inputTokens: -5 } }, 'usage.inputTokens is -5'],
  ])('reports %s', (_name, raw, defect) => {
    const message = defectOf(raw);
    expect(message.startsWith('The adapter "acme" returned a malformed result: ')).toBe(true);
    expect(message).toContain(defect);
  });

  it('keeps the tokens of a well-formed usage, because they were paid', () => {
    const checked = check({ ...succeeded, text: undefined });
    expect(checked.result).toMatchObject({ id: 'r_1', status: 'failed', usage });
  });

  it('drops a usage that is itself malformed', () => {
    const checked = check({ ...succeeded, usage: { ...usage, inputTokens: -1 } });
    expect(checked.result).not.toHaveProperty('usage');
  });

  it('cuts a long value short in the message', () => {
    const message = defectOf({ id: 'r_1', status: 'x'.repeat(500) });
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('...');
  });
});

describe('checkAdapterResult: results with no usable id are problems only', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'returned a result that is not an object (null)'],
    ['a string', 'r_1', 'returned a result that is not an object ("r_1")'],
    ['an array', [succeeded], 'returned a result that is not an object'],
    ['a missing id', { ...succeeded, id: undefined }, 'returned a result with no usable id (id is missing)'],
    ['an empty id', { ...succeeded, id: '' }, 'returned a result with no usable id (id is "")'],
    ['a numeric id', { ...succeeded, id: 7 }, 'returned a result with no usable id (id is 7)'],
  ])('%s', (_name, raw, problem) => {
    const checked = check(raw);
    expect(checked.result).toBeUndefined();
    expect(checked.problem).toContain(`The adapter "acme" ${problem}`);
    expect(checked.problem).toContain('it was ignored');
  });
});
