import { describe, test } from 'vitest';
import { temporaryFolder, runCliInProcess } from './cli-harness.js';

// docs/cli.md: when a model has no price, the cost says `unknown` and names the model, never `$0`.

const cli = runCliInProcess;

const unpriced = '{"id":"a","model":"my-local-model","messages":[{"role":"user","content":"Hi"}]}\n';
const priced = '{"id":"b","model":"gpt-5.4-mini","messages":[{"role":"user","content":"Hi"}]}\n';

async function requestFile(text: string): Promise<{ file: string; store: string }> {
  const folder = await temporaryFolder();
  return { file: await folder.file('requests.jsonl', text), store: folder.path };
}

describe.concurrent('a model without a price', () => {
  test('estimate says unknown and names the model, for the estimate and the sync price', async ({ expect }) => {
    const { file } = await requestFile(unpriced);
    const run = await cli(['estimate', file, '--provider', 'mock']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Estimate: unknown (no price for model my-local-model)\n');
    expect(run.stdout).toContain('Sync price: unknown (no price for model my-local-model)\n');
    expect(run.stdout).not.toContain('$0');
  });

  test('estimate names the unpriced model and gives what the priced ones come to', async ({ expect }) => {
    const { file } = await requestFile(unpriced + priced);
    const run = await cli(['estimate', file, '--provider', 'mock']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Estimate: unknown \(no price for model my-local-model; \$0\.\d{4} for the priced models, ≈ –50% vs sync\)$/m);
    expect(run.stdout).toMatch(/^Sync price: unknown \(no price for model my-local-model; \$0\.\d{4} for the priced models\)$/m);
    expect(run.stdout).not.toMatch(/\$0\.00\b/);
  });

  test('names every unpriced model', async ({ expect }) => {
    const { file } = await requestFile(unpriced + unpriced.replace('"a"', '"c"').replace('my-local-model', 'other-model'));
    const run = await cli(['estimate', file, '--provider', 'mock', '--mode', 'emulated']);
    expect(run.stdout).toContain('Estimate: unknown (no price for models my-local-model, other-model)\n');
  });

  test('a dry run says unknown', async ({ expect }) => {
    const { file, store } = await requestFile(unpriced);
    const run = await cli(['run', file, '--provider', 'mock', '--dry-run', '--store', store]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('Estimate: unknown (no price for model my-local-model)');
  });

  test.for(['native', 'emulated'])('the summary of a run (%s) says unknown, not "estimated $0.00"', async (mode, { expect }) => {
    const { file, store } = await requestFile(unpriced);
    const run = await cli(['run', file, '--provider', 'mock', '--mode', mode, '--quiet', '--poll-interval', '100ms', '--store', store]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\nCost: unknown (no price for model my-local-model)\n');
    expect(run.stdout).not.toContain('$0');
  });
});
