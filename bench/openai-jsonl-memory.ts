/**
 * Heap growth of the OpenAI adapter's two large streams:
 *  1. building the JSONL input file of a 50,000-request part (what `submit` does before the upload);
 *  2. reading a ~200 MB output file through `results()` (SDK `files.content`, line splitting, parsing).
 *
 * Each is timed (MB/s) and set against its practical limit: a plain `JSON.stringify` + write-stream
 * loop for the build, a plain read + split + `JSON.parse` loop for the results.
 *
 * Run: node --expose-gc --import tsx bench/openai-jsonl-memory.ts
 * Prints one JSON object. Heap growth = peak `heapUsed` during the run minus `heapUsed` before it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToOpenAIChatBody } from '../src/wire/openai/convert-to-openai-chat-body.js';
import { openaiBatch } from '../src/adapters/openai/openai-batch-adapter.js';
import { writeOpenAIBatchFile } from '../src/adapters/openai/write-openai-batch-file.js';
import type { BatchRequest } from '../src/models/batch-request.js';
import { writeOpenAIOutputFile } from './openai-output-file.js';

const megabyte = 1024 * 1024;
const requestCount = 50_000;
const outputTargetBytes = 200 * megabyte;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/** Samples heapUsed every few ms and on demand; returns the peak growth over the baseline. */
function heapProbe() {
  collectGarbage();
  const start = process.memoryUsage();
  const baseline = start.heapUsed;
  let peak = baseline;
  // Buffers live outside the JS heap; tracked too so that a file held in a Buffer would show.
  let peakArrayBuffers = start.arrayBuffers;
  const sample = () => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.heapUsed);
    peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return {
        baselineMb: round(baseline / megabyte),
        peakGrowthMb: round((peak - baseline) / megabyte),
        peakArrayBuffersGrowthMb: round((peakArrayBuffers - start.arrayBuffers) / megabyte),
      };
    },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

async function* generateRequests(): AsyncGenerator<BatchRequest> {
  const filler = 'Summarise the following paragraph in one sentence. '.repeat(20);
  for (let index = 0; index < requestCount; index += 1) {
    yield {
      id: `request_${index}`,
      model: 'gpt-4.1-mini',
      system: 'You are a careful assistant.',
      maxTokens: 256,
      temperature: 0.2,
      messages: [{ role: 'user', content: `${filler} #${index}` }],
    };
  }
}

async function measureBuild(directory: string) {
  const probe = heapProbe();
  const started = performance.now();
  let lines = 0;
  const file = await writeOpenAIBatchFile(
    generateRequests(),
    (request) => {
      lines += 1;
      if (lines % 1000 === 0) probe.sample();
      return JSON.stringify({ custom_id: request.id, method: 'POST', url: '/v1/chat/completions', body: convertToOpenAIChatBody(request).body });
    },
    { directory },
  );
  const seconds = (performance.now() - started) / 1000;
  const memory = probe.stop();
  await file.remove();
  return { requests: file.lines, fileMb: round(file.bytes / megabyte), seconds: round(seconds), megabytesPerSecond: round(file.bytes / megabyte / seconds), ...memory };
}

/**
 * The practical limit of the build: the same lines from the same generator, `JSON.stringify` and a
 * write stream, with none of the library's conversion, validation or file handling.
 */
async function measureBuildBaseline(directory: string) {
  const probe = heapProbe();
  const started = performance.now();
  const stream = createWriteStream(join(directory, 'baseline-input.jsonl'));
  let bytes = 0;
  let lines = 0;
  for await (const request of generateRequests()) {
    const line = `${JSON.stringify({
      custom_id: request.id,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: request.model, messages: [{ role: 'system', content: request.system }, ...request.messages], max_completion_tokens: request.maxTokens, temperature: request.temperature },
    })}\n`;
    bytes += Buffer.byteLength(line);
    lines += 1;
    if (lines % 1000 === 0) probe.sample();
    if (!stream.write(line)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  const seconds = (performance.now() - started) / 1000;
  const memory = probe.stop();
  await rm(join(directory, 'baseline-input.jsonl'), { force: true });
  return { requests: lines, fileMb: round(bytes / megabyte), seconds: round(seconds), megabytesPerSecond: round(bytes / megabyte / seconds), ...memory };
}

/**
 * The practical limit of the results parse: the same file read from disk, split on newlines and
 * `JSON.parse`d line by line, with no HTTP, no result mapping and no validation.
 */
async function measureReadBaseline(path: string) {
  const probe = heapProbe();
  const started = performance.now();
  let rest = '';
  let lines = 0;
  let outputTokens = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      const line = JSON.parse(text.slice(start, end)) as { response: { body: { usage: { completion_tokens: number } } } };
      outputTokens += line.response.body.usage.completion_tokens;
      lines += 1;
      start = end + 1;
    }
    rest = text.slice(start);
    probe.sample();
  }
  const seconds = (performance.now() - started) / 1000;
  const memory = probe.stop();
  const bytes = (await stat(path)).size;
  return { lines, outputTokens, fileMb: round(bytes / megabyte), seconds: round(seconds), megabytesPerSecond: round(bytes / megabyte / seconds), ...memory };
}

const discardServerSource = `
import { createServer } from 'node:http';
let uploaded = 0;
const server = createServer((request, response) => {
  response.setHeader('content-type', 'application/json');
  if (request.url === '/uploaded') return response.end(JSON.stringify({ bytes: uploaded }));
  const isUpload = request.method === 'POST' && request.url === '/v1/files';
  request.on('data', (chunk) => { if (isUpload) uploaded += chunk.length; });
  request.on('end', () => response.end(JSON.stringify(isUpload
    ? { id: 'file-in', object: 'file', bytes: uploaded, created_at: 0, filename: 'in.jsonl', purpose: 'batch', status: 'processed' }
    : { id: 'batch_bench', object: 'batch', endpoint: '/v1/chat/completions', input_file_id: 'file-in', completion_window: '24h', status: 'validating', created_at: 0 })));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

/** The whole `submit` of a 50,000-request part: JSONL built on disk, then uploaded as a stream. */
async function measureSubmit(directory: string) {
  // A minimal OpenAI-shaped server in a child process (so its receive buffers do not count here)
  // that counts and discards the upload.
  const child = spawn(process.execPath, ['--input-type=module', '-e', discardServerSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [portText] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(portText.toString().trim());
  const adapter = openaiBatch({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${port}/v1`, temporaryDirectory: directory });
  const probe = heapProbe();
  // With BENCH_GC_DURING_UPLOAD=1 the collector runs while sampling: shows whether off-heap growth is garbage or held.
  const collectDuringUpload = process.env['BENCH_GC_DURING_UPLOAD'] === '1';
  let ticks = 0;
  const sampler = setInterval(() => {
    ticks += 1;
    if (collectDuringUpload && ticks % 5 === 0) (globalThis as { gc?: () => void }).gc?.();
    probe.sample();
  }, 2);
  await adapter.submit(
    {
      jobId: 'job_bench',
      partId: 'part_0',
      index: 0,
      model: 'gpt-4.1-mini',
      requestCount,
      metadata: {},
      requests: generateRequests,
    },
    { warn: () => {}, checkpoint: async () => {}, recordResult: async () => {} },
  );
  clearInterval(sampler);
  const memory = probe.stop();
  const uploaded = await (await fetch(`http://127.0.0.1:${port}/uploaded`)).json() as { bytes: number };
  child.kill();
  return { requests: requestCount, uploadedMb: round(uploaded.bytes / megabyte), ...memory };
}

async function measureRead(directory: string) {
  const path = join(directory, 'output.jsonl');
  const written = await writeOpenAIOutputFile(path, outputTargetBytes);
  // A minimal OpenAI-shaped server: the batch points at one output file, streamed from disk.
  const server = createServer((request, response) => {
    if (request.url === '/v1/batches/batch_bench') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: 'batch_bench', object: 'batch', status: 'completed', output_file_id: 'file-out', error_file_id: null }));
      return;
    }
    if (request.url === '/v1/files/file-out/content') {
      response.setHeader('content-type', 'application/octet-stream');
      createReadStream(path).pipe(response);
      return;
    }
    response.statusCode = 404;
    response.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const adapter = openaiBatch({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${port}/v1` });

  const probe = heapProbe();
  const started = performance.now();
  let results = 0;
  let outputTokens = 0;
  const warnings: string[] = [];
  for await (const result of adapter.results({ id: 'batch_bench' }, { warn: (message) => warnings.push(message) })) {
    results += 1;
    if (result.status === 'succeeded') outputTokens += result.usage.outputTokens;
    if (results % 1000 === 0) probe.sample();
  }
  const seconds = (performance.now() - started) / 1000;
  const memory = probe.stop();
  server.close();
  const fileBytes = (await stat(path)).size;
  const baseline = await measureReadBaseline(path);
  return {
    read: { lines: written.lines, fileMb: round(fileBytes / megabyte), results, outputTokens, warnings: warnings.length, seconds: round(seconds), megabytesPerSecond: round(fileBytes / megabyte / seconds), ...memory },
    baseline,
  };
}

const directory = await mkdtemp(join(tmpdir(), 'llm-batch-bench-'));
try {
  // `read` as the first argument measures the results read alone (for profiling it).
  const readOnly = process.argv[2] === 'read';
  const skipped = { peakGrowthMb: 0, skipped: true };
  const build = readOnly ? skipped : await measureBuild(directory);
  const buildBaseline = readOnly ? skipped : await measureBuildBaseline(directory);
  const submit = readOnly ? skipped : await measureSubmit(directory);
  const { read, baseline: readBaseline } = await measureRead(directory);
  const limitMb = 64;
  console.log(
    JSON.stringify(
      {
        node: process.version,
        buildJsonl: build,
        buildJsonlBaseline: buildBaseline,
        submitBuildAndUpload: submit,
        readOutput: read,
        readOutputBaseline: readBaseline,
        limitMb,
        pass: build.peakGrowthMb < limitMb && submit.peakGrowthMb < limitMb && read.peakGrowthMb < limitMb,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
