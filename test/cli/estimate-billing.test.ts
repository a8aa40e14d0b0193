import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unregisterProvider } from '../../src/client/provider-registry.js';
import { runCliInProcess } from './cli-harness.js';

// `llm-batch estimate` prices as submit would: by the adapter's billing, unless --mode is given.
// A plugin's emulated adapter over a discounted gateway declares billing 'batch'. No network call.

const keyVariable = 'LLM_BATCH_TEST_BILLING_KEY';
const name = 'discount-gateway';
let folder: string;
let configPath: string;
let requestsPath: string;

const plugin = `
export function register({ registerProvider, emulated }) {
  registerProvider('${name}', () => ({
    ...emulated({ call: { name: '${name}', model: 'gpt-5.4-mini', async call() { throw new Error('not called by an estimate'); } } }),
    billing: 'batch',
  }));
}
`;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-billing-'));
  process.env[keyVariable] = 'sk-test-billing-key-0001';
  await mkdir(join(folder, 'plugins'));
  await writeFile(join(folder, 'plugins', 'gateway.mjs'), plugin);
  configPath = join(folder, 'llm-batch.config.yaml');
  await writeFile(configPath, ['plugins:', '  - ./plugins/gateway.mjs', 'providers:', `  ${name}:`, `    apiKeyEnv: ${keyVariable}`, '    mode: emulated', ''].join('\n'));
  requestsPath = join(folder, 'requests.jsonl');
  await writeFile(requestsPath, ['{"id":"a","maxTokens":100,"messages":[{"role":"user","content":"one"}]}', '{"id":"b","maxTokens":100,"messages":[{"role":"user","content":"two"}]}', ''].join('\n'));
});

afterAll(async () => {
  unregisterProvider(name);
  delete process.env[keyVariable];
  await rm(folder, { recursive: true, force: true });
});

const estimate = async (extra: string[]) => {
  const run = await runCliInProcess(['estimate', requestsPath, '--config', configPath, '--provider', name, '--json', ...extra], undefined, { ...process.env });
  expect(run.stderr).not.toContain('Error');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { costUsd: number; syncCostUsd: number; savingsUsd: number };
};

describe('llm-batch estimate and the adapter\'s billing', () => {
  it('prices an emulated adapter billed "batch" at the batch discount without --mode, and at the sync price with --mode emulated', async () => {
    const byBilling = await estimate([]);
    expect(byBilling.costUsd).toBeGreaterThan(0);
    expect(byBilling.costUsd).toBeLessThan(byBilling.syncCostUsd);
    const asked = await estimate(['--mode', 'emulated']);
    expect(asked.costUsd).toBe(asked.syncCostUsd);
    expect(asked.syncCostUsd).toBe(byBilling.syncCostUsd);
  });
});
