// Cancelling a large emulated job: `createBatchClient({ provider: emulated(...), store: fileStore(...) })`
// submits `count` requests to an in-process call strategy whose calls never answer, waits until
// `concurrency` calls are in flight, then cancels the job and waits for it to end. What is measured
// is the CPU from the cancel to the cancelled job: the calls in flight aborted, and a `cancelled`
// result prepared (checked, redacted) and journaled for every request that never ran.
// Run: node --import tsx bench/cancel-large-job.ts [count] [concurrency]   (the built package; `npm run build`)
// LLM_BATCH_DIST=/abs/dist loads another build.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Library = typeof import('../dist/index.js');
const folder = process.env['LLM_BATCH_DIST'];
// A computed specifier, as in client-million.ts: a bundler leaves the import alone.
const specifier = folder === undefined ? new URL('../dist/index.js', import.meta.url).href : `${pathToFileURL(folder).href}/index.js`;
const library = (await import(specifier)) as Library;
const { createBatchClient, emulated, fileStore } = library;

const count = Number(process.argv[2] ?? 200_000);
const concurrency = Number(process.argv[3] ?? 64);

let inFlight = 0;
let allInFlight: (() => void) | undefined;
const reachedConcurrency = new Promise<void>((resolve) => (allInFlight = resolve));
const hanging: import('../dist/index.js').CallStrategy = {
  name: 'hanging',
  call(_request, { signal }) {
    inFlight += 1;
    if (inFlight >= concurrency) allInFlight?.();
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  },
};

function* generate(): Generator<import('../dist/index.js').BatchRequest> {
  for (let index = 0; index < count; index++) {
    yield { id: `r${index}`, model: 'bench-model', maxTokens: 16, messages: [{ role: 'user', content: `prompt number ${index}` }] };
  }
}

const directory = await mkdtemp(join(tmpdir(), 'llm-batch-cancel-'));
try {
  const client = createBatchClient({ provider: emulated({ call: hanging, concurrency }), store: fileStore({ dir: directory }) });
  const job = await client.submit(generate());
  await reachedConcurrency;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await client.cancel(job.id);
  const ended = await client.wait(job.id, { pollIntervalMs: 10 });
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await client.close();
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'cancel-large-job',
      requests: count,
      concurrency,
      status: ended.status,
      cancelled: ended.counts.cancelled,
      cancelCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      cancelCpuMicrosecondsPerItem: Math.round(((cpu.user + cpu.system) / count) * 10) / 10,
      elapsedMs: Math.round(elapsedMs),
      node: process.version,
    })}\n`,
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
