import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { createMockProviderServer, type MockProviderServer } from '../../../src/testing/mock-server/index.js';

const apiKey = 'AIza-test-cli-key-never-shown';
let server: MockProviderServer;
let folder: string;

beforeAll(async () => {
  server = await createMockProviderServer({ batch: { validatingMs: 5, processingMs: 30 } });
  folder = await mkdtemp(join(tmpdir(), 'llm-batch-gemini-cli-'));
});

afterAll(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function cli(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env });
  // No output of any command may ever show the key.
  expect(stdout + stderr).not.toContain(apiKey);
  return { code, stdout, stderr };
}

describe('llm-batch --provider gemini', () => {
  it.each(['native', 'emulated'])('runs examples/requests.jsonl unchanged on Gemini (%s)', async (mode) => {
    // The SDK reads its base URL from GOOGLE_GEMINI_BASE_URL, the adapter its key from GEMINI_API_KEY.
    vi.stubEnv('GEMINI_API_KEY', apiKey);
    vi.stubEnv('GOOGLE_GEMINI_BASE_URL', server.url);
    const run = await cli(
      ['run', 'examples/requests.jsonl', '--provider', 'gemini', '--mode', mode, '--store', join(folder, mode), '--poll-interval', '20ms', '--output', 'jsonl', '--no-exact-tokens'],
      { GEMINI_API_KEY: apiKey },
    );
    expect(run.code).toBe(0);
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; status: string });
    expect(results.map((result) => result.status)).toEqual(Array(6).fill('succeeded'));
    expect(results[0]?.id).toBe('ticket_1042');
  });

  it('picks Gemini when GEMINI_API_KEY is the only provider key', async () => {
    vi.stubEnv('GOOGLE_GEMINI_BASE_URL', server.url);
    vi.stubEnv('GOOGLE_API_KEY', apiKey);
    const run = await cli(['run', 'examples/requests.jsonl', '--mode', 'emulated', '--store', join(folder, 'auto'), '--output', 'jsonl'], { GOOGLE_API_KEY: apiKey });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('local emulator');
    expect(server.journal.some((entry) => entry.endpoint === 'gemini.generateContent')).toBe(true);
  });
});
