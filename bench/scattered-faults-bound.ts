/**
 * The physical bound of the scattered-faults scenarios: an ideal scheduler with no overhead at
 * all (every call takes exactly the latency, a freed slot is refilled at the same instant, a
 * retry goes first the moment its delay has passed) facing the same faults. What it reaches is
 * the most any client can, so a goal above it cannot be met by scheduling. With `retry-after: 1`
 * on 5% of calls the bound is set by the tail: the last requests answered 429 wait a second, and
 * some of their retries are answered 429 again.
 *
 * Run: node --import tsx bench/scattered-faults-bound.ts [--total 10000] [--runs 200]   (a second or two)
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    total: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '64' },
    latency: { type: 'string', default: '100' },
  },
});
const total = Number(values.total);
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values.latency);

interface Scenario {
  readonly name: string;
  /** Share of calls that fail. */
  readonly rate: number;
  /** How long a failing call holds its slot. */
  readonly failingCallMs: number;
  /** The delay before the retry of attempt `n` (1-based) of a failed call. */
  retryDelayMs(attempt: number, random: () => number): number;
}

// 429s: the server's `retry-after: 1`, obeyed. 5xx: as the emulated adapter retries scattered server
// errors while failures are rare: three quick retries after a jitter of up to 50 ms (its retry
// budget), then its default backoff, 500 ms doubling, full jitter (QUICK_RETRIES=2 shows the policy
// with two quick retries).
const quickRetries = Number(process.env['QUICK_RETRIES'] ?? 3);
const serverErrorDelayMs = (attempt: number, random: () => number): number => (attempt <= quickRetries ? random() * 50 : random() * 500 * 2 ** (attempt - 1));
const scenarios: Scenario[] = [
  { name: '5% 429 at once, retry-after 1 s', rate: 0.05, failingCallMs: 1, retryDelayMs: () => 1_000 },
  { name: '5% 429 after latency, retry-after 1 s', rate: 0.05, failingCallMs: latencyMs, retryDelayMs: () => 1_000 },
  { name: '10% 5xx at once', rate: 0.1, failingCallMs: 1, retryDelayMs: serverErrorDelayMs },
  { name: '10% 5xx after latency', rate: 0.1, failingCallMs: latencyMs, retryDelayMs: serverErrorDelayMs },
];

/** A small seeded generator: the same runs each time. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** Share of the ceiling (total / (concurrency / latency)) one ideal run reaches. */
function idealRun(scenario: Scenario, seed: number): number {
  const random = seeded(seed);
  const freeAt = new Float64Array(concurrency);
  // Retries waiting for their delay: [ready at, attempt].
  const waiting: Array<[number, number]> = [];
  let fresh = 0;
  let succeeded = 0;
  let end = 0;
  while (succeeded < total) {
    let slot = 0;
    for (let index = 1; index < concurrency; index++) if (freeAt[index]! < freeAt[slot]!) slot = index;
    const now = freeAt[slot]!;
    waiting.sort((left, right) => left[0] - right[0]);
    let start: number;
    let attempt: number;
    if (waiting.length > 0 && waiting[0]![0] <= now) {
      [, attempt] = waiting.shift()!;
      start = now;
    } else if (fresh < total) {
      fresh++;
      attempt = 1;
      start = now;
    } else if (waiting.length > 0) {
      const [readyAt, retryAttempt] = waiting.shift()!;
      start = Math.max(now, readyAt);
      attempt = retryAttempt;
    } else {
      freeAt[slot] = Number.POSITIVE_INFINITY;
      continue;
    }
    const fails = random() < scenario.rate;
    const duration = fails ? scenario.failingCallMs : latencyMs;
    freeAt[slot] = start + duration;
    if (fails) waiting.push([start + duration + scenario.retryDelayMs(attempt, random), attempt + 1]);
    else {
      succeeded++;
      end = Math.max(end, start + duration);
    }
  }
  return total / (concurrency / latencyMs) / end;
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
console.log(`ideal scheduler, ${total} requests, ${concurrency} in flight, ${latencyMs} ms a call, ${runs} seeded runs each`);
console.log('scenario | worst | 10th percentile | median | 90th percentile | best');
for (const scenario of scenarios) {
  const ratios = Array.from({ length: runs }, (_, run) => idealRun(scenario, 7_919 * (run + 1))).sort((left, right) => left - right);
  const at = (share: number): number => ratios[Math.min(ratios.length - 1, Math.floor(share * ratios.length))]!;
  console.log(`${scenario.name} | ${percent(ratios[0]!)} | ${percent(at(0.1))} | ${percent(at(0.5))} | ${percent(at(0.9))} | ${percent(ratios.at(-1)!)}`);
}
