import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import type { CliInput } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/run-cli.js';

export const repositoryRoot = resolve(import.meta.dirname, '../..');

/** What one CLI process did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command line in this process, capturing what it prints; by default with an empty
 * environment (no provider key, so on the built-in emulator).
 */
export async function runCliInProcess(args: readonly string[], stdin?: CliInput, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    ...(stdin ? { stdin } : {}),
  });
  return { code, stdout, stderr };
}

/**
 * Bundles `src/cli/main.ts` the way the package build does (esbuild through tsup, dependencies
 * left external), into a folder under node_modules so those dependencies resolve. Every test then
 * starts a real `node` process on it, which is much faster than transpiling on each start.
 */
export async function buildCli(): Promise<{ entry: string; dispose: () => Promise<void> }> {
  const base = join(repositoryRoot, 'node_modules', '.cache', 'llm-batch-cli-test');
  await mkdir(base, { recursive: true });
  const outDir = await mkdtemp(join(base, 'build-'));
  await build({
    entry: { cli: join(repositoryRoot, 'src/cli/main.ts') },
    format: ['esm'],
    outDir,
    target: 'node20',
    platform: 'node',
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: true,
    external: ['openai', '@anthropic-ai/sdk', '@google/genai', 'zod', 'vitest'],
  });
  return { entry: join(outDir, 'cli.js'), dispose: () => rm(outDir, { recursive: true, force: true }) };
}

/** Environment of a child: no inherited provider keys or URLs, only what the test gives. */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR']) {
    if (process.env[name] !== undefined) environment[name] = process.env[name];
  }
  return { ...environment, ...extra };
}

export function runCliProcess(entry: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { env: options.env, cwd: options.cwd ?? repositoryRoot, maxBuffer: 32 * 1024 * 1024, timeout: 50_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** A temporary folder per test (job store, input files). */
export async function temporaryFolder(): Promise<{ path: string; file: (name: string, text: string) => Promise<string> }> {
  const path = await mkdtemp(join(tmpdir(), 'llm-batch-cli-'));
  return {
    path,
    async file(name, text) {
      const target = join(path, name);
      await writeFile(target, text);
      return target;
    },
  };
}

/** Replaces what varies from run to run: job ids, times, durations, rates, temp paths. */
export function normalize(text: string, folders: readonly string[] = []): string {
  let result = text;
  for (const folder of folders) result = result.split(folder).join('<tmp>');
  return result
    .replace(/job_[a-z0-9]{10,}/g, 'job_ID')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>')
    .replace(/Elapsed: [\d.]+s/g, 'Elapsed: <elapsed>')
    .replace(/"elapsedMs": \d+/g, '"elapsedMs": "<elapsed>"');
}
