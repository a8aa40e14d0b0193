// Peak resident memory of the emulated adapter over 1,000,000 requests fed from a generator, with a
// zero-latency in-process call strategy (so the adapter itself, not the network, is measured).
// Run: node --import tsx bench/emulated-memory.ts [count] [concurrency]
// The built package, as users load it (`npm run build`).
import { emulated, type BatchRequest, type CallStrategy } from '../dist/index.js';

const count = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 32);

const instant: CallStrategy = {
  name: 'instant',
  async call(request) {
    return {
      text: 'ok',
      finishReason: 'stop',
      usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 },
      model: request.model ?? 'bench-model',
    };
  },
};

async function* generate(): AsyncGenerator<BatchRequest> {
  for (let index = 0; index < count; index++) {
    yield { id: `r${index}`, model: 'bench-model', maxTokens: 16, messages: [{ role: 'user', content: `prompt number ${index}` }] };
  }
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

let journaled = 0;
const provider = emulated({ call: instant, concurrency });
const startedAt = performance.now();
const cpuBefore = process.cpuUsage();
const reference = await provider.submit(
  { jobId: 'bench', partId: 'part_0', index: 0, requestCount: count, metadata: {}, requests: generate },
  {
    warn: () => {},
    checkpoint: async () => {},
    // The results go nowhere: what is measured is the adapter, not a store holding a million results.
    recordResult: async () => {
      journaled += 1;
    },
  },
);
await provider.waitForRun(reference);
const elapsedMs = performance.now() - startedAt;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const poll = await provider.poll(reference, { warn: () => {} });

process.stdout.write(
  `${JSON.stringify({
    benchmark: 'emulated-memory',
    requests: count,
    concurrency,
    journaled,
    status: poll.status,
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    limitMb: 300,
    pass: peakRss / 1024 / 1024 < 300,
    elapsedMs: Math.round(elapsedMs),
    cpuMicrosecondsPerItem: Math.round((cpu.user + cpu.system) / count),
    itemsPerSecond: Math.round(count / (elapsedMs / 1000)),
    node: process.version,
  })}\n`,
);
