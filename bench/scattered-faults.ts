/**
 * Scattered faults, answered at once or after the latency: llm-batch (the current build),
 * the same contender from a baseline build, and `openai` + p-limit, at 1,000, 2,000 and 10,000
 * requests, with 5% 429s (`retry-after: 1`, no `x-ratelimit-*` headers) and with 10% 5xx, in the
 * emulator's `faults.timing` modes `at-once` and `after-latency`; then the RPM and TPM scenarios for
 * the two llm-batch builds side by side (a fix for scattered 429s must not bring 429s under a real
 * limit). Each contender runs in its own process against its own fresh emulator.
 *
 * Run from the repository root (after `npm run build`; the baseline is any other build's dist folder):
 *   LLM_BATCH_BASELINE_DIST=/abs/path/to/old/dist node --import tsx bench/scattered-faults.ts \
 *     [--sizes 1000,2000,10000] [--modes at-once,after-latency] [--faults 429,5xx] [--repeat 1] [--rate-limits] [--out file.json]
 * Without LLM_BATCH_BASELINE_DIST the baseline contender is left out.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-control.js';
import { runScenario, type ContenderRun, type Scenario } from './run-scenarios.js';

const latencyMs = 100;
const concurrency = 64;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,2000,10000' },
    modes: { type: 'string', default: 'at-once,after-latency' },
    faults: { type: 'string', default: '429,5xx' },
    repeat: { type: 'string', default: '1' },
    'rate-limits': { type: 'boolean', default: false },
    'no-faults': { type: 'boolean', default: false },
    contenders: { type: 'string' },
    out: { type: 'string' },
  },
});

const withBaseline = process.env['LLM_BATCH_BASELINE_DIST'] !== undefined;
const contenders = values.contenders?.split(',') ?? ['llm-batch', ...(withBaseline ? ['llm-batch (baseline)'] : []), 'openai + p-limit'];
const llmBatchBuilds = ['llm-batch', ...(withBaseline ? ['llm-batch (baseline)'] : [])];

function faultScenario(kind: string, mode: 'at-once' | 'after-latency', total: number): Scenario {
  const faults = kind === '429' ? { rates: { '429': 0.05 }, retryAfterMs: 1000, timing: mode } : { rate: 0.1, kinds: ['500' as const, '502' as const, '503' as const], timing: mode };
  return {
    key: `${kind}-${mode}-${total}`,
    title: `${kind === '429' ? '5% 429' : '10% 5xx'} ${mode}, ${total} requests`,
    description: '',
    emulator: { latency: latencyMs, faults },
    total,
    concurrency,
    latencyMs,
    timeoutMs: 180_000,
    contenders,
  };
}

const rateLimitScenarios: Scenario[] = [
  {
    key: 'rpm',
    title: 'RPM limit (600/min)',
    description: '',
    emulator: { latency: latencyMs, rateLimit: { requestsPerMinute: 600 } },
    total: 1_500,
    concurrency,
    latencyMs,
    requestsPerMinute: 600,
    timeoutMs: 150_000,
    parallel: true,
    steadyFromSecond: 10,
    contenders: llmBatchBuilds,
  },
  {
    key: 'tpm',
    title: 'TPM limit (300,000/min)',
    description: '',
    emulator: { latency: latencyMs, rateLimit: { tokensPerMinute: 300_000 }, journalBodies: true },
    total: 1_200,
    concurrency,
    latencyMs,
    tokensPerMinute: 300_000,
    promptPadding: 2_000,
    timeoutMs: 150_000,
    parallel: true,
    steadyFromSecond: 10,
    contenders: llmBatchBuilds,
  },
];

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const results: { scenario: string; repeat: number; runs: ContenderRun[] }[] = [];
const loadAtStart = loadavg();
const emulators = await startEmulatorProcess();
try {
  for (let repeat = 0; repeat < Number(values.repeat); repeat += 1) {
    if (values['no-faults'] !== true) {
      for (const mode of values.modes.split(',') as ('at-once' | 'after-latency')[]) {
        for (const kind of values.faults.split(',')) {
          for (const total of values.sizes.split(',').map(Number)) {
            const scenario = faultScenario(kind, mode, total);
            results.push({ scenario: scenario.key, repeat, runs: await runScenario(emulators, scenario, log) });
          }
        }
      }
    }
    if (values['rate-limits'] === true) {
      const runs = await Promise.all(rateLimitScenarios.map(async (scenario) => ({ scenario: scenario.key, repeat, runs: await runScenario(emulators, scenario, log) })));
      results.push(...runs);
    }
  }
} finally {
  await emulators.stop();
}

// One line per scenario: % of ceiling (or steady % of the limit), calls per item and 429 share of each contender.
for (const { scenario, repeat, runs } of results) {
  const cells = runs.map((run) => {
    const share = run.steadyRatioToLimit === undefined ? `${(run.ratioToCeiling * 100).toFixed(1)}%` : `${(run.ratioToCeiling * 100).toFixed(1)}% (steady ${(run.steadyRatioToLimit * 100).toFixed(1)}%)`;
    return `${run.contender}: ${share}, ${run.callsPerItem} calls/item, ${run.cpuMicrosecondsPerCall} µs CPU/call, ${(run.share429 * 100).toFixed(2)}% 429, ${run.failed} failed, ${run.elapsedSeconds}s`;
  });
  log(`${scenario} #${repeat}: ${cells.join(' | ')}`);
}
const output = { date: new Date().toISOString(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg(), results };
if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify(output, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(output)}\n`);
