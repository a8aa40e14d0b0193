/**
 * `npm run bench`: every benchmark in one run, against the local provider emulator in a separate
 * process. Writes bench/results/latest.json and regenerates docs/benchmarks.md and its chart.
 *
 * Run from the repository root: npm run bench
 * Options: --only clean,rpm (scenario keys) --skip-docs
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-control.js';
import { renderReport } from './render-report.js';
import { runScenario, type ContenderRun, type Scenario } from './run-scenarios.js';

const benchDirectory = fileURLToPath(new URL('.', import.meta.url));

const latencyMs = 100;
const concurrency = 64;

/** Scaled so the whole run stays within about 15 minutes on a 2-core machine; see docs/benchmarks.md. */
export const scenarios: Scenario[] = [
  {
    key: 'clean',
    title: 'Clean',
    description: `No faults, ${latencyMs} ms latency per call.`,
    emulator: { latency: latencyMs },
    total: 10_000,
    concurrency,
    latencyMs,
    timeoutMs: 120_000,
  },
  {
    key: 'faults-429',
    title: 'Injected 429s',
    description: '5% of calls answered 429 with `retry-after: 1` (`retry-after-ms: 1000`), the rest as clean.',
    emulator: { latency: latencyMs, faults: { rates: { '429': 0.05 }, retryAfterMs: 1000 } },
    total: 2_000,
    concurrency,
    latencyMs,
    timeoutMs: 90_000,
    extraContenders: ['llm-batch (adaptive: false)'],
  },
  {
    key: 'faults-5xx',
    title: 'Injected 5xx',
    description: '10% of calls answered 500, 502 or 503 (drawn evenly), the rest as clean.',
    emulator: { latency: latencyMs, faults: { rate: 0.1, kinds: ['500', '502', '503'] } },
    total: 2_000,
    concurrency,
    latencyMs,
    timeoutMs: 90_000,
  },
  {
    key: 'rpm',
    title: 'RPM limit enforced by the emulator',
    description:
      '600 requests per minute (a token bucket that starts full, as a fresh minute does), 429 with the real headers above it. ' +
      'Nobody is told the limit: each contender runs with its defaults. Steady goodput is counted from second 10, once the initial bucket is spent.',
    emulator: { latency: latencyMs, rateLimit: { requestsPerMinute: 600 } },
    total: 1_500,
    concurrency,
    latencyMs,
    requestsPerMinute: 600,
    timeoutMs: 150_000,
    parallel: true,
    steadyFromSecond: 10,
  },
  {
    key: 'tpm',
    title: 'TPM limit enforced by the emulator',
    description:
      '300,000 tokens per minute, counted by the emulator as ceil(body bytes / 4) + max tokens; prompts of about 2,000 characters so that ' +
      'the token limit binds (about 550 requests per minute; the exact ceiling per contender follows from the size of the body it sends).',
    emulator: { latency: latencyMs, rateLimit: { tokensPerMinute: 300_000 }, journalBodies: true },
    total: 1_200,
    concurrency,
    latencyMs,
    tokensPerMinute: 300_000,
    promptPadding: 2_000,
    timeoutMs: 150_000,
    parallel: true,
    steadyFromSecond: 10,
  },
  {
    key: 'zero-latency',
    title: 'Zero-latency emulator (client CPU per item)',
    description: 'No latency: the client and the emulator are the only costs, so CPU per item is the number to read.',
    emulator: { latency: 0 },
    total: 5_000,
    concurrency,
    latencyMs: 0,
    timeoutMs: 120_000,
  },
];

/** Runs a bench script in its own process and parses the last JSON object it prints. */
function runScript(script: string, args: string[], nodeOptions: string[], timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', `${benchDirectory}${script}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const start = stdout.indexOf('{');
      try {
        resolve(JSON.parse(stdout.slice(start)));
      } catch {
        resolve({ error: `${script} exited with ${signal ?? code}; stderr: ${stderr.trim().slice(-1000)}` });
      }
    });
  });
}

function packageVersion(path: string): string {
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function versions(): Record<string, string> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result: Record<string, string> = { 'llm-batch': packageVersion(`${root}package.json`), 'openai (used by llm-batch)': packageVersion(`${root}node_modules/openai/package.json`) };
  for (const name of ['openai', 'p-limit', 'p-queue', '@langchain/openai', '@langchain/core', 'ai', '@ai-sdk/openai']) {
    result[name] = packageVersion(`${benchDirectory}node_modules/${name}/package.json`);
  }
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'skip-docs': { type: 'boolean' } } });
  const only = values.only === undefined ? undefined : new Set(values.only.split(','));
  const wanted = (key: string): boolean => only === undefined || only.has(key);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const startedAt = new Date();
  const started = performance.now();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
  log(`llm-batch benchmarks on ${machine.cpus} × ${machine.cpuModel}, Node ${process.version}, load average ${machine.loadAverageAtStart.join(' ')}`);

  const extras: Record<string, unknown> = {};
  const runMemory = async (): Promise<void> => {
    log('Resident memory over 1,000,000 generated requests (emulated adapter, in-process call strategy)');
    extras['memory1m'] = await runScript('emulated-memory.ts', ['1000000', String(concurrency)], [], 900_000);
    log(`  1M requests: ${JSON.stringify(extras['memory1m'])}`);
  };
  const emulators = await startEmulatorProcess();
  const scenarioResults: Record<string, { scenario: Omit<Scenario, 'emulator'> & { emulator: unknown }; runs: ContenderRun[] }> = {};
  try {
    const sequential = scenarios.filter((scenario) => scenario.parallel !== true && wanted(scenario.key));
    const parallel = scenarios.filter((scenario) => scenario.parallel === true && wanted(scenario.key));
    for (const scenario of sequential.filter((candidate) => candidate.key !== 'zero-latency')) {
      scenarioResults[scenario.key] = { scenario, runs: await runScenario(emulators, scenario, log) };
    }
    // The rate-limit scenarios are slow by design but light: run side by side, each contender on its own emulator.
    const parallelRuns = await Promise.all(parallel.map(async (scenario) => ({ scenario, runs: await runScenario(emulators, scenario, log) })));
    for (const result of parallelRuns) scenarioResults[result.scenario.key] = result;
    if (wanted('memory-1m')) await runMemory();
    for (const scenario of sequential.filter((candidate) => candidate.key === 'zero-latency')) {
      scenarioResults[scenario.key] = { scenario, runs: await runScenario(emulators, scenario, log) };
    }
  } finally {
    await emulators.stop();
  }

  if (wanted('jsonl')) {
    log('OpenAI JSONL: build 50,000 requests, read a 200 MB output file, against plain JSON loops');
    extras['jsonl'] = await runScript('openai-jsonl-memory.ts', [], ['--expose-gc'], 600_000);
    log(`  ${JSON.stringify(extras['jsonl'])}`);
  }
  if (wanted('results-order')) {
    log('Input-order results of a 300,000-result job in a file store, against a map of every result by id');
    extras['resultsOrder'] = await runScript('results-order-memory.ts', [], ['--expose-gc'], 600_000);
    log(`  ${JSON.stringify(extras['resultsOrder'])}`);
  }
  if (wanted('token-count')) {
    log('Exact token counting of one request without spaces: 100,000 to 1,000,000 characters, and a 20,000,000-character line past the cap');
    extras['tokenCount'] = await runScript('token-count.ts', [], [], 300_000);
    log(`  ${JSON.stringify(extras['tokenCount'])}`);
  }
  if (wanted('emulator-overhead')) {
    log('Emulator overhead per request');
    extras['emulatorOverhead'] = await runScript('emulator-overhead.ts', ['--requests', '10000', '--concurrency', String(concurrency)], [], 300_000);
    log(`  ${JSON.stringify(extras['emulatorOverhead'])}`);
  }

  const results = {
    date: startedAt.toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    node: process.version,
    versions: versions(),
    scenarios: scenarioResults,
    ...extras,
  };
  // A partial run (--only) goes to the ignored tmp folder: only a full run replaces latest.json.
  const file = only === undefined ? 'latest.json' : 'tmp/partial.json';
  await mkdir(`${benchDirectory}results/tmp`, { recursive: true });
  await writeFile(`${benchDirectory}results/${file}`, `${JSON.stringify(results, null, 2)}\n`);
  log(`Wrote bench/results/${file} in ${results.durationSeconds} s`);
  if (only === undefined && values['skip-docs'] !== true) {
    await renderReport();
    log('Wrote docs/benchmarks.md and docs/benchmarks-throughput.svg');
  }
}

await main();
