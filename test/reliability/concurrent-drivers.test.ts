import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BatchJob, BatchResult } from 'llm-batch';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from 'llm-batch/testing';
import { duplicateIds, printCounts, readJournal, temporaryDirectory } from './helpers.js';

// Two processes on one job, a cancel from another terminal, Ctrl-C and servers that never answer:
// real `llm-batch` processes (the built CLI) against the emulator living in this test process.

const cliEntry = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const crashClient = fileURLToPath(new URL('./fixtures/crash-client.ts', import.meta.url));
const concurrency = 16;
const apiKey = 'sk-concurrent-drivers-test';

const counts = {
  jobs: 0,
  items: 0,
  secondDriversRefused: 0,
  itemsPaidTwice: 0,
  callsAfterCancelReturned: 0,
  callsAfterSignal: 0,
  slowestSignalExitMs: 0,
  batchesCreatedTwice: 0,
  signalsMisreported: 0,
  itemsRunByTwoRetries: 0,
  secondRetriesRefused: 0,
};
const directories: string[] = [];
const servers: { close(): Promise<void> }[] = [];
const children = new Set<ChildProcess>();

afterEach(async () => {
  // A failed assertion must not leave a process of this test running into the next one.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const server of servers.splice(0)) await server.close();
});

afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
  printCounts('concurrent-drivers', counts);
});

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Polls `condition` every few milliseconds; fails naming `what` after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function startEmulator(options: MockProviderServerOptions): Promise<MockProviderServer> {
  const server = await createMockProviderServer({ seed: 12, journalLimit: 1_000_000, ...options });
  servers.push(server);
  return server;
}

/** What one process did, once it has ended. */
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt: number;
  readonly exited: Promise<Exit>;
  hasExited(): boolean;
  /** What it wrote on stderr so far. */
  stderr(): string;
}

/** The environment of a user who points the CLI at an OpenAI-compatible server: no other keys. */
function cliEnvironment(baseURL: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: baseURL };
  for (const name of ['PATH', 'HOME', 'TMPDIR']) if (process.env[name] !== undefined) environment[name] = process.env[name];
  return environment;
}

function startProcess(args: string[], environment: NodeJS.ProcessEnv): Running {
  const startedAt = Date.now();
  const child = spawn(process.execPath, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => {
      ended = true;
      resolve({ code, signal, startedAt, endedAt: Date.now(), stdout, stderr });
    }),
  );
  return { child, pid: child.pid!, startedAt, exited, hasExited: () => ended, stderr: () => stderr };
}

/** `llm-batch <args> --store <store>` against `baseURL`. */
function startCli(args: string[], store: string, baseURL: string): Running {
  return startProcess([cliEntry, ...args, '--store', store], cliEnvironment(baseURL));
}

/** A process that must end by itself within `timeoutMs`; otherwise it is killed and the test fails. */
async function ended(running: Running, what: string, timeoutMs = 90_000): Promise<Exit> {
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  const exit = await running.exited;
  clearTimeout(timer);
  if (exit.signal === 'SIGKILL' && exit.endedAt - running.startedAt >= timeoutMs) throw new Error(`${what} hung for ${timeoutMs} ms: ${exit.stderr}`);
  return exit;
}

/** Waits until `condition` holds while `running` goes on; fails with its output if it ended first. */
async function whileRunning(running: Running, condition: () => boolean, what: string): Promise<void> {
  await until(() => condition() || running.hasExited(), what).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the process wrote: ${running.stderr()}`);
  });
  if (!condition()) {
    const exit = await running.exited;
    throw new Error(`the process ended (${String(exit.code ?? exit.signal)}) before ${what}: ${exit.stderr}`);
  }
}

async function runCli(args: string[], store: string, baseURL: string): Promise<Exit> {
  return ended(startCli(args, store, baseURL), `llm-batch ${args.join(' ')}`);
}

/** A store folder and a JSONL file of `count` requests with distinct prompts (`<prefix> prompt <n>`). */
async function prepareJob(name: string, count: number, prefix: string): Promise<{ store: string; file: string }> {
  const directory = await temporaryDirectory(name);
  directories.push(directory);
  const file = join(directory, 'requests.jsonl');
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({ id: `${prefix}_${index}`, model: 'gpt-5.4-mini', maxTokens: 8, messages: [{ role: 'user', content: `${prefix} prompt ${index}` }] }),
  );
  await writeFile(file, `${lines.join('\n')}\n`);
  counts.jobs++;
  counts.items += count;
  return { store: join(directory, 'store'), file };
}

/** The one job of a store, once its manifest is written. */
async function onlyJobId(store: string): Promise<string> {
  let found: string | undefined;
  await until(async () => {
    const entries = await readdir(store).catch(() => [] as string[]);
    for (const entry of entries) {
      if (await stat(join(store, entry, 'job.json')).then(() => true, () => false)) found = entry;
    }
    return found !== undefined;
  }, `a job in ${store}`);
  return found!;
}

/** Successful emulator calls per prompt of one job (the emulator counts them by the prompt's text). */
function paidCalls(server: MockProviderServer, prefix: string): Map<string, number> {
  const paid = new Map<string, number>();
  for (const [key, value] of Object.entries(server.stats().successfulCallsByKey)) {
    if (key.startsWith(`${prefix} prompt `)) paid.set(`${prefix}_${key.slice(prefix.length + ' prompt '.length)}`, value);
  }
  return paid;
}

/** Calls beyond the first, summed over the prompts: what was paid twice. */
function paidTwice(paid: Map<string, number>): number {
  let extra = 0;
  for (const value of paid.values()) extra += value - 1;
  return extra;
}

/** Chat-completion calls the emulator received at or after `since` (epoch ms). */
function chatCallsSince(server: MockProviderServer, since: number): number {
  return server.journal.filter((entry) => entry.endpoint === 'chat.completions' && entry.startedAt >= since).length;
}

function lastChatCallAt(server: MockProviderServer): number {
  let last = 0;
  for (const entry of server.journal) if (entry.endpoint === 'chat.completions') last = Math.max(last, entry.startedAt);
  return last;
}

/** Who held a job's lease from `at` (epoch ms): the pid in `lease.json`, or none. */
interface LeaseHolding {
  readonly holder: number | 'none';
  readonly at: number;
}

/** Records who holds a job's lease as it changes, until stopped. */
function traceLeaseHolders(store: string, jobId: string): { stop(): Promise<LeaseHolding[]> } {
  const trace: LeaseHolding[] = [];
  let running = true;
  const reading = (async () => {
    while (running) {
      const text = await readFile(join(store, jobId, 'lease.json'), 'utf8').catch(() => undefined);
      let holder: number | 'none' | undefined = 'none';
      try {
        if (text !== undefined) holder = (JSON.parse(text) as { holder: { pid: number } }).holder.pid;
      } catch {
        // Not readable whole (the store writes it atomically, so this should not happen): no evidence either way.
        holder = undefined;
      }
      if (holder !== undefined && trace.at(-1)?.holder !== holder) trace.push({ holder, at: Date.now() });
      await sleep(2);
    }
  })();
  return {
    async stop() {
      running = false;
      await reading;
      return trace;
    },
  };
}

/** A moment after the driver took a stale lease over, when another process racing it may move the fresh lease aside and put it back. */
const takeOverRaceMs = 200;

/**
 * The lease as one driver and one refused process left it: the refused process never held it, and
 * the driver, once it had it, kept it until it let go for good (resume then wait without a gap).
 */
function expectOneUnbrokenHold(holdings: readonly LeaseHolding[], names: ReadonlyMap<number, string>, driverPid: number, refusedPid: number): void {
  const trace = describeHoldings(holdings, names);
  expect(holdings.filter((holding) => holding.holder === refusedPid), `lease held by ${trace}`).toEqual([]);
  const holds = holdings.filter((holding) => holding.holder === driverPid);
  expect(holds.length, `lease held by ${trace}`).toBeGreaterThan(0);
  const retakenLater = holds.slice(1).filter((holding) => holding.at - holds[0]!.at > takeOverRaceMs);
  expect(retakenLater.map((holding) => holding.at - holds[0]!.at), `the driver let the lease go and took it again (ms after its first hold); lease held by ${trace}`).toEqual([]);
}

/** The trace in words, for the log: each holder (or none) with how long it lasted. */
function describeHoldings(holdings: readonly LeaseHolding[], names: ReadonlyMap<number, string>): string {
  return holdings
    .map((holding, index) => {
      const name = holding.holder === 'none' ? 'none' : (names.get(holding.holder) ?? String(holding.holder));
      const next = holdings[index + 1];
      return next === undefined ? name : `${name} ${next.at - holding.at} ms`;
    })
    .join(' -> ');
}

/** Every item of the job ends exactly once in its results journal, and succeeded. */
async function expectEveryItemOnceSucceeded(store: string, jobId: string, total: number): Promise<void> {
  const journal = await readJournal(store, jobId);
  expect(duplicateIds(journal)).toEqual([]);
  expect(journal).toHaveLength(total);
  expect(journal.filter((result) => result.status !== 'succeeded')).toEqual([]);
}

describe('two drivers of one job', () => {
  it('two resumes of a killed emulated job: one drives, the other is refused naming it, nothing is paid twice beyond the calls in flight at the kill', async () => {
    // 600 items at 16 calls of ~200 ms: the resumed run lasts longer than the 3 s a second driver waits.
    const server = await startEmulator({ latency: { 'chat.completions': { p50: 200, p99: 260 }, default: 0 } });
    const count = 600;
    const prefix = 'tworesumes';
    const { store, file } = await prepareJob('two-resumes', count, prefix);
    const baseURL = `${server.url}/v1`;

    const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency), '-q'], store, baseURL);
    await whileRunning(run, () => paidCalls(server, prefix).size >= count * 0.25, 'a quarter of the items answered');
    run.child.kill('SIGKILL');
    await run.exited;
    const paidAtKill = paidCalls(server, prefix).size;
    const jobId = await onlyJobId(store);

    const first = startCli(['resume', jobId, '-q'], store, baseURL);
    const second = startCli(['resume', jobId, '-q'], store, baseURL);
    const holders = traceLeaseHolders(store, jobId);
    const [a, b] = await Promise.all([ended(first, 'resume'), ended(second, 'resume')]);
    const holdings = await holders.stop();
    const names = new Map([
      [run.pid, 'killed'],
      [first.pid, 'first'],
      [second.pid, 'second'],
    ]);
    const outcomes = [
      { running: first, exit: a },
      { running: second, exit: b },
    ];
    const drivers = outcomes.filter((outcome) => outcome.exit.code === 0);
    const refused = outcomes.filter((outcome) => outcome.exit.code === 2);
    console.log(
      `[concurrent-drivers] two resumes (emulated): killed at ${paidAtKill}/${count} answered; exit codes ${a.code} and ${b.code}; ` +
        `refused after ${refused.map((outcome) => outcome.exit.endedAt - outcome.running.startedAt).join(', ')} ms; lease held by ${describeHoldings(holdings, names)}`,
    );
    expect(drivers).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const driver = drivers[0]!;
    expect(refused[0]!.exit.stderr).toContain(`pid ${driver.running.pid}`);
    expect(refused[0]!.exit.stderr).toContain(`Job ${jobId} is driven by another process`);
    // resume() restarts the run and wait() follows it under one hold of the lease: no gap a second driver could take.
    expectOneUnbrokenHold(holdings, names, driver.running.pid, refused[0]!.running.pid);
    expect(driver.exit.stdout).toContain('Status: completed');
    counts.secondDriversRefused++;

    await expectEveryItemOnceSucceeded(store, jobId, count);
    const paid = paidCalls(server, prefix);
    expect(paid.size).toBe(count);
    const extra = paidTwice(paid);
    console.log(`[concurrent-drivers] two resumes (emulated): ${extra} prompts paid twice (calls in flight at the kill; at most ${concurrency})`);
    expect(extra).toBeLessThanOrEqual(concurrency);
    expect(Math.max(...paid.values())).toBeLessThanOrEqual(2);
    counts.itemsPaidTwice += extra;
  });

  it('resume while the original run is alive: refused with exit 2, and not one extra call', async () => {
    const server = await startEmulator({ latency: { 'chat.completions': { p50: 200, p99: 260 }, default: 0 } });
    const count = 600;
    const prefix = 'resumealive';
    const { store, file } = await prepareJob('resume-alive', count, prefix);
    const baseURL = `${server.url}/v1`;

    const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency), '-q'], store, baseURL);
    await whileRunning(run, () => paidCalls(server, prefix).size >= 50, 'the run under way');
    const jobId = await onlyJobId(store);
    // A `wait` from another terminal follows the run through the store, and `status` reads it, without the lease.
    const follower = startCli(['wait', jobId, '-q'], store, baseURL);
    const status = await runCli(['status', jobId, '--json'], store, baseURL);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as BatchJob).status).toBe('in_progress');
    const resume = await runCli(['resume', jobId, '-q'], store, baseURL);
    const answeredWhenRefused = paidCalls(server, prefix).size;
    console.log(`[concurrent-drivers] resume beside a live run: exit ${resume.code} with ${answeredWhenRefused}/${count} answered by the run`);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain(`pid ${run.pid}`);
    // The run was still going when the resume gave up: the refusal came from the lease, not from a finished job.
    expect(answeredWhenRefused).toBeLessThan(count);
    expect(run.hasExited()).toBe(false);
    counts.secondDriversRefused++;

    const runExit = await ended(run, 'run');
    expect(runExit.code).toBe(0);
    const followed = await ended(follower, 'wait');
    console.log(`[concurrent-drivers] resume beside a live run: status answered in ${status.endedAt - status.startedAt} ms; the wait beside it exited ${followed.code} ${followed.endedAt - runExit.endedAt} ms after the run`);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toContain('Status: completed | Total: 600 | Completed: 600');
    await expectEveryItemOnceSucceeded(store, jobId, count);
    const paid = paidCalls(server, prefix);
    expect(paid.size).toBe(count);
    expect(paidTwice(paid)).toBe(0);
    expect(server.stats().successfulCalls.openai).toBe(count);
  });

  for (const killPoint of ['during-upload', 'after-create'] as const) {
    it(`two resumes of a native job killed ${killPoint.replace('-', ' ')}: exactly one provider batch per part`, async () => {
      // Slow uploads and creates so that the kill lands inside them; slow batches so that the
      // resumed job is still being driven (polled) when the second resume gives up.
      const server = await startEmulator({
        latency: { 'files.upload': 250, 'batches.create': 80, default: 0 },
        batch: { validatingMs: 100, processingMs: 5_000, finalizingMs: 50 },
      });
      const count = 1_200;
      const prefix = `native${killPoint.replace('-', '')}`;
      const directory = await temporaryDirectory('two-native-resumes');
      directories.push(directory);
      const store = join(directory, 'store');
      counts.jobs++;
      counts.items += count;
      const baseURL = `${server.url}/v1`;

      // The first process plans 4 parts of 300 and is killed inside an upload, or just after a create.
      const journalStart = server.journal.length;
      const batchesBefore = server.stats().batchesCreated.openai;
      const first = startProcess(['--import', 'tsx', crashClient, 'native', 'run', baseURL, store, String(count), prefix], process.env);
      await until(
        () =>
          server.journal
            .slice(journalStart)
            .some((entry) =>
              killPoint === 'during-upload'
                ? entry.endpoint === 'files.upload' && entry.status === 0
                : // The batch exists at the provider; the killed process may not have stored its id.
                  entry.endpoint === 'batches.create' && entry.status === 200,
            ),
        `the first process ${killPoint}`,
      );
      await sleep(Math.random() * (killPoint === 'during-upload' ? 50 : 20));
      first.child.kill('SIGKILL');
      await first.exited;
      const jobId = await onlyJobId(store);
      // The manifest as the killed process left it (the store's own view: parts with their submission state).
      const killed = JSON.parse(await readFile(join(store, jobId, 'job.json'), 'utf8')) as { parts: { id: string; submitState: string }[] };
      const statesAtKill = killed.parts.map((part) => part.submitState).join(',');
      const batchesAtKill = server.stats().batchesCreated.openai - batchesBefore;

      const resumes = [0, 1].map(() => startCli(['resume', jobId, '--poll-interval', '200ms', '-q'], store, baseURL));
      const holders = traceLeaseHolders(store, jobId);
      const exits = await Promise.all(resumes.map((running) => ended(running, 'resume')));
      const holdings = await holders.stop();
      const names = new Map([
        [first.pid, 'killed'],
        [resumes[0]!.pid, 'first'],
        [resumes[1]!.pid, 'second'],
      ]);
      console.log(
        `[concurrent-drivers] two resumes (native, killed ${killPoint}; parts ${statesAtKill}; ${batchesAtKill} batch(es) created before the kill): ` +
          `exit codes ${exits.map((exit) => exit.code).join(' and ')}; lease held by ${describeHoldings(holdings, names)}`,
      );
      const driver = exits.findIndex((exit) => exit.code === 0);
      expect(driver).toBeGreaterThanOrEqual(0);
      const other = exits[1 - driver]!;
      expect(other.code).toBe(2);
      expect(other.stderr).toContain(`pid ${resumes[driver]!.pid}`);
      // resume() re-attaches and wait() polls under one hold of the lease: no gap a second driver could take.
      expectOneUnbrokenHold(holdings, names, resumes[driver]!.pid, resumes[1 - driver]!.pid);
      counts.secondDriversRefused++;

      // No part created twice: exactly one emulator batch per part, holding exactly the job's requests.
      const batchesPerPart = new Map<string, number>();
      let requestsInBatches = 0;
      for (const summary of await server.batches()) {
        const metadata = ((await server.getBatch(summary.id))?.metadata ?? {}) as Record<string, string>;
        if (metadata.llm_batch_job !== jobId) continue;
        batchesPerPart.set(metadata.llm_batch_part!, (batchesPerPart.get(metadata.llm_batch_part!) ?? 0) + 1);
        requestsInBatches += summary.total;
      }
      console.log(`[concurrent-drivers] two resumes (native, killed ${killPoint}): batches per part ${JSON.stringify(Object.fromEntries(batchesPerPart))}`);
      expect(batchesPerPart.size).toBe(killed.parts.length);
      counts.batchesCreatedTwice += [...batchesPerPart.values()].filter((value) => value > 1).length;
      expect([...batchesPerPart.values()].every((value) => value === 1)).toBe(true);
      expect(requestsInBatches).toBe(count);
      await expectEveryItemOnceSucceeded(store, jobId, count);
    });
  }
});

describe('cancel from a second process', () => {
  it('stops a live emulated run within a poll; status, results, errors and retry agree', async () => {
    const server = await startEmulator({ latency: { 'chat.completions': { p50: 70, p99: 100 }, default: 0 } });
    const count = 1_500;
    const prefix = 'cancelled';
    const { store, file } = await prepareJob('cancel', count, prefix);
    const baseURL = `${server.url}/v1`;

    const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency), '-q'], store, baseURL);
    await whileRunning(run, () => paidCalls(server, prefix).size >= 300, 'the run under way');
    const jobId = await onlyJobId(store);
    const cancelStarted = Date.now();
    const cancel = await runCli(['cancel', jobId], store, baseURL);
    const cancelReturned = cancel.endedAt;
    const requestedAt = Date.parse((await readFile(join(store, jobId, 'cancel-requested'), 'utf8')).trim());
    const runExit = await ended(run, 'run');
    const afterReturn = chatCallsSince(server, cancelReturned);
    const afterRequest = chatCallsSince(server, requestedAt);
    const stoppedAfterMs = lastChatCallAt(server) - requestedAt;
    console.log(
      `[concurrent-drivers] cancel: the cancel command took ${cancelReturned - cancelStarted} ms; last call started ${stoppedAfterMs} ms after the request was recorded ` +
        `(${afterRequest} calls since); ${afterReturn} calls after the command returned; the run exited ${runExit.code} ${runExit.endedAt - cancelReturned} ms after it`,
    );
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`Cancelled ${jobId} (it was stopped by pid ${run.pid}`);
    expect(afterReturn).toBeLessThanOrEqual(concurrency);
    // The driver checks for a cancel every 250 ms: allow a few checks on a loaded machine.
    expect(stoppedAfterMs).toBeLessThan(1_500);
    expect(runExit.code).toBe(3);
    expect(runExit.endedAt - cancelReturned).toBeLessThan(3_000);
    counts.callsAfterCancelReturned += afterReturn;

    // The journal: one line per item, never succeeded and cancelled both.
    const journal = await readJournal(store, jobId);
    expect(duplicateIds(journal)).toEqual([]);
    expect(journal).toHaveLength(count);

    const status = await runCli(['status', jobId, '--json'], store, baseURL);
    const job = JSON.parse(status.stdout) as BatchJob;
    expect(job.status).toBe('cancelled');
    const resultsRun = await runCli(['results', jobId, '--output', 'jsonl'], store, baseURL);
    const results = resultsRun.stdout.trim().split('\n').map((line) => JSON.parse(line) as BatchResult);
    const errorsRun = await runCli(['errors', jobId, '--json'], store, baseURL);
    const errors = (JSON.parse(errorsRun.stdout) as { errors: BatchResult[] }).errors;

    const byStatus = (list: readonly BatchResult[], wanted: BatchResult['status']) => list.filter((result) => result.status === wanted);
    expect(results).toHaveLength(count);
    expect(duplicateIds(results)).toEqual([]);
    const succeeded = new Set(byStatus(results, 'succeeded').map((result) => result.id));
    const notSucceeded = results.filter((result) => result.status !== 'succeeded');
    expect(job.counts).toEqual({
      total: count,
      succeeded: succeeded.size,
      failed: byStatus(results, 'failed').length,
      cancelled: byStatus(results, 'cancelled').length,
      expired: byStatus(results, 'expired').length,
      pending: 0,
    });
    expect(errors.map((result) => result.id).sort()).toEqual(notSucceeded.map((result) => result.id).sort());
    expect(errors.filter((result) => succeeded.has(result.id))).toEqual([]);
    expect(journal.filter((result) => result.status === 'succeeded').map((result) => result.id).sort()).toEqual([...succeeded].sort());
    // Every answer paid for is a success, except the calls in flight when the cancel aborted them.
    const paid = paidCalls(server, prefix);
    const paidButCancelled = [...paid.keys()].filter((id) => !succeeded.has(id)).length;
    expect(paidButCancelled).toBeLessThanOrEqual(concurrency);

    // Retry takes exactly the items that did not succeed, and no success runs again.
    const retry = await runCli(['retry', jobId, '--concurrency', String(concurrency), '--json', '-q'], store, baseURL);
    expect(retry.code).toBe(0);
    const retried = JSON.parse(retry.stdout) as { jobId: string; counts: BatchJob['counts']; results: BatchResult[] };
    const retriedIds = retried.results.map((result) => result.id);
    console.log(
      `[concurrent-drivers] cancel: ${succeeded.size} succeeded, ${job.counts.cancelled} cancelled, ${job.counts.failed} failed, ${paidButCancelled} answered but cancelled; ` +
        `retry ${retried.jobId} took ${retried.counts.total} items`,
    );
    expect(retried.counts.total).toBe(job.counts.cancelled + job.counts.failed);
    expect(new Set(retriedIds)).toEqual(new Set(notSucceeded.map((result) => result.id)));
    expect(retriedIds.filter((id) => succeeded.has(id))).toEqual([]);
    const paidAfterRetry = paidCalls(server, prefix);
    expect([...succeeded].filter((id) => paidAfterRetry.get(id) !== 1)).toEqual([]);
    expect(paidAfterRetry.size).toBe(count);
  });
});

describe('two retries of one job', () => {
  it('two retries of a cancelled job started together: one retry job runs each cancelled item once, the other retry and a later one are refused naming it', async () => {
    const server = await startEmulator({ latency: { 'chat.completions': { p50: 70, p99: 100 }, default: 0 } });
    const count = 800;
    const prefix = 'tworetries';
    const { store, file } = await prepareJob('two-retries', count, prefix);
    const baseURL = `${server.url}/v1`;

    // A run killed mid-way, then cancelled: the cancel takes the dead driver's lease and ends the job at once.
    const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency), '-q'], store, baseURL);
    await whileRunning(run, () => paidCalls(server, prefix).size >= 150, 'the run under way');
    run.child.kill('SIGKILL');
    await run.exited;
    const jobId = await onlyJobId(store);
    const cancel = await runCli(['cancel', jobId, '--json'], store, baseURL);
    expect(cancel.code).toBe(0);
    const cancelled = JSON.parse(cancel.stdout) as BatchJob;
    expect(cancelled.status).toBe('cancelled');
    const original = await readJournal(store, jobId);
    const succeeded = new Set(original.filter((result) => result.status === 'succeeded').map((result) => result.id));
    const toRetry = new Set(original.filter((result) => result.status !== 'succeeded').map((result) => result.id));
    expect(succeeded.size + toRetry.size).toBe(count);
    const paidBefore = paidCalls(server, prefix);

    const retries = [0, 1].map(() => startCli(['retry', jobId, '--concurrency', String(concurrency), '-q'], store, baseURL));
    const holders = traceLeaseHolders(store, jobId);
    const exits = await Promise.all(retries.map((running) => ended(running, 'retry')));
    const holdings = await holders.stop();
    const jobs = (await readdir(store)).filter((entry) => entry !== jobId);
    const paid = paidCalls(server, prefix);
    const runsOf = (id: string) => (paid.get(id) ?? 0) - (paidBefore.get(id) ?? 0);
    const retriedTwice = [...toRetry].filter((id) => runsOf(id) > 1).length;
    const winner = exits.findIndex((exit) => exit.code === 0);
    const loser = exits[1 - winner];
    console.log(
      `[concurrent-drivers] two retries: exit codes ${exits.map((exit) => exit.code).join(' and ')}; ${jobs.length} retry job(s) for ${cancelled.counts.cancelled} cancelled items; ` +
        `${retriedTwice} items run by both; the other refused ${loser === undefined ? '-' : loser.endedAt - retries[1 - winner]!.startedAt} ms after it started: ` +
        `${(loser?.stderr ?? '').trim().split('\n').at(-1)}; the original's lease held by ${describeHoldings(
          holdings,
          new Map([
            [retries[0]!.pid, exits[0]!.code === 0 ? 'the retry that ran' : 'the refused retry'],
            [retries[1]!.pid, exits[1]!.code === 0 ? 'the retry that ran' : 'the refused retry'],
          ]),
        )}`,
    );
    counts.itemsRunByTwoRetries += retriedTwice;
    // The successes of the original job are never run again, whatever else happens.
    expect([...succeeded].filter((id) => runsOf(id) !== 0)).toEqual([]);
    // One retry job takes the cancelled items and runs each once; the other retry is refused naming it.
    expect(jobs).toHaveLength(1);
    const retryJobId = jobs[0]!;
    expect(winner, `exit codes ${exits.map((exit) => exit.code).join(' and ')}`).toBeGreaterThanOrEqual(0);
    expect(loser!.code, loser!.stderr).toBe(2);
    expect(loser!.stderr).toContain(`Job ${jobId} was already retried as ${retryJobId}`);
    counts.secondRetriesRefused++;
    expect(retriedTwice).toBe(0);
    expect([...toRetry].filter((id) => runsOf(id) !== 1)).toEqual([]);
    await expectEveryItemOnceSucceeded(store, retryJobId, toRetry.size);
    expect(new Set((await readJournal(store, retryJobId)).map((result) => result.id))).toEqual(toRetry);
    // The original names its retry job, and the retry job its original.
    expect((JSON.parse(await readFile(join(store, jobId, 'job.json'), 'utf8')) as { retriedBy?: string }).retriedBy).toBe(retryJobId);
    expect((JSON.parse(await readFile(join(store, retryJobId, 'job.json'), 'utf8')) as { retryOf?: string }).retryOf).toBe(jobId);

    // A retry started later is refused the same way: no new job, not one call.
    const callsBeforeLater = server.stats().successfulCalls.openai;
    const later = await runCli(['retry', jobId, '--concurrency', String(concurrency), '-q'], store, baseURL);
    console.log(`[concurrent-drivers] two retries: a later retry exited ${later.code} after ${later.endedAt - later.startedAt} ms`);
    expect(later.code, later.stderr).toBe(2);
    expect(later.stderr).toContain(`Job ${jobId} was already retried as ${retryJobId}`);
    expect(later.stderr).toContain(`llm-batch retry ${retryJobId}`);
    counts.secondRetriesRefused++;
    expect((await readdir(store)).filter((entry) => entry !== jobId)).toEqual([retryJobId]);
    expect(server.stats().successfulCalls.openai).toBe(callsBeforeLater);
  });
});

describe('signals', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`one ${signal} during a 1,500-request emulated run: exits within about a second, and resume completes it`, async () => {
      const server = await startEmulator({ latency: { 'chat.completions': { p50: 70, p99: 100 }, default: 0 } });
      const count = 1_500;
      const prefix = `signal${signal.toLowerCase()}`;
      const { store, file } = await prepareJob(`signal-${signal}`, count, prefix);
      const baseURL = `${server.url}/v1`;

      const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency)], store, baseURL);
      // About 1–2 s into the run.
      await whileRunning(run, () => paidCalls(server, prefix).size >= 150, 'the run under way');
      await sleep(Math.random() * 700);
      const jobId = await onlyJobId(store);
      const signalledAt = Date.now();
      run.child.kill(signal);
      const exit = await ended(run, 'run', 30_000);
      const exitMs = exit.endedAt - signalledAt;
      const callsAfter = chatCallsSince(server, signalledAt);
      const answered = paidCalls(server, prefix).size;
      console.log(`[concurrent-drivers] ${signal}: exit ${exit.code} after ${exitMs} ms; ${callsAfter} calls after the signal; ${answered}/${count} answered`);
      expect(exit.signal).toBeNull();
      expect(exitMs).toBeLessThan(3_000);
      expect(callsAfter).toBeLessThanOrEqual(concurrency);
      expect(exit.stderr).toContain(`llm-batch resume ${jobId}`);
      counts.callsAfterSignal += callsAfter;
      counts.slowestSignalExitMs = Math.max(counts.slowestSignalExitMs, exitMs);

      // What ended is journaled, the calls in flight are not: resume runs exactly the rest.
      const journaled = await readJournal(store, jobId);
      expect(duplicateIds(journaled)).toEqual([]);
      expect(journaled.filter((result) => result.status !== 'succeeded')).toEqual([]);
      const resume = await runCli(['resume', jobId, '--concurrency', String(concurrency), '-q'], store, baseURL);
      expect(resume.code).toBe(0);
      await expectEveryItemOnceSucceeded(store, jobId, count);
      const paid = paidCalls(server, prefix);
      expect(paid.size).toBe(count);
      const extra = paidTwice(paid);
      console.log(`[concurrent-drivers] ${signal}: ${journaled.length} journaled before the signal; resume ran the rest; ${extra} prompts paid twice`);
      expect(extra).toBeLessThanOrEqual(concurrency);
      counts.itemsPaidTwice += extra;
      // Checked last, so that the rest is measured whatever the code: 130 for SIGINT (128 + 2), 143
      // for SIGTERM (128 + 15), as shells expect.
      expect(exit.code, `exit code; stderr: ${exit.stderr.slice(-600)}`).toBe(signal === 'SIGINT' ? 130 : 143);
    });
  }

  it('a signal that lands while the wait is polling the run ends as an interruption (130), not as a usage error', async () => {
    const server = await startEmulator({ latency: { 'chat.completions': { p50: 70, p99: 100 }, default: 0 } });
    const baseURL = `${server.url}/v1`;
    const codes: (number | null)[] = [];
    const misreported: string[] = [];
    for (let round = 0; round < 6; round++) {
      const prefix = `pollsignal${round}`;
      const { store, file } = await prepareJob(`poll-signal-${round}`, 400, prefix);
      // A poll every millisecond keeps the wait inside a status call most of the time: that is where the signal lands.
      const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency), '--poll-interval', '1ms'], store, baseURL);
      await whileRunning(run, () => paidCalls(server, prefix).size >= 30, 'the run under way');
      const jobId = await onlyJobId(store);
      run.child.kill('SIGINT');
      const exit = await ended(run, 'run', 30_000);
      codes.push(exit.code);
      // An interruption says what stopped and how to go on; a usage error would add "--help" for usage.
      const reported = exit.code === 130 && exit.stderr.includes(`llm-batch: stopped ${jobId}:`) && exit.stderr.includes(`llm-batch resume ${jobId}`) && !exit.stderr.includes('--help');
      if (!reported) misreported.push(`exit ${exit.code}: ${exit.stderr.split('\n').filter((line) => line.startsWith('llm-batch')).join(' ')}`);
    }
    console.log(`[concurrent-drivers] SIGINT while polling: exit codes ${codes.join(', ')}${misreported.length > 0 ? `; e.g. ${misreported[0]}` : ''}`);
    counts.signalsMisreported = misreported.length;
    expect(codes.filter((code) => code !== 130)).toEqual([]);
    expect(misreported).toEqual([]);
  });
});

/** A server that accepts connections and requests but never answers the ones `hangs` picks; the rest go to `target`. */
async function startGateway(hangs: (request: IncomingMessage) => boolean, target?: string): Promise<{ url: string; hung: () => number; firstHungAt: () => number; close(): Promise<void> }> {
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let hung = 0;
  let firstHungAt = 0;
  const server: Server = createServer((incoming, response) => {
    if (hangs(incoming) || target === undefined) {
      hung++;
      firstHungAt ||= Date.now();
      held.add(response);
      incoming.resume();
      return;
    }
    const upstream = new URL(incoming.url ?? '/', target);
    const outgoing = forward(upstream, { method: incoming.method, headers: { ...incoming.headers, host: upstream.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outgoing.on('error', () => response.destroy());
    incoming.pipe(outgoing);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const gateway = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hung: () => hung,
    firstHungAt: () => firstHungAt,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(gateway);
  return gateway;
}

describe('deadlines against servers that never answer', () => {
  it('run --mode emulated --timeout 2s against a server that hangs every call: the process exits, it does not hang', async () => {
    const gateway = await startGateway(() => true);
    const { store, file } = await prepareJob('hanging-run', 40, 'hangingrun');
    const run = startCli(['run', file, '--mode', 'emulated', '--concurrency', String(concurrency), '--timeout', '2s'], store, `${gateway.url}/v1`);
    const exit = await ended(run, 'run --timeout 2s', 30_000);
    const sinceFirstCall = exit.endedAt - gateway.firstHungAt();
    console.log(
      `[concurrent-drivers] hanging server, run --timeout 2s: exit ${exit.code} ${exit.endedAt - run.startedAt} ms after start, ` +
        `${sinceFirstCall} ms after the first call (${gateway.hung()} calls hung)`,
    );
    expect([2, 3]).toContain(exit.code);
    expect(gateway.hung()).toBeGreaterThan(0);
    expect(sinceFirstCall).toBeLessThan(2_000 + 1_500);
    expect(exit.stderr).toContain('after 2s');
  });

  it('wait --timeout 2s of a native job whose status call hangs: returns in about 2 s with the timeout message', async () => {
    const server = await startEmulator({ batch: { validatingMs: 100, processingMs: 60_000 } });
    const gateway = await startGateway((incoming) => incoming.method === 'GET' && /^\/v1\/batches\/[^/]+$/.test(incoming.url ?? ''), server.url);
    const { store, file } = await prepareJob('hanging-status', 20, 'hangingstatus');
    const baseURL = `${gateway.url}/v1`;
    const submitted = await runCli(['submit', file, '--json', '-q'], store, baseURL);
    expect(submitted.code).toBe(0);
    const jobId = (JSON.parse(submitted.stdout) as BatchJob).id;

    const wait = startCli(['wait', jobId, '--timeout', '2s'], store, baseURL);
    const exit = await ended(wait, 'wait --timeout 2s', 30_000);
    const elapsed = exit.endedAt - wait.startedAt;
    const sinceStatusCall = exit.endedAt - gateway.firstHungAt();
    console.log(`[concurrent-drivers] hanging status call, wait --timeout 2s: exit ${exit.code} after ${elapsed} ms (${sinceStatusCall} ms after the status call)`);
    expect(gateway.hung()).toBeGreaterThan(0);
    expect(exit.code).toBe(3);
    expect(exit.stderr).toContain(`stopped waiting for ${jobId} after 2s`);
    expect(sinceStatusCall).toBeLessThan(3_000);
    expect(elapsed).toBeLessThan(5_000);
  });
});
