/**
 * The scattered-faults scenarios of bench/scattered-faults.ts on a virtual clock (bench/virtual-clock.ts):
 * the library's own client, adapter, limiter and retry loop, but the provider is simulated in this
 * process and time costs nothing, so the numbers are those of the scheduling policy alone, the same
 * from run to run, whatever the load of the machine. The `openai` + p-limit row simulates the SDK's
 * retry loop (2 retries; `retry-after` obeyed when under 60 s, else 0.5 s × 2^n, up to 8 s, less up
 * to 25% jitter) inside a p-limit slot. RPM and TPM scenarios use the emulator's own rate limiter
 * (`ProviderRateLimiter`, with its headers) in process.
 *
 * Run from the repository root (after `npm run build`; LLM_BATCH_BASELINE_DIST adds a baseline build):
 *   node --import tsx bench/scattered-faults-simulated.ts [--sizes 1000,2000,10000] [--repeat 3] [--options '{"rateLimit":{...}}']
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { installVirtualClock, runVirtually, virtualNow } from './virtual-clock.js';

installVirtualClock();
const { ProviderRateLimiter } = await import('../src/testing/mock-server/rate-limiter.js');

type Library = typeof import('../dist/index.js');
type CallStrategy = import('../dist/index.js').CallStrategy;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,2000,10000' },
    repeat: { type: 'string', default: '3' },
    options: { type: 'string', default: '{}' },
    only: { type: 'string' },
  },
});

async function load(folder: string | undefined): Promise<Library> {
  const base = folder === undefined ? new URL('../dist/', import.meta.url).href : `${pathToFileURL(folder).href}/`;
  return (await import(`${base}index.js`)) as Library;
}
const builds: [string, Library, object][] = [['llm-batch', await load(process.env['LLM_BATCH_DIST']), JSON.parse(values.options) as object]];
if (process.env['LLM_BATCH_BASELINE_DIST'] !== undefined) builds.push(['llm-batch (baseline)', await load(process.env['LLM_BATCH_BASELINE_DIST']), {}]);

const latencyMs = 100;
const concurrency = 64;

/** A seeded source in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fault {
  readonly kind: '429' | '5xx' | 'rpm' | 'tpm' | 'none';
  readonly atOnce: boolean;
}

/** One simulated provider: latency, drawn faults or a real limit, counters. */
function simulatedServer(fault: Fault, seed: number) {
  const random = seeded(seed);
  const limiter = fault.kind === 'rpm' ? new ProviderRateLimiter('openai', { requestsPerMinute: 600 }, Date.now()) : fault.kind === 'tpm' ? new ProviderRateLimiter('openai', { tokensPerMinute: 300_000 }, Date.now()) : undefined;
  const counters = { calls: 0, answered429: 0, inFlight: 0, peakInFlight: 0 };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  /** One call: resolves with the headers of a success or throws an error shaped as the SDKs' (status, headers). */
  async function call(bodyBytes: number): Promise<Record<string, string>> {
    counters.calls += 1;
    counters.inFlight += 1;
    counters.peakInFlight = Math.max(counters.peakInFlight, counters.inFlight);
    try {
      if (limiter !== undefined) {
        const decision = limiter.check(Math.ceil(bodyBytes / 4) + 16, Date.now());
        if (!decision.allowed) {
          counters.answered429 += 1;
          await sleep(1);
          throw Object.assign(new Error('Rate limit reached'), {
            status: 429,
            headers: { ...decision.headers, 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))), 'retry-after-ms': String(decision.retryAfterMs) },
          });
        }
        await sleep(latencyMs);
        return decision.headers;
      }
      const draw = random();
      const failing = (fault.kind === '429' && draw < 0.05) || (fault.kind === '5xx' && draw < 0.1);
      if (failing) {
        await sleep(fault.atOnce ? 1 : latencyMs);
        if (fault.kind === '429') {
          counters.answered429 += 1;
          throw Object.assign(new Error('Rate limit reached for requests'), { status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '1000' } });
        }
        throw Object.assign(new Error('The server had an error'), { status: [500, 502, 503][Math.floor(random() * 3)], headers: {} });
      }
      await sleep(latencyMs);
      return {};
    } finally {
      counters.inFlight -= 1;
    }
  }
  return { call, counters };
}

interface Row {
  readonly contender: string;
  readonly succeeded: number;
  readonly elapsedMs: number;
  readonly ratioToCeiling: number;
  readonly callsPerItem: number;
  readonly answered429: number;
  readonly peakInFlight: number;
}

const padding = (fault: Fault): string => (fault.kind === 'tpm' ? 'x'.repeat(2_000) : '');
function ceilingPerSecond(fault: Fault, total: number, bodyBytes: number): number {
  const byConcurrency = concurrency / (latencyMs / 1000);
  if (fault.kind !== 'rpm' && fault.kind !== 'tpm') return byConcurrency;
  const perSecond = fault.kind === 'rpm' ? 10 : 300_000 / (Math.ceil(bodyBytes / 4) + 16) / 60;
  const burst = perSecond * 60;
  return total / Math.max(total / byConcurrency, (total - burst) / perSecond);
}

async function runLlmBatch(name: string, library: Library, extra: object, fault: Fault, total: number, seed: number): Promise<Row> {
  const server = simulatedServer(fault, seed);
  const text = padding(fault);
  const strategy: CallStrategy = {
    name: 'simulated',
    async call(request) {
      const content = String(request.messages[0]?.content ?? '');
      const headers = await server.call(content.length + 100);
      return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 }, model: 'sim', headers: new Headers(headers) };
    },
  };
  const client = library.createBatchClient({ provider: library.emulated({ call: strategy, concurrency, ...extra }), store: library.memoryStore() });
  function* requests(): Generator<import('../dist/index.js').BatchRequest> {
    for (let index = 0; index < total; index += 1) yield { id: `item_${index}`, model: 'gpt-4o-mini', maxTokens: 16, messages: [{ role: 'user', content: `${text}Item ${index}` }] };
  }
  const started = virtualNow();
  const aggregate = await runVirtually(() => client.run(requests()));
  const elapsedMs = virtualNow() - started;
  await client.close();
  return row(name, aggregate.counts.succeeded, elapsedMs, fault, total, server.counters, text.length + 110);
}

async function runPLimit(fault: Fault, total: number, seed: number): Promise<Row> {
  const server = simulatedServer(fault, seed);
  const random = seeded(seed + 1);
  const text = padding(fault);
  let active = 0;
  const queue: (() => void)[] = [];
  const limit = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
  let succeeded = 0;
  const started = virtualNow();
  await runVirtually(() =>
    Promise.all(
      Array.from({ length: total }, () =>
        limit(async () => {
          for (let retry = 0; ; retry += 1) {
            try {
              await server.call(text.length + 110);
              succeeded += 1;
              return;
            } catch (error) {
              if (retry >= 2) return;
              const headers = (error as { headers: Record<string, string> }).headers;
              const asked = Number(headers['retry-after-ms'] ?? Number.NaN);
              const waitMs = asked > 0 && asked < 60_000 ? asked : Math.min(0.5 * 2 ** retry, 8) * (1 - random() * 0.25) * 1000;
              await new Promise((resolve) => setTimeout(resolve, waitMs));
            }
          }
        }),
      ),
    ),
  );
  return row('openai + p-limit', succeeded, virtualNow() - started, fault, total, server.counters, text.length + 110);
}

function row(contender: string, succeeded: number, elapsedMs: number, fault: Fault, total: number, counters: { calls: number; answered429: number; peakInFlight: number }, bodyBytes: number): Row {
  const ceiling = ceilingPerSecond(fault, total, bodyBytes);
  return {
    contender,
    succeeded,
    elapsedMs: Math.round(elapsedMs),
    ratioToCeiling: Math.round((succeeded / (elapsedMs / 1000) / ceiling) * 1000) / 1000,
    callsPerItem: Math.round((counters.calls / total) * 1000) / 1000,
    answered429: counters.answered429,
    peakInFlight: counters.peakInFlight,
  };
}

const scenarios: { key: string; fault: Fault; sizes: number[] }[] = [];
const sizes = values.sizes.split(',').map(Number);
for (const atOnce of [true, false]) {
  for (const kind of ['429', '5xx'] as const) scenarios.push({ key: `${kind === '429' ? '5% 429' : '10% 5xx'} ${atOnce ? 'at once' : 'after latency'}`, fault: { kind, atOnce }, sizes });
}
scenarios.push({ key: 'clean', fault: { kind: 'none', atOnce: false }, sizes: [10_000] });
scenarios.push({ key: 'RPM 600/min', fault: { kind: 'rpm', atOnce: true }, sizes: [1_500] });
scenarios.push({ key: 'TPM 300,000/min', fault: { kind: 'tpm', atOnce: true }, sizes: [1_200] });

const only = values.only?.split(',');
const output: { scenario: string; total: number; rows: Row[][] }[] = [];
for (const scenario of scenarios) {
  if (only !== undefined && !only.some((key) => scenario.key.includes(key))) continue;
  for (const total of scenario.sizes) {
    const repeats: Row[][] = [];
    for (let repeat = 0; repeat < Number(values.repeat); repeat += 1) {
      const seed = 1 + repeat * 7919;
      const rows: Row[] = [];
      for (const [name, library, extra] of builds) rows.push(await runLlmBatch(name, library, extra, scenario.fault, total, seed));
      if (scenario.fault.kind !== 'rpm' && scenario.fault.kind !== 'tpm') rows.push(await runPLimit(scenario.fault, total, seed));
      repeats.push(rows);
    }
    output.push({ scenario: scenario.key, total, rows: repeats });
    const byContender = new Map<string, Row[]>();
    for (const rows of repeats) for (const entry of rows) byContender.set(entry.contender, [...(byContender.get(entry.contender) ?? []), entry]);
    const cells = [...byContender].map(([name, entries]) => {
      const ratios = entries.map((entry) => (entry.ratioToCeiling * 100).toFixed(1));
      const calls = entries.map((entry) => entry.callsPerItem.toFixed(3));
      const limited = entries.map((entry) => entry.answered429);
      return `${name}: ${ratios.join('/')}% of ceiling, ${calls.join('/')} calls/item, ${limited.join('/')} 429s, ${entries.map((entry) => entry.succeeded).join('/')} ok`;
    });
    process.stderr.write(`${scenario.key}, ${total}: ${cells.join(' | ')}\n`);
  }
}
process.stdout.write(`${JSON.stringify(output)}\n`);
