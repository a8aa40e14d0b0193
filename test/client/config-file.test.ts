import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig } from '../../src/client/config-file.js';
import { createBatchClient } from '../../src/client/create-batch-client.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { runCli } from '../../src/cli/run-cli.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-config-file-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise;
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('no error');
}

async function file(name: string, text: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, text);
  return path;
}

describe('the config file', () => {
  it('a bad YAML file is one error naming every bad key and its line', async () => {
    const path = await file(
      'bad.yaml',
      ['provider: openai', 'mode: batch', 'providers:', '  openai:', '    enabeld: true', '    concurrency: 0', 'models:', '  gpt-5.4-mini:', '    maxRequestsPerPart: -1', 'pollIntervalMs: "fast"', ''].join('\n'),
    );
    const error = await failure(loadConfig(path));
    expect(error.issues.map((issue) => [issue.line, issue.field])).toEqual([
      [2, 'mode'],
      [10, 'pollIntervalMs'],
      [5, 'providers.openai.enabeld'],
      [6, 'providers.openai.concurrency'],
      [9, 'models.gpt-5.4-mini.maxRequestsPerPart'],
    ]);
    expect(error.message).toContain("line 5: providers.openai.enabeld: unknown key (did you mean 'enabled'?)");
    expect(error.message).toMatch(/^bad\.yaml: 5 problems/);
  });

  it('a bad JSON file names the key and the line too, and a syntax error its line', async () => {
    const path = await file('bad.json', '{\n  "provider": "openai",\n  "defaults": {\n    "temprature": 0.2\n  }\n}\n');
    const error = await failure(loadConfig(path));
    expect(error.issues).toEqual([expect.objectContaining({ line: 4, field: 'defaults.temprature' })]);
    const broken = await file('broken.json', '{\n  "provider": "openai",\n  "mode": \n}\n');
    expect((await failure(loadConfig(broken))).issues[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses a key in the file, wherever it is, without showing it', async () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const path = await file('keys.yaml', ['providers:', '  openai:', `    apiKey: ${key}`, '  anthropic:', `    baseURL: ${key}`, ''].join('\n'));
    const error = await failure(loadConfig(path));
    expect(error.issues.map((issue) => [issue.line, issue.field])).toEqual([
      [3, 'providers.openai.apiKey'],
      [5, 'providers.anthropic.baseURL'],
    ]);
    expect(error.message).toContain('apiKeyEnv');
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error.issues)).not.toContain(key);
  });

  it('is found from the working directory upward; two in one folder are refused', async () => {
    const root = join(folder, 'project');
    const deep = join(root, 'a', 'b');
    await mkdir(deep, { recursive: true });
    await writeFile(join(root, 'llm-batch.config.json'), JSON.stringify({ provider: 'anthropic', models: { 'claude-haiku-4-5': { maxRequestsPerPart: 7 } } }));
    expect(await findConfigFile(deep)).toBe(join(root, 'llm-batch.config.json'));
    const loaded = await loadConfig(undefined, { cwd: deep });
    expect(loaded.path).toBe(join(root, 'llm-batch.config.json'));
    expect(loaded.config.models?.['claude-haiku-4-5']?.maxRequestsPerPart).toBe(7);
    await writeFile(join(root, 'a', 'llm-batch.config.yaml'), 'provider: openai\n');
    await writeFile(join(root, 'a', 'llm-batch.config.yml'), 'provider: openai\n');
    await expect(loadConfig(undefined, { cwd: deep })).rejects.toThrow(/Two config files in one folder/);
    const empty = await mkdtemp(join(tmpdir(), 'llm-batch-no-config-'));
    expect((await loadConfig(undefined, { cwd: empty })).config).toEqual({});
    await rm(empty, { recursive: true });
  });

  it('createBatchClient checks a config object the same way, and takes its provider from it', async () => {
    expect(() => createBatchClient({ config: { provider: 'openai', providers: { openai: { mode: 'fast' as never } } }, store: memoryStore() })).toThrow(
      /providers\.openai\.mode: must be "native" or "emulated"/,
    );
    expect(() => createBatchClient({ config: { providers: { openai: {}, anthropic: {} } }, store: memoryStore() })).toThrow(/provider/);
    process.env['LLM_BATCH_TEST_CONFIG_FILE_KEY'] = 'sk-ant-test-config-file';
    const client = createBatchClient({
      config: { providers: { anthropic: { apiKeyEnv: 'LLM_BATCH_TEST_CONFIG_FILE_KEY', mode: 'emulated' }, openai: { enabled: false } } },
      store: memoryStore(),
    });
    const provider = await client.provider();
    expect([provider.name, provider.mode]).toEqual(['anthropic', 'emulated']);
    delete process.env['LLM_BATCH_TEST_CONFIG_FILE_KEY'];
    expect(() => createBatchClient({ provider: 'openai', config: { providers: { openai: { enabled: false } } } })).toThrow(/disabled/);
    // A key variable the config names must be set: never a silent fall-back to OPENAI_API_KEY.
    expect(() => createBatchClient({ config: { provider: 'openai', providers: { openai: { apiKeyEnv: 'LLM_BATCH_TEST_UNSET_VARIABLE' } } } })).toThrow(
      /providers\.openai\.apiKeyEnv names LLM_BATCH_TEST_UNSET_VARIABLE, which is not set/,
    );
    await client.close();
  });

  it('the CLI prints the problems of a bad file with their lines and exits 2, before reading any input', async () => {
    const path = await file('cli-bad.yaml', ['provider: openai', 'providers:', '  openai:', '    token: abc', ''].join('\n'));
    let stderr = '';
    const code = await runCli(['run', 'missing.jsonl', '--config', path], { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: {} });
    expect(code).toBe(2);
    expect(stderr).toContain('line 4: providers.openai.token: a credential in the file (not shown)');
  });
});
