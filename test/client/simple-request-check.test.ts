import { describe, expect, it } from 'vitest';
import { batchRequestSchema } from '../../src/models/batch-request.js';
import { isSimpleBatchRequest } from '../../src/models/simple-request.js';

// The planner's fast path takes a request without the schema only when the schema would accept it
// unchanged; everything else goes to the schema, which names what is wrong.

const base = { id: 'a-1', model: 'm', messages: [{ role: 'user', content: 'hi' }] };

const accepted: unknown[] = [
  base,
  { ...base, maxTokens: 16, temperature: 0, topP: 1, system: 'be brief', metadata: { row: 1, tags: ['x'] } },
  { id: 'b', messages: [{ role: 'system', content: 's' }, { role: 'assistant', content: '' }] },
  Object.assign(Object.create(null) as object, base),
];

const sentToSchema: unknown[] = [
  { ...base, id: 'has space' },
  { ...base, id: 'x'.repeat(65) },
  { ...base, id: 7 },
  { ...base, model: '' },
  { ...base, messages: [] },
  { ...base, messages: [{ role: 'robot', content: 'hi' }] },
  { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
  { ...base, messages: [{ role: 'tool', content: 'r', toolCallId: 'c1' }] },
  { ...base, messages: [{ role: 'user' }] },
  { ...base, maxTokens: 0 },
  { ...base, maxTokens: 1.5 },
  { ...base, temperature: 2.5 },
  { ...base, temperature: Number.NaN },
  { ...base, topP: -0.1 },
  { ...base, metadata: ['a'] },
  { ...base, metadata: null },
  { ...base, model: undefined },
  { ...base, unknownKey: 1 },
  { ...base, tools: [{ name: 't' }] },
  { model: 'm', messages: base.messages },
  { id: 'a' },
  new (class Request {
    id = 'a';
    messages = base.messages;
  })(),
  'a plain prompt',
  null,
  [base],
];

describe('isSimpleBatchRequest', () => {
  it('accepts only requests that the schema accepts unchanged', () => {
    for (const value of accepted) {
      expect(isSimpleBatchRequest(value), JSON.stringify(value)).toBe(true);
      const parsed = batchRequestSchema.safeParse(value);
      expect(parsed.success).toBe(true);
      expect(parsed.data).toEqual({ ...(value as object) });
    }
  });

  it('sends everything else to the schema (which may still accept it)', () => {
    for (const value of sentToSchema) expect(isSimpleBatchRequest(value), JSON.stringify(value)).toBe(false);
  });
});
