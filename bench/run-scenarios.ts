/**
 * The contender scenarios: each contender runs in its own process against its own fresh emulator
 * (same options), and the numbers are put together from what the contender measured (latency, CPU,
 * memory) and what the emulator saw (calls, 429s, peak in-flight).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MockProviderServerOptions } from '../src/testing/mock-server/index.js';
import type { EmulatorProcess } from './emulator-control.js';
import type { ContenderConfig, ContenderReport } from './run-contender.js';

export const contenderNames = ['llm-batch', 'openai + p-limit', 'openai + p-queue', 'LangChain batch()', 'AI SDK generateText + p-limit'] as const;

export interface Scenario {
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly emulator: MockProviderServerOptions;
  readonly total: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  /** Requests per minute the emulator allows (from an RPM limit, or derived from a TPM limit). */
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly promptPadding?: number;
  /** A contender still running after this long is stopped and reported as unfinished. */
  readonly timeoutMs: number;
  /** Run every contender at once (each against its own emulator): for the rate-limit scenarios, which are slow by design but light. */
  readonly parallel?: boolean;
  /** Contenders run in this scenario only (variants of llm-batch's settings), after the usual ones. */
  readonly extraContenders?: readonly string[];
  /** Run exactly these contenders instead of the usual ones (bench/scattered-faults.ts). */
  readonly contenders?: readonly string[];
  /** Start of the steady-state window for goodput, in seconds after the start (after the emulator's initial full bucket is spent). */
  readonly steadyFromSecond?: number;
}

export interface ContenderRun {
  readonly contender: string;
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Items with no final outcome when the run was stopped at its time limit. */
  readonly unfinished: number;
  readonly timedOut: boolean;
  readonly error?: string;
  readonly elapsedSeconds: number;
  /** Successful items per second over the whole run. */
  readonly goodputPerSecond: number;
  /**
   * The ceiling in items per second: min(concurrency / latency, rate limit); with a rate limit, the
   * total over the ideal time (the emulator's initial full bucket spent at once, then the limit).
   */
  readonly ceilingPerSecond: number;
  readonly ratioToCeiling: number;
  /** Successful items per minute inside the steady window (rate-limit scenarios), once the emulator's initial full bucket is spent. */
  readonly steadyGoodputPerMinute?: number;
  readonly steadyRatioToLimit?: number;
  readonly steadyFromSecond?: number;
  /** The rate limit in requests per minute (for TPM: the token limit over this contender's tokens per request). */
  readonly limitPerMinute?: number;
  /** Successful items in each second of the run. */
  readonly successesPerSecond: readonly number[];
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  /** The second (since the contender started) in which its first item succeeded: time spent before the first call returns. */
  readonly firstSuccessSecond?: number;
  readonly peakInFlight: number;
  readonly calls: number;
  readonly callsPerItem: number;
  readonly answered429: number;
  readonly share429: number;
  readonly cpuMicrosecondsPerItem: number;
  /** The contender process's CPU per call the emulator answered (retries included): load-insensitive, unlike wall-clock throughput. */
  readonly cpuMicrosecondsPerCall: number;
  readonly peakRssMegabytes: number;
  /** CPU the emulator process used per wall second of this run (1 = one full core). */
  readonly emulatorCpuCores?: number;
  readonly requestBodyBytes?: number;
}

const contenderScript = fileURLToPath(new URL('./run-contender.ts', import.meta.url));

/** Spawns one contender; resolves with its last report (the partial one if it had to be stopped). */
function runContenderProcess(config: ContenderConfig, timeoutMs: number): Promise<{ report: ContenderReport | undefined; timedOut: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', contenderScript, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let report: ContenderReport | undefined;
    let timedOut = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep only the tail: a peer that logs every retry must not fill memory.
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        report = JSON.parse(line) as ContenderReport;
      } catch {
        // Not ours (a library printing to stdout): ignored.
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ report, timedOut, stderr });
    });
  });
}

function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Goodput once the emulator's initial burst is spent: from the first second at which the successes
 * so far reach the burst plus the refill since the start (less a slack of the calls in flight and
 * three seconds of refill, since a client hammering an empty bucket hovers just below it), or from
 * `steadyFromSecond` for a client that never used the burst.
 */
export function steadyGoodput(
  successesPerSecond: readonly number[],
  options: { burst: number; limitPerSecond: number; concurrency: number; steadyFromSecond: number; elapsedSeconds: number },
): { perMinute: number; ratio: number; fromSecond: number } | undefined {
  const slack = options.concurrency + 3 * options.limitPerSecond;
  let cumulative = 0;
  let fromSecond = options.steadyFromSecond;
  for (let second = 0; second < successesPerSecond.length; second += 1) {
    cumulative += successesPerSecond[second] ?? 0;
    if (cumulative >= options.burst + options.limitPerSecond * (second + 1) - slack) {
      fromSecond = Math.max(options.steadyFromSecond, second + 1);
      break;
    }
  }
  // Whole seconds only: the last, partial second would understate the rate.
  const seconds = successesPerSecond.slice(fromSecond, Math.floor(options.elapsedSeconds));
  if (seconds.length < 5) return undefined;
  const perMinute = (seconds.reduce((sum, value) => sum + value, 0) / seconds.length) * 60;
  return { perMinute: round(perMinute, 1), ratio: round(perMinute / 60 / options.limitPerSecond), fromSecond };
}

export function ceilingPerSecond(scenario: Scenario, tokensPerRequest?: number): number {
  const byConcurrency = scenario.latencyMs > 0 ? scenario.concurrency / (scenario.latencyMs / 1000) : Infinity;
  let byLimit = scenario.requestsPerMinute !== undefined ? scenario.requestsPerMinute / 60 : Infinity;
  if (scenario.tokensPerMinute !== undefined && tokensPerRequest !== undefined) byLimit = Math.min(byLimit, scenario.tokensPerMinute / tokensPerRequest / 60);
  return Math.min(byConcurrency, byLimit);
}

async function runOne(emulators: EmulatorProcess, scenario: Scenario, contender: string, log: (line: string) => void): Promise<ContenderRun> {
  const emulator = await emulators.start({ journalLimit: scenario.total * 3, ...scenario.emulator });
  const emulatorCpuBefore = await emulators.cpuMicroseconds();
  const { report, timedOut, stderr } = await runContenderProcess(
    {
      contender,
      baseURL: `${emulator.url}/v1`,
      total: scenario.total,
      concurrency: scenario.concurrency,
      ...(scenario.promptPadding === undefined ? {} : { promptPadding: scenario.promptPadding }),
    },
    scenario.timeoutMs,
  );
  const emulatorCpuAfter = await emulators.cpuMicroseconds();
  const stats = await emulator.stats();
  await emulator.close();
  if (report === undefined) throw new Error(`${contender} in ${scenario.key} reported nothing. stderr: ${stderr}`);
  const calls = stats.stats.byEndpoint['chat.completions'] ?? 0;
  const answered429 = stats.stats.byStatus['429'] ?? 0;
  const elapsedSeconds = timedOut ? scenario.timeoutMs / 1000 : report.elapsedMs / 1000;
  const tokensPerRequest = stats.requestBodyBytes === undefined ? undefined : Math.ceil(stats.requestBodyBytes / 4) + 16;
  const limitPerSecond = ceilingPerSecond(scenario, tokensPerRequest);
  const goodput = report.succeeded / elapsedSeconds;
  let ceiling = limitPerSecond;
  let steady: { perMinute: number; ratio: number; fromSecond: number } | undefined;
  if (scenario.steadyFromSecond !== undefined && report.successesPerSecond !== undefined) {
    // The emulator's bucket starts full (a minute's worth), so the best possible run spends that
    // burst at once and then goes at the limit: the ceiling is the total over that ideal time.
    const burst = limitPerSecond * 60;
    const byConcurrency = scenario.concurrency / (scenario.latencyMs / 1000);
    const idealSeconds = Math.max(scenario.total / byConcurrency, (scenario.total - burst) / limitPerSecond);
    ceiling = scenario.total / idealSeconds;
    steady = steadyGoodput(report.successesPerSecond, {
      burst,
      limitPerSecond,
      concurrency: scenario.concurrency,
      steadyFromSecond: scenario.steadyFromSecond,
      elapsedSeconds,
    });
  }
  const firstSuccessSecond = report.successesPerSecond?.findIndex((count) => count > 0);
  const run: ContenderRun = {
    contender,
    total: scenario.total,
    done: report.done,
    succeeded: report.succeeded,
    failed: report.failed,
    unfinished: scenario.total - report.done,
    timedOut,
    ...(report.error === undefined ? {} : { error: report.error }),
    elapsedSeconds: round(elapsedSeconds, 2),
    goodputPerSecond: round(goodput, 1),
    ceilingPerSecond: round(ceiling, 1),
    ratioToCeiling: Number.isFinite(ceiling) ? round(goodput / ceiling) : Number.NaN,
    ...(steady === undefined ? {} : { steadyGoodputPerMinute: steady.perMinute, steadyRatioToLimit: steady.ratio, steadyFromSecond: steady.fromSecond }),
    ...(scenario.steadyFromSecond === undefined ? {} : { limitPerMinute: round(limitPerSecond * 60, 1) }),
    latencyP50Ms: round(report.latencyP50Ms ?? Number.NaN, 1),
    latencyP95Ms: round(report.latencyP95Ms ?? Number.NaN, 1),
    ...(firstSuccessSecond === -1 || firstSuccessSecond === undefined ? {} : { firstSuccessSecond }),
    peakInFlight: stats.peakInFlight,
    calls,
    callsPerItem: round(calls / Math.max(1, report.done)),
    answered429,
    share429: round(answered429 / Math.max(1, stats.stats.requests), 4),
    cpuMicrosecondsPerItem: Math.round(report.cpuMicroseconds / Math.max(1, report.done)),
    cpuMicrosecondsPerCall: Math.round(report.cpuMicroseconds / Math.max(1, calls)),
    peakRssMegabytes: round(report.peakRssBytes / 1024 / 1024, 1),
    ...(scenario.parallel === true ? {} : { emulatorCpuCores: round((emulatorCpuAfter - emulatorCpuBefore) / 1e6 / elapsedSeconds, 2) }),
    ...(stats.requestBodyBytes === undefined ? {} : { requestBodyBytes: stats.requestBodyBytes }),
    successesPerSecond: report.successesPerSecond ?? [],
  };
  log(
    `  ${contender.padEnd(30)} ${run.succeeded}/${run.total} ok in ${run.elapsedSeconds}s${timedOut ? ' (stopped at the time limit)' : ''}, ` +
      `${run.goodputPerSecond}/s = ${(run.ratioToCeiling * 100).toFixed(1)}% of ceiling, p50 ${run.latencyP50Ms} ms, p95 ${run.latencyP95Ms} ms, ` +
      `peak in-flight ${run.peakInFlight}, calls/item ${run.callsPerItem}, 429 share ${(run.share429 * 100).toFixed(2)}%, ` +
      `${run.cpuMicrosecondsPerItem} µs CPU/item, ${run.cpuMicrosecondsPerCall} µs CPU/call, RSS ${run.peakRssMegabytes} MB` +
      (steady ? `, steady ${steady.perMinute}/min from second ${steady.fromSecond} = ${(steady.ratio * 100).toFixed(1)}% of the limit` : '') +
      (run.error ? `, error: ${run.error}` : ''),
  );
  return run;
}

export async function runScenario(emulators: EmulatorProcess, scenario: Scenario, log: (line: string) => void): Promise<ContenderRun[]> {
  log(`${scenario.title}: ${scenario.total} requests, concurrency ${scenario.concurrency}${scenario.parallel ? ' (contenders side by side, each on its own emulator)' : ''}`);
  const names = scenario.contenders ?? [...contenderNames, ...(scenario.extraContenders ?? [])];
  if (scenario.parallel === true) {
    return Promise.all(names.map((contender) => runOne(emulators, scenario, contender, log)));
  }
  const runs: ContenderRun[] = [];
  for (const contender of names) runs.push(await runOne(emulators, scenario, contender, log));
  return runs;
}
