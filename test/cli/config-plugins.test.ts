import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { unregisterProvider } from '../../src/client/provider-registry.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { runCliInProcess } from './cli-harness.js';

const keyVariable = 'LLM_BATCH_TEST_PLUGIN_KEY';
const name = 'plugin-gateway';

let server: MockProviderServer;
let folder: string;
let configPath: string;

/**
 * A plugin as a project would write it, built only from what `register` is handed: an emulated
 * adapter over a call strategy of its own (plain fetch to an OpenAI-compatible server).
 */
const plugin = `
export function register({ registerProvider, emulated }) {
  registerProvider('${name}', ({ apiKey, baseURL, concurrency }) =>
    emulated({
      concurrency: concurrency ?? 4,
      call: {
        name: '${name}',
        model: 'gpt-5.4-mini',
        async call(request, context) {
          const response = await fetch(baseURL + '/chat/completions', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer ' + apiKey },
            body: JSON.stringify({ model: request.model, messages: request.messages }),
            signal: context.signal,
          });
          if (!response.ok) throw Object.assign(new Error('HTTP ' + response.status), { status: response.status });
          const body = await response.json();
          return {
            text: body.choices[0].message.content,
            finishReason: 'stop',
            usage: { inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens, totalTokens: body.usage.total_tokens },
            model: body.model,
          };
        },
      },
    }),
  );
}
`;

beforeAll(async () => {
  server = await createMockProviderServer();
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-plugins-'));
  process.env[keyVariable] = 'sk-test-plugin-key-0001';
  await mkdir(join(folder, 'plugins'));
  await writeFile(join(folder, 'plugins', 'gateway.mjs'), plugin);
  await writeFile(join(folder, 'plugins', 'broken.mjs'), 'export function register( {\n');
  await writeFile(join(folder, 'plugins', 'empty.mjs'), 'export const nothing = 1;\n');
  configPath = join(folder, 'llm-batch.config.yaml');
  await writeFile(
    configPath,
    ['plugins:', '  - ./plugins/gateway.mjs', 'providers:', `  ${name}:`, `    apiKeyEnv: ${keyVariable}`, `    baseURL: ${server.url}/v1`, '    mode: emulated', ''].join('\n'),
  );
  await writeFile(join(folder, 'requests.jsonl'), ['{"id":"a","messages":[{"role":"user","content":"one"}]}', '{"id":"b","messages":[{"role":"user","content":"two"}]}', ''].join('\n'));
});

afterAll(async () => {
  unregisterProvider(name);
  delete process.env[keyVariable];
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

const cli = (args: string[]) => runCliInProcess(args, undefined, { ...process.env });

describe('config plugins', () => {
  it('a plugin registers a provider that `llm-batch run --provider` runs, end to end against the emulator', async () => {
    const store = join(folder, 'store-run');
    const before = server.stats().successfulCalls.openai;
    const run = await cli(['run', join(folder, 'requests.jsonl'), '--config', configPath, '--provider', name, '--store', store, '--json']);
    expect(run.stderr).toContain(`(${name}, emulated)`);
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout) as { provider: string; mode: string; results: { id: string; status: string; text: string }[] };
    expect(output.mode).toBe('emulated');
    expect(output.results.map((result) => [result.id, result.status, result.text])).toEqual([
      ['a', 'succeeded', expect.any(String)],
      ['b', 'succeeded', expect.any(String)],
    ]);
    expect(server.stats().successfulCalls.openai - before).toBe(2);
    const [job] = await fileStore({ dir: store }).listJobs();
    expect(job?.provider).toBe(name);
    expect(JSON.stringify(job)).not.toContain('sk-test-plugin');
  });

  it('status of that job runs with the plugin loaded again', async () => {
    const store = join(folder, 'store-run');
    const [job] = await fileStore({ dir: store }).listJobs();
    const status = await cli(['status', job!.id, '--config', configPath, '--provider', name, '--store', store]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Status: completed \| Total: 2 \| Completed: 2/);
  });

  it('createBatchClient({ config: path }) loads the same plugins', async () => {
    await using client = createBatchClient({ config: configPath, provider: name, store: memoryStore() });
    const summary = await client.run(['three']);
    expect(summary.counts.succeeded).toBe(1);
    expect((await client.provider()).mode).toBe('emulated');
  });

  it('a plugin that cannot be loaded is an error naming its file, before anything is sent', async () => {
    const before = server.stats().requests;
    for (const [file, why] of [
      ['broken.mjs', /cannot load .*broken\.mjs/],
      ['empty.mjs', /empty\.mjs exports no register function/],
      ['missing.mjs', /cannot load .*missing\.mjs/],
    ] as const) {
      const path = join(folder, `bad-${file}.yaml`);
      await writeFile(path, ['plugins:', `  - ./plugins/${file}`, ''].join('\n'));
      const run = await cli(['run', join(folder, 'requests.jsonl'), '--config', path, '--store', join(folder, 'store-bad')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`bad-${file.replace('.', '\\.')}\\.yaml: plugins\\.0 \\(\\./plugins/${file.replace('.', '\\.')}\\)`));
      expect(run.stderr).toMatch(why);
    }
    expect(server.stats().requests).toBe(before);
  });

  it('plugins must be a list of paths, named with its line', async () => {
    const path = join(folder, 'bad-list.yaml');
    await writeFile(path, ['provider: openai', 'plugins:', '  - 3', ''].join('\n'));
    const run = await cli(['list', '--config', path, '--store', join(folder, 'store-bad')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/line 3: plugins\.0: must be a module path, got 3/);
  });
});
