// The million-request client path: `createBatchClient({ provider: emulated(...), store:
// fileStore(...) }).run(generator)` with a zero-latency in-process call strategy, so what is
// measured is the client (validation, storing requests, planning, journaling results, the
// aggregate) around the adapter. Reports the time to the first call, the total, client CPU per
// item, peak RSS and the size of the job folder on disk.
// Run: node --import tsx bench/client-million.ts [count] [concurrency] [keep|lean] [checked|streaming]   (the built package; `npm run build`)
// `lean` (the default) runs with `keepResults: false`, as a job of this size should; `keep` holds
// every result in the aggregate, as `run()` does by default.
// LLM_BATCH_DIST=/abs/dist loads another build.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Library = typeof import('../dist/index.js');
const folder = process.env['LLM_BATCH_DIST'];
// A computed specifier: a bundler (esbuild, to run this as plain JavaScript) leaves the import alone
// instead of bundling a second copy of the library into the bench, which would count in its RSS.
const specifier = folder === undefined ? new URL('../dist/index.js', import.meta.url).href : `${pathToFileURL(folder).href}/index.js`;
const library = (await import(specifier)) as Library;
const { createBatchClient, emulated, fileStore } = library;

const count = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 64);
const keepResults = process.argv[4] === 'keep';
// `streaming`: `intake: 'streaming'`, calls start while the input is read (the default checks it all first).
const intake = process.argv[5] === 'streaming' ? 'streaming' : 'checked';

const started = performance.now();
let firstCallAt: number | undefined;
let intakeCpu: NodeJS.CpuUsage | undefined;
let intakePeakRss: number | undefined;
let calls = 0;
const instant: import('../dist/index.js').CallStrategy = {
  name: 'instant',
  async call(request) {
    calls += 1;
    if (firstCallAt === undefined) {
      firstCallAt = performance.now();
      intakeCpu = process.cpuUsage(cpuBefore);
      intakePeakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 }, model: request.model ?? 'bench-model' };
  },
};

function* generate(): Generator<import('../dist/index.js').BatchRequest> {
  for (let index = 0; index < count; index++) {
    yield { id: `r${index}`, model: 'bench-model', maxTokens: 16, messages: [{ role: 'user', content: `prompt number ${index}` }] };
  }
}

async function sizeOf(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    // A lease file may be released (deleted) while the folder is walked.
    total += entry.isDirectory() ? await sizeOf(full) : ((await stat(full).catch(() => undefined))?.size ?? 0);
  }
  return total;
}

// The process before any work (the runtime, tsx's loader, the library): part of every peak below.
const startRss = process.memoryUsage().rss;
let peakRss = startRss;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
}, 50);
const directory = await mkdtemp(join(tmpdir(), 'llm-batch-million-'));
const cpuBefore = process.cpuUsage();
try {
  const client = createBatchClient({ provider: emulated({ call: instant, concurrency }), store: fileStore({ dir: directory }) });
  const aggregate = await client.run(generate(), { keepResults, intake });
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await client.close();
  const storeBytes = await sizeOf(directory);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'client-million',
      requests: count,
      concurrency,
      calls,
      succeeded: aggregate.counts.succeeded,
      firstCallAfterMs: firstCallAt === undefined ? undefined : Math.round(firstCallAt - started),
      elapsedMs: Math.round(elapsedMs),
      cpuMicrosecondsPerItem: Math.round((cpu.user + cpu.system) / count),
      intakeCpuMicrosecondsPerItem: intakeCpu === undefined ? undefined : Math.round(((intakeCpu.user + intakeCpu.system) / count) * 10) / 10,
      keepResults,
      intake,
      peakRssMb: Math.round(peakRss / 1024 / 1024),
      startRssMb: Math.round(startRss / 1024 / 1024),
      intakePeakRssMb: intakePeakRss === undefined ? undefined : Math.round(intakePeakRss / 1024 / 1024),
      peakHeapUsedMb: Math.round(peakHeap / 1024 / 1024),
      storeMb: Math.round((storeBytes / 1024 / 1024) * 10) / 10,
      node: process.version,
    })}\n`,
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
