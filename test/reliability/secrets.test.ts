import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  return (await cliOutput(args, env)).code;
}

async function cliOutput(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
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
  return { code, stdout };
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

// Each vendor's key shape, twice: `configured` is the key in use (an `apiKey` option, or the
// variable the CLI reads), masked by its exact value; `echoedOnly` is configured nowhere and only
// ever shows up inside a server's message, so only the shape can catch it.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alphanumeric = (length: number): string => [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
const hex = (length: number): string => randomBytes(length / 2).toString('hex');
const keyShapes: Array<{ name: string; make: () => string }> = [
  { name: 'sk-', make: () => `sk-${alphanumeric(48)}` },
  { name: 'sk-ant-', make: () => `sk-ant-api03-${alphanumeric(80)}-${alphanumeric(6)}AA` },
  { name: 'gsk_', make: () => `gsk_${alphanumeric(52)}` },
  { name: 'AIza', make: () => `AIza${alphanumeric(30)}_-${alphanumeric(3)}` },
  { name: 'Azure 32-hex', make: () => hex(32) },
  { name: 'Together 64-hex', make: () => hex(64) },
  { name: 'Together tgp_v1_', make: () => `tgp_v1_${alphanumeric(43)}` },
  { name: 'xai-', make: () => `xai-${alphanumeric(80)}` },
  { name: 'hf_', make: () => `hf_${alphanumeric(34)}` },
];
const shapes = keyShapes.map((shape, index) => ({ ...shape, tag: `keyshape_${index}_`, configured: shape.make(), echoedOnly: shape.make() }));
type Shape = (typeof shapes)[number];

/** A key and the part of it that gives it away: a mask that stops early leaves the tail behind. */
function giveaways(shape: Shape): Array<{ what: string; value: string }> {
  return [
    { what: 'configured key', value: shape.configured },
    { what: 'configured key (tail)', value: shape.configured.slice(-16) },
    { what: 'echoed key', value: shape.echoedOnly },
    { what: 'echoed key (tail)', value: shape.echoedOnly.slice(-16) },
  ];
}

describe('each key shape, echoed in an error, appears in no stored file and no CLI output', () => {
  let gateway: Server;
  let gatewayUrl = '';
  let gatewayEchoes = 0;
  let itemErrors: MockProviderServer;
  let current: Shape = shapes[0]!;

  beforeAll(async () => {
    // A server in front of the provider that refuses the key and echoes it back, as some
    // OpenAI-compatible servers and gateways do (the emulator's own 401 says only "Incorrect API key provided.").
    gateway = createServer((request, response) => {
      request.resume();
      const bearer = /^Bearer\s+(.*)$/i.exec(request.headers.authorization ?? '')?.[1];
      const sent = String(request.headers['x-api-key'] ?? bearer ?? '');
      gatewayEchoes++;
      const anthropic = request.headers['anthropic-version'] !== undefined;
      const message = `Incorrect API key provided: ${sent}. Keys tried from this address: ${current.echoedOnly}.`;
      const body = anthropic
        ? { type: 'error', error: { type: 'authentication_error', message }, request_id: 'req_gateway' }
        : { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    // Every request of a shape fails with a 400 whose message carries both keys of that shape.
    itemErrors = await createMockProviderServer({
      journalBodies: true,
      batch: { validatingMs: 10, processingMs: 50, finalizingMs: 10 },
      respond: (request) => {
        const prompt = JSON.stringify(request.body);
        const shape = shapes.find((candidate) => prompt.includes(candidate.tag));
        if (shape === undefined) return undefined;
        return {
          status: 400,
          error: { message: `Invalid request: the key ${shape.configured} must not appear in content (nor ${shape.echoedOnly})`, type: 'invalid_request_error' },
        };
      },
    });
  });

  afterAll(async () => {
    gateway?.closeAllConnections();
    await new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
    await itemErrors?.close();
  });

  /** What one case left behind, by where a user would meet it. */
  interface Trail {
    folder: string;
    /** CLI stdout and stderr, and everything printed meanwhile. */
    output: Array<{ where: string; text: string }>;
    /** What the library returned (job, aggregate) and what it threw. */
    library: Array<{ where: string; text: string }>;
  }

  /** A job through the library: submit, wait, status, aggregate, resume; everything returned or thrown kept. */
  async function libraryRun(name: string, provider: BatchProvider, store: string, requests: ReturnType<typeof makeRequests>, trail: Trail): Promise<void> {
    counts.runs++;
    const client = createBatchClient({ provider, store: fileStore({ dir: store }), pollIntervalMs: 20, maxPollIntervalMs: 50 });
    const keep = (where: string, error: unknown): void => {
      counts.errorsCaptured++;
      trail.library.push(
        { where: `${name} ${where} threw (inspect)`, text: inspect(error, { depth: 6 }) },
        { where: `${name} ${where} threw (message)`, text: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) },
        { where: `${name} ${where} threw (json)`, text: safeJson(error) },
      );
    };
    let jobId: string | undefined;
    try {
      const job = await client.submit(requests);
      jobId = job.id;
      await client.wait(job.id, { timeoutMs: 20_000 });
    } catch (error) {
      keep('submit', error);
    }
    jobId ??= (await client.list()).at(-1)?.id;
    if (jobId === undefined) return;
    try {
      trail.library.push({ where: `${name} status()`, text: JSON.stringify(await client.status(jobId)) });
      trail.library.push({ where: `${name} aggregate()`, text: JSON.stringify(await client.aggregate(jobId)) });
    } catch (error) {
      keep('status', error);
    }
    try {
      await client.resume(jobId);
    } catch (error) {
      keep('resume', error);
    }
  }

  /** A CLI command whose output goes to the trail. */
  async function trailCli(trail: Trail, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
    const first = texts.length;
    const result = await cliOutput(args, env);
    trail.output.push(...texts.slice(first));
    return result;
  }

  /** `status --json`, `errors`, `errors --json` and `results` of every job in a CLI store. */
  async function showEveryJob(trail: Trail, store: string, env: Record<string, string>): Promise<number> {
    const { stdout } = await trailCli(trail, ['list', '--store', store, '--json'], env);
    const jobs = (JSON.parse(stdout) as { jobs: Array<{ id: string }> }).jobs;
    for (const { id } of jobs) {
      await trailCli(trail, ['status', id, '--store', store, '--json'], env);
      await trailCli(trail, ['errors', id, '--store', store], env);
      await trailCli(trail, ['errors', id, '--store', store, '--json'], env);
      await trailCli(trail, ['results', id, '--store', store, '--output', 'jsonl'], env);
    }
    return jobs.length;
  }

  function leaksIn(shape: Shape, all: ReadonlyArray<{ where: string; text: string }>): string[] {
    counts.textsScanned += all.length;
    const leaks: string[] = [];
    for (const { what, value } of giveaways(shape)) for (const { where, text } of all) if (text.includes(value)) leaks.push(`${what} in ${where}`);
    return leaks;
  }

  async function leaksInFiles(shape: Shape, folder: string): Promise<string[]> {
    const files = await listFiles(folder);
    expect(files.length).toBeGreaterThan(0);
    counts.filesScanned += files.length;
    return leaksIn(shape, await Promise.all(files.map(async (file) => ({ where: `file ${file.slice(folder.length)}`, text: await readFile(file, 'utf8') }))));
  }

  /** Runs a case once, before its three checks, and records what was printed meanwhile. */
  function scannedCase(shape: Shape, name: string, folderName: string, run: (trail: Trail) => Promise<void>): void {
    const trail: Trail = { folder: '', output: [], library: [] };
    describe(`${shape.name}: ${name}`, () => {
      beforeAll(async () => {
        current = shape;
        trail.folder = join(dir, 'shapes', shape.tag, folderName);
        const firstLog = written.length;
        await run(trail);
        trail.output.push({ where: 'log lines', text: written.slice(firstLog).join('') });
      });
      it('is in no stored file', async () => {
        expect(await leaksInFiles(shape, trail.folder)).toEqual([]);
      });
      it('is in no CLI output (status --json, errors, results) and no log line', () => {
        expect(leaksIn(shape, trail.output)).toEqual([]);
      });
      it('is in nothing the library returns or throws', () => {
        expect(leaksIn(shape, trail.library)).toEqual([]);
      });
    });
  }

  for (const shape of shapes) {
    scannedCase(shape, 'a 401 at native submit that echoes the key', 'refused', async (trail) => {
      const echoesBefore = gatewayEchoes;
      const requests = makeRequests(3, shape.tag);
      await libraryRun('openai native', openaiBatch({ apiKey: shape.configured, baseURL: `${gatewayUrl}/v1`, pollIntervalMs: 20 }), join(trail.folder, 'openai'), requests, trail);
      await libraryRun(
        'anthropic native',
        anthropicBatch({ apiKey: shape.configured, baseURL: gatewayUrl, pollIntervalMs: 20 }),
        join(trail.folder, 'anthropic'),
        makeRequests(3, shape.tag, 'claude-haiku-4-5'),
        trail,
      );
      const file = join(trail.folder, 'requests.jsonl');
      await writeFile(file, requests.map((request) => JSON.stringify(request)).join('\n'));
      const env = { OPENAI_API_KEY: shape.configured, OPENAI_BASE_URL: `${gatewayUrl}/v1` };
      const store = join(trail.folder, 'cli');
      expect((await trailCli(trail, ['run', file, '--provider', 'openai', '--mode', 'native', '--store', store, '--poll-interval', '20ms'], env)).code).toBe(2);
      expect(await showEveryJob(trail, store, env)).toBeGreaterThan(0);
      // The gateway echoed both keys, and the refusals reached what is scanned.
      expect(gatewayEchoes).toBeGreaterThan(echoesBefore + 2);
      expect([...trail.output, ...trail.library].some(({ text }) => text.includes('Incorrect API key provided'))).toBe(true);
    });

    scannedCase(shape, 'item errors that echo the key, emulated and native', 'items', async (trail) => {
      const openaiRequests = makeRequests(3, shape.tag);
      const anthropicRequests = makeRequests(3, shape.tag, 'claude-haiku-4-5');
      const openaiUrl = `${itemErrors.url}/v1`;
      const folder = trail.folder;
      await libraryRun('openai emulated', emulated({ call: openaiChat({ apiKey: shape.configured, baseURL: openaiUrl }), concurrency: 4 }), join(folder, 'oe'), openaiRequests, trail);
      await libraryRun('openai native', openaiBatch({ apiKey: shape.configured, baseURL: openaiUrl, pollIntervalMs: 20 }), join(folder, 'on'), openaiRequests, trail);
      await libraryRun('anthropic native', anthropicBatch({ apiKey: shape.configured, baseURL: itemErrors.url, pollIntervalMs: 20 }), join(folder, 'an'), anthropicRequests, trail);
      await libraryRun(
        'anthropic emulated',
        emulated({ call: anthropicMessages({ apiKey: shape.configured, baseURL: itemErrors.url }), concurrency: 4 }),
        join(folder, 'ae'),
        anthropicRequests,
        trail,
      );
      const file = join(folder, 'requests.jsonl');
      await writeFile(file, openaiRequests.map((request) => JSON.stringify(request)).join('\n'));
      const env = { OPENAI_API_KEY: shape.configured, OPENAI_BASE_URL: openaiUrl };
      const store = join(folder, 'cli');
      for (const mode of ['emulated', 'native']) {
        // Every item fails: exit 1, and the job ends.
        expect((await trailCli(trail, ['run', file, '--provider', 'openai', '--mode', mode, '--store', store, '--poll-interval', '20ms', '--quiet'], env)).code).toBe(1);
      }
      expect(await showEveryJob(trail, store, env)).toBe(2);
      // The item errors were stored and shown: the scan looks where the keys would be.
      expect(trail.output.some(({ text }) => text.includes('must not appear in content'))).toBe(true);
    });
  }
});
