/**
 * Writes docs/benchmarks.md and docs/benchmarks-throughput.svg from bench/results/latest.json.
 * The measured numbers all come from the JSON; the explanations of why a number is what it is come
 * from bench/analysis.md, written by hand after reading a run.
 *
 * Run alone (to regenerate the docs without running the benchmarks): node --import tsx bench/render-report.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderBarChart } from './render-bar-chart.js';
import type { ContenderRun } from './run-scenarios.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface ScenarioResult {
  readonly scenario: {
    readonly key: string;
    readonly title: string;
    readonly description: string;
    readonly total: number;
    readonly concurrency: number;
    readonly latencyMs: number;
    readonly requestsPerMinute?: number;
    readonly tokensPerMinute?: number;
    readonly timeoutMs: number;
    readonly parallel?: boolean;
    readonly steadyFromSecond?: number;
  };
  readonly runs: readonly ContenderRun[];
}

/** One read of bench/results-order-memory.ts. */
interface ResultsOrderRead {
  readonly results: number;
  readonly seconds: number;
  readonly peakHeapGrowthMb: number;
  readonly peakHeldHeapGrowthMb: number;
  readonly peakArrayBuffersGrowthMb: number;
}

interface ResultsOrderResult {
  readonly results?: number;
  readonly parts?: number;
  readonly journalMb?: number;
  readonly ours?: ResultsOrderRead;
  readonly baseline?: ResultsOrderRead;
  readonly limitMb?: number;
  readonly pass?: boolean;
  readonly error?: string;
}

/** One count of bench/token-count.ts. */
interface TokenCountMeasurement {
  readonly text: string;
  readonly characters: number;
  readonly seconds: number;
  readonly tokens: number;
  readonly exact?: boolean;
  readonly reason?: string;
}

interface TokenCountResult {
  readonly date?: string;
  readonly loadAverageAtStart?: number[];
  readonly counts?: TokenCountMeasurement[];
  readonly cap?: TokenCountMeasurement;
  readonly whole?: TokenCountMeasurement[];
  readonly targetCharacters?: number;
  readonly targetSeconds?: number;
  readonly pass?: boolean;
  readonly error?: string;
}

interface Results {
  readonly date: string;
  readonly durationSeconds: number;
  readonly machine: { cpus: number; cpuModel: string; memoryGb: number; platform: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  readonly node: string;
  readonly versions: Record<string, string>;
  readonly scenarios: Record<string, ScenarioResult>;
  readonly memory1m?: { requests: number; concurrency: number; peakRssMb: number; elapsedMs: number; cpuMicrosecondsPerItem: number; itemsPerSecond: number; limitMb: number; pass: boolean; error?: string };
  readonly jsonl?: Record<string, Record<string, number> | number | boolean | string> & { error?: string };
  readonly resultsOrder?: ResultsOrderResult;
  readonly tokenCount?: TokenCountResult;
  readonly emulatorOverhead?: { results?: { endpoint: string; requests: number; concurrency: number; failures: number; requestsPerSecond: number; serverCpuMicrosecondsPerRequest: number; serverRssMegabytes: number }[]; error?: string };
}

const us = 'llm-batch';

function percent(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${(value * 100).toFixed(digits)}%`;
}

function number(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function scenarioTable(result: ScenarioResult): string {
  const rateLimited = result.scenario.steadyFromSecond !== undefined;
  const header = [
    'contender',
    'succeeded',
    'final failures',
    'unfinished',
    'time (s)',
    'goodput (items/s)',
    '% of ceiling',
    ...(rateLimited ? ['limit (requests/min)', 'steady goodput (/min)', 'steady % of limit'] : []),
    'p50 item latency (ms)',
    'p95 item latency (ms)',
    'first success in second',
    'peak in-flight',
    'calls per item',
    'calls answered 429',
    'CPU per item (µs)',
    'peak RSS (MB)',
  ];
  const rows = result.runs.map((run) => [
    run.contender.startsWith(us) ? `**${run.contender}**` : run.contender,
    `${number(run.succeeded)} / ${number(run.total)}`,
    number(run.failed),
    run.unfinished > 0 ? `${number(run.unfinished)} (stopped at ${result.scenario.timeoutMs / 1000} s)` : '0',
    number(run.elapsedSeconds, 1),
    number(run.goodputPerSecond, 1),
    percent(run.ratioToCeiling),
    ...(rateLimited ? [number(run.limitPerMinute, 0), run.steadyFromSecond === undefined ? 'n/a' : `${number(run.steadyGoodputPerMinute, 0)} (from s ${run.steadyFromSecond})`, percent(run.steadyRatioToLimit)] : []),
    number(run.latencyP50Ms, 0),
    number(run.latencyP95Ms, 0),
    run.firstSuccessSecond === undefined ? 'n/a' : String(run.firstSuccessSecond),
    number(run.peakInFlight),
    number(run.callsPerItem, 2),
    percent(run.share429, 2),
    number(run.cpuMicrosecondsPerItem),
    number(run.peakRssMegabytes, 0),
  ]);
  return [`| ${header.join(' | ')} |`, `|${header.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** Where a peer did better than us on a number that matters, stated plainly. */
function behind(results: Results): string[] {
  const lines: string[] = [];
  for (const result of Object.values(results.scenarios)) {
    const ours = result.runs.find((run) => run.contender === us);
    if (ours === undefined) continue;
    for (const peer of result.runs) {
      if (peer.contender.startsWith(us)) continue;
      const title = result.scenario.title;
      const ourRate = ours.steadyGoodputPerMinute ?? ours.goodputPerSecond * 60;
      const peerRate = peer.steadyGoodputPerMinute ?? peer.goodputPerSecond * 60;
      // Steady goodput against steady goodput only: a peer that never reached a steady state (it
      // lost items and ended before its burst was spent) has no rate comparable with ours.
      const comparable = (ours.steadyGoodputPerMinute === undefined) === (peer.steadyGoodputPerMinute === undefined);
      if (comparable && peerRate > ourRate * 1.03) {
        lines.push(`${title}: **${peer.contender}** had ${number((peerRate / ourRate - 1) * 100)}% more ${ours.steadyGoodputPerMinute === undefined ? 'goodput' : 'steady goodput'} (${number(peerRate / 60, 1)} vs ${number(ourRate / 60, 1)} items/s)${peer.failed > ours.failed ? `, with ${number(peer.failed)} final failures against our ${number(ours.failed)}` : ''}.`);
      }
      if (peer.latencyP95Ms < ours.latencyP95Ms * 0.9 && peer.failed <= ours.failed) {
        lines.push(`${title}: **${peer.contender}** had a lower p95 item latency (${number(peer.latencyP95Ms)} ms vs ${number(ours.latencyP95Ms)} ms).`);
      }
      if (peer.cpuMicrosecondsPerItem < ours.cpuMicrosecondsPerItem * 0.9) {
        lines.push(`${title}: **${peer.contender}** used less CPU per item (${number(peer.cpuMicrosecondsPerItem)} µs vs ${number(ours.cpuMicrosecondsPerItem)} µs).`);
      }
      if (peer.peakRssMegabytes < ours.peakRssMegabytes * 0.9) {
        lines.push(`${title}: **${peer.contender}** peaked at less memory (${number(peer.peakRssMegabytes)} MB vs ${number(ours.peakRssMegabytes)} MB).`);
      }
    }
  }
  return lines;
}

function chart(results: Results): string {
  const order = ['clean', 'faults-429', 'faults-5xx', 'rpm', 'tpm'];
  const groups = order
    .map((key) => results.scenarios[key])
    .filter((result): result is ScenarioResult => result !== undefined)
    .map((result) => ({
      label: result.scenario.title.replace(' enforced by the emulator', ''),
      bars: result.runs.map((run) => ({
        series: run.contender,
        value: (result.scenario.steadyFromSecond !== undefined ? (run.steadyRatioToLimit ?? run.ratioToCeiling) : run.ratioToCeiling) * 100,
        ...(run.failed > 0 || run.unfinished > 0 ? { note: `(${number(run.failed + run.unfinished)} not ok)` } : {}),
      })),
    }));
  return renderBarChart({
    title: 'Goodput as a share of the theoretical ceiling (higher is better)',
    subtitle: `min(concurrency / latency, rate limit); rate-limit scenarios: steady state. ${results.machine.cpus} cores, Node ${results.node}, ${results.date.slice(0, 10)}`,
    groups,
    max: 110,
    format: (value) => `${value.toFixed(1)}%`,
    reference: { value: 100, label: 'ceiling' },
  });
}

function jsonlSection(results: Results): string[] {
  const jsonl = results.jsonl as Record<string, Record<string, number>> & { error?: string; limitMb?: number; pass?: boolean } | undefined;
  if (jsonl === undefined) return [];
  if (typeof jsonl.error === 'string') return ['## OpenAI JSONL build and results parse', '', `Not measured in this run: ${jsonl.error}`, ''];
  const row = (label: string, entry: Record<string, number> | undefined, size: string): string =>
    entry === undefined
      ? `| ${label} | n/a | n/a | n/a | n/a | n/a |`
      : `| ${label} | ${size} | ${entry['seconds'] === undefined ? 'n/a' : number(entry['seconds'], 1)} | ${entry['megabytesPerSecond'] === undefined ? 'n/a' : number(entry['megabytesPerSecond'], 1)} | ${number(entry['peakGrowthMb'], 1)} | ${number(entry['peakArrayBuffersGrowthMb'], 1)} |`;
  const build = jsonl['buildJsonl'];
  const buildBaseline = jsonl['buildJsonlBaseline'];
  const read = jsonl['readOutput'];
  const readBaseline = jsonl['readOutputBaseline'];
  const submit = jsonl['submitBuildAndUpload'];
  return [
    '## OpenAI JSONL build and results parse',
    '',
    'The native OpenAI adapter builds the batch input file as a stream and reads the output file as a stream. ' +
      'Each is set against its practical limit: a plain `JSON.stringify` + write-stream loop over the same lines, and a plain ' +
      'read + split + `JSON.parse` loop over the same file. Heap growth is the peak `heapUsed` during the step minus `heapUsed` before it (after a full GC).',
    '',
    '| step | size | time (s) | MB/s | heap growth (MB) | off-heap (ArrayBuffer) growth (MB) |',
    '|---|---:|---:|---:|---:|---:|',
    row('llm-batch: build the JSONL of 50,000 requests (convert + validate + write)', build, `${number(build?.['fileMb'], 1)} MB`),
    row('plain `JSON.stringify` loop, same lines', buildBaseline, `${number(buildBaseline?.['fileMb'], 1)} MB`),
    row('llm-batch: `submit` of 50,000 requests (build + streamed upload to a local server)', submit, `${number(submit?.['uploadedMb'], 1)} MB`),
    row('llm-batch: read the output file through `results()` (SDK download over HTTP + parse + map)', read, `${number(read?.['fileMb'], 1)} MB`),
    row('plain read + split + `JSON.parse` loop, same file from disk', readBaseline, `${number(readBaseline?.['fileMb'], 1)} MB`),
    '',
    `Heap growth limit: ${number(jsonl.limitMb as unknown as number)} MB; ${jsonl.pass === true ? 'every step stayed under it' : '**at least one step went over it**'}.` +
      (read !== undefined && readBaseline !== undefined ? ` The results read runs at ${percent(read['megabytesPerSecond']! / readBaseline['megabytesPerSecond']!, 0)} of the plain parse loop` : '') +
      (build !== undefined && buildBaseline !== undefined ? `, the build at ${percent(build['megabytesPerSecond']! / buildBaseline['megabytesPerSecond']!, 0)} of the plain stringify loop.` : '.'),
    '',
  ];
}

function resultsOrderSection(results: Results): string[] {
  const order = results.resultsOrder;
  if (order === undefined) return [];
  const title = '## Input-order results of a large job';
  if (typeof order.error === 'string' || order.ours === undefined || order.baseline === undefined) {
    return [title, '', `Not measured in this run: ${order.error ?? 'no results'}`, ''];
  }
  const { ours, baseline } = order;
  const row = (label: string, read: ResultsOrderRead): string =>
    `| ${label} | ${number(read.results)} | ${number(order.journalMb, 1)} | ${number(read.seconds, 1)} | ${number(read.peakHeapGrowthMb, 1)} | ${number(read.peakHeldHeapGrowthMb, 1)} | ${number(read.peakArrayBuffersGrowthMb, 1)} |`;
  return [
    title,
    '',
    `\`client.results(jobId)\` gives results in input order by default. A job of ${number(order.results)} requests over ${order.parts ?? 6} parts (request i in part i % ${order.parts ?? 6}, as the planner splits by model) ` +
      'is written to a `fileStore`, with about 1 KB of answer text per result, journaled in a scrambled order, and read back to the end through the built package, ids checked in order. ' +
      'llm-batch orders a job of up to 50,000 requests in memory and spreads a larger one over temporary files of 50,000 results by input position, then orders one file at a time; ' +
      'the former approach, measured in the same process over the same journal, held a `Map` of every result by id, then read the requests of every part in input order and looked each up.',
    '',
    'Heap growth is the peak `heapUsed` during the read minus `heapUsed` before it (after a full GC); it includes garbage V8 has not collected yet, so it varies from run to run with when V8 collects. ' +
      'Held is the same read again with a full GC before each sample (every 10,000 results, and on a timer): what the read keeps in memory.',
    '',
    '| step | results | journal (MB) | time (s) | heap growth (MB) | held after GC (MB) | off-heap (ArrayBuffer) growth (MB) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('llm-batch: `client.results(jobId)` in input order', ours),
    row('former approach: `Map` of every result by id, then the requests in input order', baseline),
    '',
    `Limit on what the read holds: ${number(order.limitMb)} MB; llm-batch ${order.pass === true ? 'stayed under it' : '**went over it**'} (${number(ours.peakHeldHeapGrowthMb, 1)} MB held, ` +
      `against ${number(baseline.peakHeldHeapGrowthMb, 1)} MB for the map, which grows with the job). ` +
      `It takes ${number(ours.seconds / baseline.seconds, 1)}× the time of the map: each result of a job over 50,000 requests is written once more to a temporary file and parsed again.`,
    '',
  ];
}

/** The section of docs/benchmarks.md on exact token counting, from bench/token-count.ts. */
export function tokenCountSection(result: TokenCountResult | undefined): string[] {
  if (result === undefined) return [];
  const title = '## Exact token counting of long requests';
  const { counts, cap, whole } = result;
  if (typeof result.error === 'string' || counts === undefined || cap === undefined || whole === undefined) {
    return [title, '', `Not measured in this run: ${result.error ?? 'no results'}`, ''];
  }
  const sizes = [...new Set(counts.map((count) => count.characters))].sort((a, b) => a - b);
  const texts = [...new Set(counts.map((count) => count.text))];
  const cell = (text: string, size: number): string => {
    const count = counts.find((entry) => entry.text === text && entry.characters === size);
    if (count === undefined) return 'n/a';
    return count.exact === true ? number(count.seconds, 3) : `${number(count.seconds, 3)} (approximated)`;
  };
  const measured = result.date === undefined ? '' : ` Measured ${result.date.slice(0, 10)}, load average ${result.loadAverageAtStart?.join(' / ') ?? 'n/a'} at the start.`;
  return [
    title,
    '',
    '`countTokens` of one request for an OpenAI model (`gpt-tokenizer`, o200k_base), through the built package, on text without a single space; ' +
      'the median of three runs, each on text drawn afresh, so that no run is helped by the tokenizer\'s cache of another.' +
      measured,
    '',
    `| text | ${sizes.map((size) => `${number(size)} characters (s)`).join(' | ')} |`,
    `|---|${sizes.map(() => '---:').join('|')}|`,
    ...texts.map((text) => `| ${text} | ${sizes.map((size) => cell(text, size)).join(' | ')} |`),
    '',
    `A line of ${number(cap.characters)} characters (${cap.text}) is past the cap of exact counting: ${cap.exact === true ? '**counted exactly**' : `approximated (\`exact: false\`, reason \`${cap.reason ?? 'unknown'}\`)`} in ${number(cap.seconds, 3)} s.`,
    '',
    'The tokenizer counting the same text whole, as llm-batch did before it handed it pieces (time quadratic in the length of a stretch it cannot split):',
    '',
    '| text | characters | tokenizer on the whole text (s) |',
    '|---|---:|---:|',
    ...whole.map((entry) => `| ${entry.text} | ${number(entry.characters)} | ${number(entry.seconds, 3)} |`),
    '',
    `Target: ${number(result.targetCharacters ?? 400_000)} characters counted exactly in under ${result.targetSeconds ?? 1} s: ${result.pass === true ? 'met by every text' : '**missed**'}.`,
    '',
  ];
}

export async function renderReport(): Promise<void> {
  const results = JSON.parse(readFileSync(`${root}bench/results/latest.json`, 'utf8')) as Results;
  const analysisPath = `${root}bench/analysis.md`;
  const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8').trim() : '';
  const scenarioOrder = ['clean', 'faults-429', 'faults-5xx', 'rpm', 'tpm', 'zero-latency'];
  const lines: string[] = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts) from bench/results/latest.json; explanations from bench/analysis.md. Do not edit by hand. -->',
    '',
    `Run on ${results.date.slice(0, 10)} (${results.durationSeconds} s in all): ${results.machine.cpus} × ${results.machine.cpuModel}, ` +
      `${results.machine.memoryGb} GB memory, ${results.machine.platform}, Node ${results.node}. ` +
      `Load average at the start ${results.machine.loadAverageAtStart.join(' / ')}, at the end ${results.machine.loadAverageAtEnd.join(' / ')}` +
      (results.machine.loadAverageAtStart[0]! > results.machine.cpus ? ' — the machine was shared and busy, so wall-clock numbers (throughput, latency) are pessimistic for every contender alike; CPU time per item is less affected.' : '.'),
    '',
    '| package | version |',
    '|---|---|',
    ...Object.entries(results.versions).map(([name, version]) => `| ${name} | ${version} |`),
    '',
    '## How it is measured',
    '',
    '- `npm run bench` starts the local provider emulator (`createMockProviderServer`) in a **separate process** and talks to it over HTTP on 127.0.0.1. ' +
      'Each contender of each scenario runs in a process of its own against a fresh emulator with the same options, so CPU time and peak RSS are its own, and rate-limit buckets and fault draws never carry over.',
    '- Contenders, all with their defaults except the concurrency (64): **llm-batch** (`createBatchClient({ provider: emulated({ call: openaiChat({ baseURL }), concurrency: 64 }), store: memoryStore() })` and `client.run()`, loaded from the built package as users load it); ' +
      '**openai + p-limit** and **openai + p-queue** (the official SDK with its default 2 retries, which honour `retry-after`); **LangChain `batch()`** (`ChatOpenAI` with `maxConcurrency: 64` and `returnExceptions: true`, its own 6 retries); ' +
      '**AI SDK `generateText` + p-limit** (`@ai-sdk/openai` chat model, its default 2 retries).',
    '- Throughput is *goodput*: successful items per second, over the whole run (for llm-batch, `client.run()` from submit to the aggregate). ' +
      'The ceiling is min(concurrency / latency, rate limit): 64 / 100 ms = 640 items/s without a limit.',
    '- Item latency: from the moment the item left the contender\'s own queue to its final answer, retries included (llm-batch: `result.latencyMs`; the SDK loops: around the call; LangChain: its model callbacks).',
    '- Peak in-flight, calls per item (retry amplification) and 429 share come from the **emulator\'s** journal and counters, not from the client.',
    '- CPU per item: `process.cpuUsage()` of the client process over the run divided by the items; peak RSS: the process\'s `maxRSS`.',
    '- Scaled down to keep the whole run under 10 minutes on 2 cores: 10,000 requests for the clean run, 5,000 at zero latency, 2,000 with faults, 1,500 (RPM) and 1,200 (TPM) with rate limits; ' +
      'the RPM and TPM scenarios run at the same time, all their contender runs side by side (each against its own emulator and limit), which is why their CPU and RSS columns are less clean than the others.',
    '',
    '![Goodput as a share of the ceiling](benchmarks-throughput.svg)',
    '',
  ];
  for (const key of scenarioOrder) {
    const result = results.scenarios[key];
    if (result === undefined) continue;
    const scenario = result.scenario;
    lines.push(`## ${scenario.title}`, '', `${scenario.description} ${number(scenario.total)} requests, concurrency ${scenario.concurrency}, ${scenario.latencyMs} ms latency; time limit ${scenario.timeoutMs / 1000} s per contender.`, '');
    const ceiling = result.runs[0]?.ceilingPerSecond;
    if (ceiling !== undefined && ceiling !== null && Number.isFinite(ceiling)) {
      lines.push(
        scenario.steadyFromSecond === undefined
          ? `Ceiling: ${number(ceiling, 1)} items/s.`
          : `Ceiling: ${number(ceiling, 1)} items/s for llm-batch's request size, the total over the ideal time (the emulator's bucket starts full: a minute's worth at once, then the limit)${scenario.tokensPerMinute !== undefined ? '; each row uses its own request size' : ''}. ` +
            'Steady goodput is counted once that initial burst is certainly spent (successes so far ≥ burst + refill), from second 10 at the earliest.',
        '',
      );
    } else lines.push('No ceiling: without latency the client and the emulator share the CPU, so read CPU per item.', '');
    lines.push(scenarioTable(result), '');
  }
  const memory = results.memory1m;
  if (memory !== undefined) {
    lines.push('## Resident memory for 1,000,000 requests', '');
    if (memory.error !== undefined) lines.push(`Not measured in this run: ${memory.error}`, '');
    else {
      lines.push(
        `${number(memory.requests)} requests fed from an async generator into the emulated adapter (concurrency ${memory.concurrency}) with a trivial in-process call strategy, so that the adapter's own queue, worker pool and bookkeeping are what is measured; results are counted, not stored.`,
        '',
        '| requests | peak RSS (MB) | limit (MB) | time (s) | items/s | CPU per item (µs) |',
        '|---:|---:|---:|---:|---:|---:|',
        `| ${number(memory.requests)} | **${number(memory.peakRssMb)}** | ${memory.limitMb} | ${number(memory.elapsedMs / 1000, 1)} | ${number(memory.itemsPerSecond)} | ${number(memory.cpuMicrosecondsPerItem)} |`,
        '',
        memory.pass ? `Under the ${memory.limitMb} MB limit.` : `**Over the ${memory.limitMb} MB limit.**`,
        '',
      );
    }
  }
  lines.push(...jsonlSection(results));
  lines.push(...resultsOrderSection(results));
  lines.push(...tokenCountSection(results.tokenCount));
  const overhead = results.emulatorOverhead;
  if (overhead !== undefined) {
    lines.push('## The emulator\'s own overhead', '');
    if (overhead.error !== undefined || overhead.results === undefined) lines.push(`Not measured in this run: ${overhead.error ?? 'no results'}`, '');
    else {
      lines.push(
        'A bare keep-alive HTTP load generator (no SDK) against the emulator in its own process at zero latency: what one request costs the emulator.',
        '',
        '| endpoint | requests | concurrency | failures | requests/s | emulator CPU per request (µs) | emulator RSS (MB) |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...overhead.results.map((entry) => `| ${entry.endpoint} | ${number(entry.requests)} | ${entry.concurrency} | ${entry.failures} | ${number(entry.requestsPerSecond)} | ${number(entry.serverCpuMicrosecondsPerRequest)} | ${number(entry.serverRssMegabytes)} |`),
        '',
      );
      const chat = overhead.results[0];
      const clean = results.scenarios['clean'];
      if (chat !== undefined && clean !== undefined) {
        const fastest = Math.max(...clean.runs.map((run) => run.goodputPerSecond));
        lines.push(
          `The emulator answers ${number(chat.requestsPerSecond)} requests/s on its own, against at most ${number(fastest, 0)} items/s asked of it in the clean scenario ` +
            `(ceiling 640/s): it is not the bottleneck there. In the zero-latency scenario it shares the 2 cores with the client, which is why that scenario reports CPU per item rather than throughput.`,
          '',
        );
      }
    }
  }
  const behindLines = behind(results);
  lines.push('## Where llm-batch is behind', '');
  if (behindLines.length === 0) lines.push('In this run no peer beat llm-batch by more than 3% on goodput or 10% on p95 latency, CPU per item or peak RSS.', '');
  else lines.push('Computed from the tables above (a peer ahead by more than 3% on goodput, or 10% on p95 latency, CPU per item or peak RSS):', '', ...behindLines.map((line) => `- ${line}`), '');
  if (analysis !== '') lines.push(analysis, '');
  lines.push(
    '## Reproduce',
    '',
    '```sh',
    'npm run bench                        # everything; rewrites bench/results/latest.json and this page',
    'node --import tsx bench/run.ts --only clean,rpm   # some scenarios (written to bench/results/tmp/)',
    'node --import tsx bench/render-report.ts            # this page from the last full run',
    'node --import tsx bench/scattered-faults-simulated.ts --repeat 3    # the scattered-fault scenarios on a virtual clock',
    'node --import tsx bench/client-million.ts 1000000 64 lean           # the client path of a large job (keep: results held); a few minutes',
    'node --expose-gc --import tsx bench/results-read-speed.ts 3 200     # results() of a 200 MB output file against a plain loop; about a minute',
    'node --import tsx bench/viewer-first-page.ts 1000000                 # the viewer\'s first page of a million results',
    'node --import tsx bench/scattered-faults.ts --sizes 10000            # scattered faults over HTTP against openai + p-limit; about 4 minutes',
    'node --import tsx bench/scattered-faults-bound.ts                    # the physical bound of those scenarios; seconds',
    'node --import tsx bench/cancel-large-job.ts 200000 64                # cancelling a large emulated job; about 10 s',
    '```',
    '',
  );
  await writeFile(`${root}docs/benchmarks.md`, lines.join('\n'));
  await writeFile(`${root}docs/benchmarks-throughput.svg`, chart(results));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await renderReport();
