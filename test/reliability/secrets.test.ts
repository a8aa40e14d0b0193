import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchClient, emulated, fileStore, type BatchProvider } from 'llm-batch';
import { anthropicBatch, anthropicMessages } from 'llm-batch/anthropic';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockProviderServer } from 'llm-batch/testing';
import { runCli } from '../../src/cli/run-cli.js';
import { listFiles, makeRequests, printCounts, temporaryDirectory } from './helpers.js';

// A key-shaped sentinel: if it shows up anywhere, a key leaked.
const sentinel = `sk-SENTINEL-${randomBytes(12).toString('hex')}`;
let accepting: MockProviderServer;
let refusing: MockProviderServer;
let dir: string;
const texts: Array<{ where: string; text: string }> = [];
const written: string[] = [];
const savedEnv = { ...process.env };
const originalWrite = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
const counts = { runs: 0, errorsCaptured: 0, filesScanned: 0, textsScanned: 0 };

beforeAll(async () => {
  // Bodies and headers kept, so that the scan covers everything the emulator saw except credentials.
  accepting = await createMockProviderServer({ journalBodies: true, batch: { validatingMs: 10, processingMs: 50, finalizingMs: 10 } });
  refusing = await createMockProviderServer({ journalBodies: true, apiKeys: ['other'] });
  dir = await temporaryDirectory('secrets');
  // Everything printed while the runs go on is a log line to scan.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (originalWrite.stdout as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (originalWrite.stderr as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
});

afterAll(async () => {
  process.stdout.write = originalWrite.stdout;
  process.stderr.write = originalWrite.stderr;
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  await accepting?.close();
  await refusing?.close();
  await rm(dir, { recursive: true, force: true });
  printCounts('secrets', { sentinelRuns: counts.runs, errorsCaptured: counts.errorsCaptured, filesScanned: counts.filesScanned, textsScanned: counts.textsScanned });
});

/** Everything a user could see of an error: message, stack, own fields, cause chain, as a logger prints it. */
function captureError(where: string, error: unknown): void {
  counts.errorsCaptured++;
  texts.push({ where: `${where} (inspect)`, text: inspect(error, { depth: 6, showHidden: false }) });
  texts.push({ where: `${where} (message)`, text: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  texts.push({ where: `${where} (json)`, text: safeJson(error) });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, Object.getOwnPropertyNames(value ?? {})) ?? '';
  } catch {
    return '';
  }
}

type AdapterFactory = (server: MockProviderServer) => BatchProvider;
const adapters: Record<string, AdapterFactory> = {
  'openai native': (server) => openaiBatch({ apiKey: sentinel, baseURL: `${server.url}/v1`, pollIntervalMs: 20 }),
  'openai emulated': (server) => emulated({ call: openaiChat({ apiKey: sentinel, baseURL: `${server.url}/v1` }), concurrency: 4 }),
  'anthropic native': (server) => anthropicBatch({ apiKey: sentinel, baseURL: server.url, pollIntervalMs: 20 }),
  'anthropic emulated': (server) => emulated({ call: anthropicMessages({ apiKey: sentinel, baseURL: server.url }), concurrency: 4 }),
};

/** Runs a small job and keeps every error, result and warning it produces as text to scan. */
async function runWith(name: string, server: MockProviderServer, model: string) {
  counts.runs++;
  const client = createBatchClient({ provider: adapters[name]!(server), store: fileStore({ dir: join(dir, 'api') }), pollIntervalMs: 20, maxPollIntervalMs: 50 });
  let jobId: string | undefined;
  try {
    const job = await client.submit(makeRequests(5, 'secret', model));
    jobId = job.id;
    await client.wait(job.id, { timeoutMs: 20_000 });
  } catch (error) {
    captureError(`${name} run`, error);
  }
  jobId ??= (await client.list()).at(-1)?.id;
  if (jobId !== undefined) {
    try {
      const aggregate = await client.aggregate(jobId);
      texts.push({ where: `${name} aggregate`, text: JSON.stringify(aggregate) });
      texts.push({ where: `${name} job`, text: JSON.stringify(await client.status(jobId)) });
    } catch (error) {
      captureError(`${name} aggregate`, error);
    }
    try {
      await client.resume(jobId);
    } catch (error) {
      captureError(`${name} resume`, error);
    }
  }
  return jobId;
}

async function cli(args: string[], env: Record<string, string>): Promise<number> {
  counts.runs++;
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, env);
  const code = await runCli(args, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { ...process.env },
  });
  texts.push({ where: `cli ${args.join(' ')} stdout`, text: stdout }, { where: `cli ${args.join(' ')} stderr`, text: stderr });
  return code;
}

describe('a sentinel API key appears nowhere', () => {
  for (const name of Object.keys(adapters)) {
    const model = name.startsWith('anthropic') ? 'claude-haiku-4-5' : 'gpt-5.4-mini';
    it(`${name}: a successful run`, async () => {
      const jobId = await runWith(name, accepting, model);
      expect(jobId).toBeDefined();
    });
    it(`${name}: a run refused with 401`, async () => {
      const before = refusing.journal.length;
      await runWith(name, refusing, model);
      expect(refusing.journal.slice(before).some((entry) => entry.status === 401)).toBe(true);
    });
  }

  it('the CLI, on success and on a 401, native and emulated', async () => {
    const requests = join(dir, 'requests.jsonl');
    await writeFile(requests, makeRequests(3, 'cli').map((request) => JSON.stringify(request)).join('\n'));
    const store = join(dir, 'cli-store');
    for (const mode of ['native', 'emulated']) {
      const ok = await cli(['run', requests, '--provider', 'openai', '--mode', mode, '--store', store, '--poll-interval', '20ms', '--json'], {
        OPENAI_API_KEY: sentinel,
        OPENAI_BASE_URL: `${accepting.url}/v1`,
      });
      expect(ok).toBe(0);
      const refused = await cli(['run', requests, '--provider', 'openai', '--mode', mode, '--store', store, '--poll-interval', '20ms'], {
        OPENAI_API_KEY: sentinel,
        OPENAI_BASE_URL: `${refusing.url}/v1`,
      });
      expect(refused).not.toBe(0);
    }
    const anthropicRefused = await cli(['run', requests, '--provider', 'anthropic', '--store', store, '--poll-interval', '20ms'], {
      ANTHROPIC_API_KEY: sentinel,
      ANTHROPIC_BASE_URL: refusing.url,
    });
    expect(anthropicRefused).not.toBe(0);
    await cli(['list', '--store', store], {});
  });

  it('the scan: stored files, logs, errors, CLI output and both journals', async () => {
    const files = await listFiles(dir);
    expect(files.length).toBeGreaterThan(10);
    counts.filesScanned = files.length;
    const leaks: string[] = [];
    for (const file of files) {
      if ((await readFile(file, 'utf8')).includes(sentinel)) leaks.push(`file ${file.slice(dir.length)}`);
    }
    const all = [
      ...texts,
      { where: 'log lines', text: written.join('') },
      { where: 'accepting journal', text: JSON.stringify(accepting.journal) },
      { where: 'refusing journal', text: JSON.stringify(refusing.journal) },
    ];
    counts.textsScanned = all.length;
    for (const { where, text } of all) if (text.includes(sentinel)) leaks.push(where);
    // The scan found what it scans for: the 401s were captured and are in the texts.
    expect(all.some(({ text }) => /401|Incorrect API key|invalid x-api-key/.test(text))).toBe(true);
    expect(leaks).toEqual([]);
  });
});
