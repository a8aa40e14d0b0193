/**
 * A timeline of one emulated run under scattered faults: in buckets of 100 ms, the calls
 * that ended (successes, 429s, 5xx), the shared cooldowns and the items waiting out a backoff, from
 * the run's events. What it showed is in docs/benchmarks.md ("Scattered 429s answered at once").
 *
 * Run from the repository root (loads the built package, `npm run build` first; `LLM_BATCH_DIST`
 * loads another build):
 *   node --import tsx bench/scattered-faults-timeline.ts [--total 2000] [--fault 429|5xx] [--mode at-once|after-latency] [--options '{"rateLimit":{...}}']
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createMockProviderServer } from '../src/testing/mock-server/index.js';

type Library = typeof import('../dist/index.js');
type OpenAIEntry = typeof import('../dist/openai.js');

const { values } = parseArgs({
  options: {
    total: { type: 'string', default: '2000' },
    fault: { type: 'string', default: '429' },
    mode: { type: 'string', default: 'at-once' },
    options: { type: 'string', default: '{}' },
    buckets: { type: 'string', default: '40' },
  },
});
const folder = process.env['LLM_BATCH_DIST'];
const base = folder === undefined ? new URL('../dist/', import.meta.url).href : `${pathToFileURL(folder).href}/`;
const library = (await import(`${base}index.js`)) as Library;
const { openaiChat } = (await import(`${base}openai.js`)) as OpenAIEntry;

const mode = values.mode as 'at-once' | 'after-latency';
const faults = values.fault === '429' ? { rates: { '429': 0.05 }, retryAfterMs: 1000, timing: mode } : { rate: 0.1, kinds: ['500' as const, '502' as const, '503' as const], timing: mode };
const server = await createMockProviderServer({ latency: 100, faults, journalLimit: 1_000_000 });
const bucketMs = 100;
interface Bucket { ok: number; limited: number; failed: number; retries: number; cooldownMs: number; cooldownStarts: number }
const buckets: Bucket[] = [];
const bucket = (at: number): Bucket => {
  const index = Math.max(0, Math.floor((at - started) / bucketMs));
  buckets[index] ??= { ok: 0, limited: 0, failed: 0, retries: 0, cooldownMs: 0, cooldownStarts: 0 };
  return buckets[index];
};
let started = Date.now();
const cooldowns: { at: number; durationMs: number }[] = [];
let retryDelayTotalMs = 0;
let lastRetryEndsAt = 0;
const client = library.createBatchClient({
  provider: library.emulated({
    call: openaiChat({ baseURL: `${server.url}/v1`, apiKey: 'sk-timeline' }),
    concurrency: 64,
    ...(JSON.parse(values.options) as object),
    observers: [
      (event) => {
        if (event.type === 'item.completed') bucket(event.timestamp).ok += 1;
        else if (event.type === 'rate_limit.hit') bucket(event.timestamp).limited += 1;
        else if (event.type === 'retry.scheduled') {
          const entry = bucket(event.timestamp);
          entry.retries += 1;
          if (event.category !== 'rate_limit') entry.failed += 1;
          retryDelayTotalMs += event.delayMs;
          lastRetryEndsAt = Math.max(lastRetryEndsAt, event.timestamp + event.delayMs);
        } else if (event.type === 'cooldown.started') {
          bucket(event.timestamp).cooldownStarts += 1;
          cooldowns.push({ at: event.timestamp - started, durationMs: event.durationMs });
        } else if (event.type === 'cooldown.ended') {
          bucket(event.timestamp).cooldownMs += event.durationMs;
        }
      },
    ],
  }),
  store: library.memoryStore(),
});
const total = Number(values.total);
function* requests(): Generator<import('../dist/index.js').BatchRequest> {
  for (let index = 0; index < total; index += 1) yield { id: `item_${index}`, model: 'gpt-4o-mini', maxTokens: 16, messages: [{ role: 'user', content: `Item ${index}` }] };
}
started = Date.now();
const aggregate = await client.run(requests());
const elapsedMs = Date.now() - started;
await client.close();
const calls = server.stats().byEndpoint['chat.completions'] ?? 0;
await server.close();
const ceilingMs = (total / 640) * 1000;
process.stderr.write(`elapsed ${elapsedMs} ms (${((ceilingMs / elapsedMs) * 100).toFixed(1)}% of ceiling), ${aggregate.counts.succeeded} ok, ${calls} calls, ${cooldowns.length} shared cooldowns (total ${cooldowns.reduce((sum, entry) => sum + entry.durationMs, 0)} ms), last retry ends at ${lastRetryEndsAt === 0 ? 'n/a' : lastRetryEndsAt - started} ms, retry delays ${retryDelayTotalMs} ms in all\n`);
process.stderr.write(`first cooldowns (ms since start: duration): ${cooldowns.slice(0, 10).map((entry) => `${entry.at}: ${entry.durationMs}`).join(', ')}\n`);
process.stderr.write('bucket  ok  429  5xx  cooldown-starts\n');
for (let index = 0; index < Math.min(buckets.length, Number(values.buckets)); index += 1) {
  const entry = buckets[index] ?? { ok: 0, limited: 0, failed: 0, retries: 0, cooldownMs: 0, cooldownStarts: 0 };
  process.stderr.write(`${String(index * bucketMs).padStart(6)} ${String(entry.ok).padStart(4)} ${String(entry.limited).padStart(4)} ${String(entry.failed).padStart(4)} ${String(entry.cooldownStarts).padStart(4)}\n`);
}
process.stdout.write(`${JSON.stringify({ elapsedMs, ratioToCeiling: ceilingMs / elapsedMs, calls, cooldowns: cooldowns.length, cooldownMs: cooldowns.reduce((sum, entry) => sum + entry.durationMs, 0), lastRetryEndsAtMs: lastRetryEndsAt === 0 ? undefined : lastRetryEndsAt - started })}\n`);
