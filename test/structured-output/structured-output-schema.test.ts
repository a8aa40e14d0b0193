import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOutputValidator, parseStructuredOutput } from '../../src/structured-output/parse-structured-output.js';
import { toResponseFormat } from '../../src/structured-output/structured-output-schema.js';
import { validateJsonSchema } from '../../src/structured-output/validate-json-schema.js';
import type { BatchResult } from '../../src/models/batch-result.js';

const succeeded = (text: string): BatchResult => ({
  id: 'a',
  status: 'succeeded',
  text,
  finishReason: 'stop',
  model: 'gpt-5.4-mini',
  usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
});

describe('toResponseFormat', () => {
  it('turns a zod schema into a strict json_schema format without $schema', () => {
    const format = toResponseFormat(z.object({ label: z.enum(['spam', 'ham']), score: z.number() }), { name: 'label' });
    expect(format).toEqual({
      type: 'json_schema',
      name: 'label',
      strict: true,
      schema: {
        type: 'object',
        properties: { label: { type: 'string', enum: ['spam', 'ham'] }, score: { type: 'number' } },
        required: ['label', 'score'],
        additionalProperties: false,
      },
    });
  });

  it('is not strict when a property is optional, which strict mode forbids', () => {
    expect(toResponseFormat(z.object({ a: z.string(), b: z.string().optional() })).strict).toBe(false);
  });

  it('passes a JSON schema through and rejects a non-object naming the option', () => {
    expect(toResponseFormat({ type: 'object', properties: {} }).schema).toEqual({ type: 'object', properties: {} });
    expect(() => toResponseFormat('nope' as never)).toThrow(/option "schema"/);
  });
});

describe('validateJsonSchema', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      age: { type: 'integer', minimum: 0 },
      tags: { type: 'array', items: { $ref: '#/$defs/tag' } },
      note: { type: ['string', 'null'] },
    },
    required: ['name', 'age'],
    additionalProperties: false,
    $defs: { tag: { enum: ['a', 'b'] } },
  };

  it('accepts a valid value', () => {
    expect(validateJsonSchema({ name: 'x', age: 3, tags: ['a'], note: null }, schema)).toEqual([]);
  });

  it('reports every problem with its JSON pointer', () => {
    expect(validateJsonSchema({ name: '', age: 1.5, tags: ['c'], extra: 1 }, schema)).toEqual([
      '/name: must have at least 1 characters',
      '/age: must be integer, got number',
      '/tags/0: must be one of "a", "b"',
      '(root): unexpected property "extra"',
    ]);
    expect(validateJsonSchema({ age: 2 }, schema)).toEqual(['(root): missing required property "name"']);
  });
});

describe('parseStructuredOutput', () => {
  const validate = createOutputValidator(z.object({ n: z.number() }));

  it('sets output from valid JSON, also inside a Markdown fence', () => {
    expect(parseStructuredOutput(succeeded('{"n":1}'), validate)).toMatchObject({ status: 'succeeded', output: { n: 1 } });
    expect(parseStructuredOutput(succeeded('```json\n{"n":2}\n```'), validate)).toMatchObject({ output: { n: 2 } });
  });

  it('fails an answer that is not JSON with a retryable validation error, keeping usage and text', () => {
    const result = parseStructuredOutput(succeeded('Sure! Here it is'), validate);
    expect(result).toMatchObject({ status: 'failed', error: { category: 'validation', retryable: true }, usage: { outputTokens: 5 } });
    expect(result.status === 'failed' && (result.raw as { text: string }).text).toBe('Sure! Here it is');
  });

  it('fails JSON that does not match the schema, naming the path', () => {
    const result = parseStructuredOutput(succeeded('{"n":"one"}'), validate);
    expect(result.status === 'failed' && result.error.message).toMatch(/\/n: .*number/i);
  });
});
