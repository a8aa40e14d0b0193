/**
 * What the run-event journal (the viewer's rate-limit story) costs an emulated run: CPU time per
 * request of this process (client, engine and the in-process emulator alike), with a store that
 * keeps run events (`memoryStore`) and with the same store with `appendRunEvents` hidden, in
 * alternating rounds of one run. 2% of the calls are answered 429, so some events are written.
 *
 * Run: node --import tsx bench/run-events-cpu.ts [requests] [rounds]   (default 3,000 and 4; about 30 s)
 * Imports the built package: run `npm run build` first. Prints one JSON object on one line.
 */
import { createBatchClient, emulated, memoryStore, type BatchStore } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer } from 'llm-batch/testing';

const count = Number(process.argv[2] ?? 3_000);
const rounds = Number(process.argv[3] ?? 4);
const server = await createMockProviderServer({ latency: 0, faults: { rates: { '429': 0.02 }, retryAfterMs: 20, timing: 'at-once' } });

async function cpuPerRequest(withEvents: boolean): Promise<{ cpuUs: number; events: number }> {
  const base = memoryStore();
  const store: BatchStore = withEvents ? base : { ...base, appendRunEvents: undefined, readRunEvents: undefined };
  const client = createBatchClient({ store, provider: emulated({ call: openaiChat({ baseURL: `${server.url}/v1`, apiKey: 'local' }), concurrency: 32 }) });
  const requests = Array.from({ length: count }, (_, index) => ({ id: `r${index}`, model: 'gpt-5.4-mini', messages: [{ role: 'user' as const, content: `Question ${index}` }] }));
  const started = process.cpuUsage();
  const job = await client.submit(requests);
  await client.wait(job.id);
  const used = process.cpuUsage(started);
  await client.close();
  let events = 0;
  for await (const _event of base.readRunEvents?.(job.id) ?? []) events++;
  return { cpuUs: Math.round((used.user + used.system) / count), events };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
try {
  await cpuPerRequest(true);
  await cpuPerRequest(false);
  const withEvents: number[] = [];
  const without: number[] = [];
  let events = 0;
  for (let round = 0; round < rounds; round++) {
    const measured = await cpuPerRequest(true);
    withEvents.push(measured.cpuUs);
    events = measured.events;
    without.push((await cpuPerRequest(false)).cpuUs);
  }
  console.log(
    JSON.stringify({ requests: count, rounds, eventsPerRun: events, cpuUsPerRequestWithEvents: withEvents, cpuUsPerRequestWithout: without, medianWith: median(withEvents), medianWithout: median(without), node: process.version }),
  );
} finally {
  await server.close();
}
