import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestDefaultsKeys } from '../../src/client/apply-defaults.js';
import { checkConfig, loadConfig } from '../../src/client/config-file.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';

const keyVariable = 'LLM_BATCH_TEST_CONFIG_DEFAULTS_KEY';
const bodies: Record<string, unknown>[] = [];
let server: MockProviderServer;
let folder: string;

beforeAll(async () => {
  server = await createMockProviderServer({
    respond: (request) => {
      bodies.push(request.body);
      return { text: '{"city":"Paris","token":"t1"}' };
    },
  });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-config-defaults-'));
  process.env[keyVariable] = 'sk-test-config-defaults-0001';
});

afterAll(async () => {
  delete process.env[keyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

async function write(name: string, lines: string[]): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

const head = (): string[] => [
  'provider: openai',
  'mode: emulated',
  'providers:',
  '  openai:',
  `    apiKeyEnv: ${keyVariable}`,
  `    baseURL: ${server.url}/v1`,
];

describe('config defaults: tools and schema', () => {
  it('a YAML file gives every request its tools and every job its schema, as createBatchClient({ defaults }) does', async () => {
    const path = await write('good.yaml', [
      ...head(),
      'defaults:',
      '  model: gpt-4.1-mini',
      '  tools:',
      '    - name: lookup',
      '      description: Look a city up',
      '      parameters: { type: object, properties: { city: { type: string } } }',
      '  schema:',
      '    type: object',
      '    properties:',
      '      city: { type: string }',
      '      token: { type: string }   # a field of the answer, not a credential',
      '    required: [city, token]',
      '    additionalProperties: false',
    ]);
    bodies.length = 0;
    await using client = createBatchClient({ config: path, store: memoryStore() });
    const summary = await client.run(['Where is the Louvre?', { prompt: 'And the Prado?', metadata: { n: 1 } }]);
    expect(summary.counts.succeeded).toBe(2);
    expect(summary.results.map((result) => (result.status === 'succeeded' ? result.output : result.status))).toEqual([
      { city: 'Paris', token: 't1' },
      { city: 'Paris', token: 't1' },
    ]);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(body['model']).toBe('gpt-4.1-mini');
      expect((body['tools'] as { function: { name: string } }[]).map((tool) => tool.function.name)).toEqual(['lookup']);
      expect(body['response_format']).toMatchObject({ type: 'json_schema' });
    }
  });

  it('takes exactly the keys the client defaults take (one list)', () => {
    const all = Object.fromEntries(requestDefaultsKeys.map((key) => [key, undefined]));
    expect(() => checkConfig({ defaults: all })).not.toThrow();
    expect([...requestDefaultsKeys].sort()).toEqual(['maxTokens', 'model', 'schema', 'system', 'temperature', 'tools']);
  });

  it('bad tools and schema are errors naming the key and its line', async () => {
    const path = await write('bad.yaml', [
      ...head(),
      'defaults:',
      '  tool: []',
      '  tools:',
      '    - description: no name',
      '    - name: ok',
      '  schema: a string',
    ]);
    const error = await loadConfig(path).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/3 problems/);
    expect(message).toMatch(/line 8: defaults\.tool: unknown key \(did you mean 'tools'\?\)/);
    expect(message).toMatch(/line 10: defaults\.tools\.0: must be a tool \{ name, description\?, parameters\? \}: name: /);
    expect(message).toMatch(/line 12: defaults\.schema: must be a JSON schema object/);
  });

  it('a key-looking value inside a schema is still refused, without showing it', () => {
    expect(() => checkConfig({ defaults: { schema: { type: 'object', description: 'sk-proj-abcdefghijklmnop1234' } } })).toThrow(/defaults\.schema\.description: looks like a key \(not shown\)/);
    expect(() => checkConfig({ defaults: { schema: { type: 'object', description: 'sk-proj-abcdefghijklmnop1234' } } })).not.toThrow(/abcdefghijklmnop/);
  });
});
