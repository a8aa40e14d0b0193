/**
 * Every JSON body the emulator returns for the OpenAI routes validates against the response schema
 * of the official OpenAPI description.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { chatBody, openAIHeaders } from './helpers.js';

const specPath = fileURLToPath(new URL('../../../shared/specs/openai-openapi.yaml', import.meta.url));
const specPresent = existsSync(specPath);
const specId = 'https://spec.local/openai.json';

type Validator = ((data: unknown) => boolean) & { errors?: unknown };

function pointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

describe.skipIf(!specPresent)('OpenAI OpenAPI conformance (spec at ../shared/specs/openai-openapi.yaml)', () => {
  let server: MockProviderServer | undefined;
  let ajv: Ajv2020;
  let spec: { paths: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    spec = parse(readFileSync(specPath, 'utf8'), { maxAliasCount: -1 }) as typeof spec;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    // Ajv knows the OpenAPI `nullable` keyword that still appears in this 3.1 document.
    const components = (spec as unknown as { components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } }).components;
    // The real API sends `null` for unset Batch fields (the spec's own Batch example does too) while the
    // schema types them as optional non-null; accept null there and nowhere else.
    const batchSchema = components.schemas.Batch;
    for (const [name, property] of Object.entries(batchSchema?.properties ?? {})) {
      if (batchSchema?.required?.includes(name) !== true) (batchSchema?.properties ?? {})[name] = { anyOf: [property, { type: 'null' }] };
    }
    ajv.addSchema({ $id: specId, paths: spec.paths, components });
    server = await createMockProviderServer({ batch: { clock: 'manual' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  /** The validator for the 200 JSON response of `method path` (paths as in the spec, without /v1). */
  function responseValidator(path: string, method: string): Validator {
    const pointer = `#/paths/${pointerSegment(path)}/${method}/responses/200/content/${pointerSegment('application/json')}/schema`;
    const validator = ajv.getSchema(`${specId}${pointer}`);
    if (validator === undefined) throw new Error(`No response schema for ${method.toUpperCase()} ${path}`);
    return validator as Validator;
  }

  function expectValid(path: string, method: string, body: unknown): void {
    const validate = responseValidator(path, method);
    const valid = validate(body);
    expect(valid ? 'valid' : JSON.stringify(validate.errors, null, 2)).toBe('valid');
  }

  async function call(method: string, path: string, body?: string | FormData, headers: Record<string, string> = openAIHeaders): Promise<unknown> {
    const response = await fetch(`${server?.url ?? ''}/v1${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(200);
    return response.json();
  }

  async function upload(text: string): Promise<Record<string, unknown>> {
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([text]), 'input.jsonl');
    return (await call('POST', '/files', form, { authorization: 'Bearer test' })) as Record<string, unknown>;
  }

  const input = [0, 1, 2]
    .map((index) => JSON.stringify({ custom_id: `r${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `q${index}` }] } }))
    .join('\n');

  it('file upload, retrieve, list and delete', async () => {
    const file = await upload(input);
    expectValid('/files', 'post', file);
    expectValid('/files/{file_id}', 'get', await call('GET', `/files/${String(file.id)}`));
    expectValid('/files', 'get', await call('GET', '/files?limit=5'));
    expectValid('/files/{file_id}', 'delete', await call('DELETE', `/files/${String(file.id)}`));
  });

  it('batch create, retrieve in every state, list and cancel', async () => {
    const file = await upload(input);
    const createBody = JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'x' } });
    const created = (await call('POST', '/batches', createBody)) as Record<string, unknown>;
    expectValid('/batches', 'post', created);
    for (const step of [0, 100, 300, 300, 100]) {
      await server?.advance(step);
      expectValid('/batches/{batch_id}', 'get', await call('GET', `/batches/${String(created.id)}`));
    }
    const second = (await call('POST', '/batches', createBody)) as Record<string, unknown>;
    await server?.advance(150);
    expectValid('/batches/{batch_id}/cancel', 'post', await call('POST', `/batches/${String(second.id)}/cancel`));
    await server?.advance(150);
    expectValid('/batches/{batch_id}', 'get', await call('GET', `/batches/${String(second.id)}`));
    const invalid = await upload('{not json');
    const failed = (await call('POST', '/batches', JSON.stringify({ input_file_id: invalid.id, endpoint: '/v1/chat/completions', completion_window: '24h' }))) as Record<string, unknown>;
    await server?.advance(100);
    expectValid('/batches/{batch_id}', 'get', await call('GET', `/batches/${String(failed.id)}`));
    expectValid('/batches', 'get', await call('GET', '/batches?limit=10'));
  });

  it('chat completions, plain, truncated, structured and with tool calls', async () => {
    expectValid('/chat/completions', 'post', await call('POST', '/chat/completions', chatBody('Hello')));
    expectValid('/chat/completions', 'post', await call('POST', '/chat/completions', chatBody('Hello', { max_completion_tokens: 1 })));
    expectValid(
      '/chat/completions',
      'post',
      await call('POST', '/chat/completions', chatBody('Hello', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } } } })),
    );
    expectValid(
      '/chat/completions',
      'post',
      await call('POST', '/chat/completions', chatBody('Hello', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }], tool_choice: 'required' })),
    );
  });

  it('responses, plain, truncated and with a function call', async () => {
    expectValid('/responses', 'post', await call('POST', '/responses', JSON.stringify({ model: 'gpt-5-mini', input: 'Hello' })));
    expectValid('/responses', 'post', await call('POST', '/responses', JSON.stringify({ model: 'gpt-5-mini', input: 'Hello', max_output_tokens: 1, instructions: 'Be brief' })));
    expectValid(
      '/responses',
      'post',
      await call('POST', '/responses', JSON.stringify({ model: 'gpt-5-mini', input: 'Hello', tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: false }], tool_choice: 'required' })),
    );
  });

  // Only floats: the spec types `embedding` as an array although `encoding_format: base64` returns a string.
  it('embeddings', async () => {
    expectValid('/embeddings', 'post', await call('POST', '/embeddings', JSON.stringify({ model: 'text-embedding-3-small', input: ['a', 'b'] })));
  });
});

it.skipIf(specPresent)('OpenAI OpenAPI conformance needs ../shared/specs/openai-openapi.yaml, which is absent', () => {
  expect(specPresent).toBe(false);
});
