/**
 * Runs one contender against one emulator in a process of its own, so that its CPU time and peak
 * resident memory are its own. The parent passes a JSON config as the only argument; this prints
 * JSON lines: `progress` once a second, then one `result`.
 *
 * Run by bench/run.ts; by hand: node --import tsx bench/run-contender.ts '{"contender":"llm-batch",...}'
 */
import { aiSdkGenerateText } from './contenders/ai-sdk-generate-text.js';
import type { Contender, ItemOutcome } from './contenders/contender.js';
import { langchainBatch } from './contenders/langchain-batch.js';
import { llmBatch, llmBatchBaseline, llmBatchNotAdaptive } from './contenders/llm-batch.js';
import { openaiPLimit } from './contenders/openai-p-limit.js';
import { openaiPQueue } from './contenders/openai-p-queue.js';

export const contenders: Record<string, Contender> = {
  'llm-batch': llmBatch,
  'llm-batch (adaptive: false)': llmBatchNotAdaptive,
  'llm-batch (baseline)': llmBatchBaseline,
  'openai + p-limit': openaiPLimit,
  'openai + p-queue': openaiPQueue,
  'LangChain batch()': langchainBatch,
  'AI SDK generateText + p-limit': aiSdkGenerateText,
};

export interface ContenderConfig {
  readonly contender: string;
  readonly baseURL: string;
  readonly total: number;
  readonly concurrency: number;
  /** Characters of filler put in front of every prompt (the TPM scenario uses long prompts). @default 0 */
  readonly promptPadding?: number;
}

export interface ContenderReport {
  readonly type: 'result' | 'progress';
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly cpuMicroseconds: number;
  readonly peakRssBytes: number;
  /** Item latencies are summarised here, not shipped. */
  readonly latencyP50Ms?: number;
  readonly latencyP95Ms?: number;
  /** Completion times (ms since start) of successes, in buckets of one second, for goodput windows. */
  readonly successesPerSecond?: number[];
  readonly error?: string;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ContenderConfig;
  const contender = contenders[config.contender];
  if (contender === undefined) throw new Error(`unknown contender ${config.contender}`);
  const latencies = new Float64Array(config.total);
  const successesPerSecond: number[] = [];
  let done = 0;
  let succeeded = 0;
  let started = 0;
  const padding = 'Context: bounded concurrency keeps a batch within its rate limits. '.repeat(Math.ceil((config.promptPadding ?? 0) / 67)).slice(0, config.promptPadding ?? 0);
  const cpuStart = process.cpuUsage();
  const snapshot = (type: 'result' | 'progress'): ContenderReport => {
    const cpu = process.cpuUsage(cpuStart);
    const measured = latencies.subarray(0, Math.min(done, latencies.length)).filter((value) => Number.isFinite(value)).sort();
    return {
      latencyP50Ms: percentile(measured, 0.5),
      latencyP95Ms: percentile(measured, 0.95),
      successesPerSecond: Array.from(successesPerSecond, (value) => value ?? 0),
      type,
      done,
      succeeded,
      failed: done - succeeded,
      elapsedMs: performance.now() - started,
      cpuMicroseconds: cpu.user + cpu.system,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  };
  const record = (outcome: ItemOutcome): void => {
    if (done < latencies.length) latencies[done] = outcome.latencyMs;
    done += 1;
    if (outcome.ok) {
      succeeded += 1;
      const second = Math.floor((performance.now() - started) / 1000);
      successesPerSecond[second] = (successesPerSecond[second] ?? 0) + 1;
    }
  };
  const progress = setInterval(() => process.stdout.write(`${JSON.stringify(snapshot('progress'))}\n`), 1000);
  progress.unref();
  started = performance.now();
  let error: string | undefined;
  try {
    await contender({
      baseURL: config.baseURL,
      apiKey: 'sk-bench',
      model: 'gpt-4o-mini',
      total: config.total,
      concurrency: config.concurrency,
      maxTokens: 16,
      prompt: (index) => `${padding}Item ${index}: in one sentence, why does bounded concurrency matter?`,
      record,
    });
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  const result = snapshot('result');
  clearInterval(progress);
  const report: ContenderReport = { ...result, ...(error === undefined ? {} : { error }) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Keep-alive sockets and SDK timers must not hold the process open.
  process.exit(0);
}

await main();
