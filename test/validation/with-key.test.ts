import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../src/models/batch-result.js';
import { withKey } from '../../src/models/with-key.js';

describe('withKey', () => {
  const result: BatchResult = { id: 'r1', status: 'succeeded', text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'm' };

  it('copies the object with the key added last, as a spread would, and leaves the original alone', () => {
    const stamped = withKey(result, 'finishedAt', 5);
    expect(stamped).not.toBe(result);
    expect(JSON.stringify(stamped)).toBe(JSON.stringify({ ...result, finishedAt: 5 }));
    expect(Object.keys(stamped)).toEqual([...Object.keys(result), 'finishedAt']);
    expect(result).not.toHaveProperty('finishedAt');
    expect(Object.getPrototypeOf(stamped)).toBe(Object.prototype);
  });

  it('replaces a key that is there in its place', () => {
    const renamed = withKey(result, 'id', 'r2');
    expect(Object.keys(renamed)).toEqual(Object.keys(result));
    expect(renamed).toEqual({ ...result, id: 'r2' });
  });

  it('keeps an own "__proto__" key as a key, not as the prototype of the copy', () => {
    const parsed = JSON.parse('{"id":"r1","status":"cancelled","__proto__":{"polluted":true}}') as BatchResult;
    const stamped = withKey(parsed, 'finishedAt', 7);
    expect(Object.getPrototypeOf(stamped)).toBe(Object.prototype);
    expect((stamped as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(stamped)).toBe('{"id":"r1","status":"cancelled","__proto__":{"polluted":true},"finishedAt":7}');
  });
});
