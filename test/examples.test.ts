import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every example in examples/ runs to the end with no API key, against the local emulator: the docs
// point at them, so a broken one is a bug.
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const examples = readdirSync(join(repositoryRoot, 'examples')).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
let storeDir: string;

beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'llm-batch-examples-'));
});
afterAll(async () => {
  await rm(storeDir, { recursive: true, force: true });
});

function runExample(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LLM_BATCH_DIR: join(storeDir, name) };
  for (const key of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'GOOGLE_GEMINI_BASE_URL']) delete env[key];
  const child = spawn(process.execPath, ['--import', 'tsx', join('examples', name)], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('examples', () => {
  it('has examples to run', () => {
    expect(examples).toContain('emulated-tools-and-metrics.ts');
    expect(examples).toContain('resume-after-a-crash.ts');
  });

  it.concurrent.each(examples)('%s runs to the end on the local emulator', async (name) => {
    const { code, stdout, stderr } = await runExample(name);
    expect(stderr + stdout).not.toMatch(/Error:|Unhandled/);
    expect(code).toBe(0);
    expect(stdout.trim()).not.toBe('');
  }, 60_000);

  it('the tool example answers from the tool and skips the draft', async () => {
    const { stdout } = await runExample('emulated-tools-and-metrics.ts');
    expect(stdout).toContain('oslo: It is sunny and 21 °C in Oslo.');
    expect(stdout).toContain('draft: cancelled (Skipped by middleware)');
    expect(stdout).toContain('llm_batch_items_total{status="succeeded"} 3');
  }, 60_000);

  it('the crash example resumes to completion and the retry job succeeds', async () => {
    const { stdout } = await runExample('resume-after-a-crash.ts');
    expect(stdout).toMatch(/resumed: completed, \d+ succeeded, \d+ failed/);
    const [, paidTwice] = /\((\d+) paid twice\)/.exec(stdout) ?? [];
    expect(Number(paidTwice)).toBeLessThanOrEqual(8);
    const [, items, succeeded] = /retry job \S+ \(retryOf \S+\): (\d+) items, (\d+) succeeded/.exec(stdout) ?? [];
    expect(Number(items)).toBeGreaterThan(0);
    expect(succeeded).toBe(items);
  }, 60_000);
});
