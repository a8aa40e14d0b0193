// The local job viewer over a job that met rate limits: an emulated batch against the local
// provider emulator, which answers about a quarter of the calls 429, then `startViewer` on the store.
//
//   node --import tsx examples/viewer.ts          # prints the URL; open it, Ctrl-C to stop
//   node --import tsx examples/viewer.ts --once   # prints what the job page draws, and exits
//
// With no terminal (piped output, as the examples test runs it) it behaves as with --once. The job
// goes into the file store (./.llm-batch, or LLM_BATCH_DIR), so `llm-batch ui` shows it later too.
import { createBatchClient, emulated, fileStore, type BatchRequest } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';
import { startViewer } from 'llm-batch/viewer';

const once = process.argv.includes('--once') || !process.stdout.isTTY;

// 25% of the calls answered 429 at once, with a retry-after of 200 ms: the run meets dense 429s,
// pauses every worker (a shared cooldown), halves its concurrency window and ramps it up again.
const emulator = await createMockProviderServer({ latency: 20, faults: { rates: { '429': 0.25 }, retryAfterMs: 200, timing: 'at-once' } });
const store = fileStore();
const client = createBatchClient({
  store,
  provider: emulated({ call: openaiChat({ baseURL: `${emulator.url}/v1`, apiKey: 'local' }), concurrency: 16 }),
});

const requests: BatchRequest[] = Array.from({ length: 120 }, (_, index) => ({
  id: `question_${index}`,
  model: 'gpt-5.4-mini',
  messages: [{ role: 'user', content: `Question number ${index}: what is ${index} + ${index}?` }],
  metadata: { row: String(index) },
}));
const job = await client.submit(requests, { metadata: { example: 'viewer' } });
const done = await client.wait(job.id);
await client.close();
await emulator.close();

let rateLimited = 0;
let cooldowns = 0;
let retries = 0;
for await (const event of store.readRunEvents?.(job.id) ?? []) {
  if (event.type === 'rate_limited') rateLimited++;
  else if (event.type === 'cooldown_started') cooldowns++;
  else if (event.type === 'retry') retries++;
}
console.log(`job ${done.id}: ${done.status}, ${done.counts.succeeded} succeeded, ${done.counts.failed} failed`);
console.log(`the run journaled ${rateLimited} × 429, ${cooldowns} cooldowns and ${retries} retries`);

const viewer = await startViewer({ store, readOnly: true });
console.log(`llm-batch viewer on ${viewer.url}`);
console.log(`the job: ${viewer.url}#/job/${done.id}`);

if (once) {
  // What the job page draws, read from the viewer's API as the page reads it.
  const response = await fetch(`http://127.0.0.1:${viewer.port}/api/jobs/${done.id}/failures`, { headers: { 'x-viewer-token': viewer.token } });
  const { timeline } = (await response.json()) as {
    timeline?: { intervalMs: number; intervals: { succeeded: number; retried: number; rateLimited: number }[]; cooldowns: unknown[]; concurrency: { size: number }[] };
  };
  if (timeline) {
    const sum = (key: 'succeeded' | 'retried' | 'rateLimited') => timeline.intervals.reduce((total, interval) => total + interval[key], 0);
    console.log(
      `charts: ${timeline.intervals.length} intervals of ${timeline.intervalMs} ms; ${sum('succeeded')} succeeded, ${sum('retried')} retried, ` +
        `${sum('rateLimited')} × 429, ${timeline.cooldowns.length} cooldown bands, window sizes ${timeline.concurrency.map((point) => point.size).join(' → ')}`,
    );
  }
  await viewer.close();
} else {
  console.log('Ctrl-C to stop');
  process.once('SIGINT', () => void viewer.close().then(() => process.exit(0)));
}
