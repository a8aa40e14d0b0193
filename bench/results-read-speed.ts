/**
 * Reading a ~200 MB OpenAI output file: the OpenAI adapter's `results()` (SDK
 * `files.content` over HTTP, line splitting, `JSON.parse`, mapping each line to a result) against
 * a plain loop over the same bytes from the same server (`fetch`, `TextDecoder`, split on
 * newlines, `JSON.parse`). The file is served by a child process, so the server's CPU is not
 * this process's. Runs alternate (ours, plain, ours, plain ...) and the ratio is taken from the
 * medians of one run, so a busy machine slows both alike. Wall clock and CPU time are reported,
 * and the heap growth of `results()` (peak `heapUsed` minus the baseline).
 *
 * Run: node --expose-gc --import tsx bench/results-read-speed.ts [rounds=3] [megabytes=200]
 * About 1 minute on a quiet machine at the defaults.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openaiBatch } from '../src/adapters/openai/openai-batch-adapter.js';
import { writeOpenAIOutputFile } from './openai-output-file.js';

const megabyte = 1024 * 1024;
const rounds = Number(process.argv[2] ?? 3);
const targetBytes = Number(process.argv[3] ?? 200) * megabyte;

const serverSource = `
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
const path = process.argv[1];
const server = createServer((request, response) => {
  if (request.url === '/v1/batches/batch_bench') {
    response.setHeader('content-type', 'application/json');
    return response.end(JSON.stringify({ id: 'batch_bench', object: 'batch', status: 'completed', output_file_id: 'file-out', error_file_id: null }));
  }
  if (request.url === '/v1/files/file-out/content') {
    response.setHeader('content-type', 'application/octet-stream');
    return createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(response);
  }
  response.statusCode = 404;
  response.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

interface Measured {
  wallSeconds: number;
  cpuSeconds: number;
  lines: number;
  outputTokens: number;
  heapGrowthMb: number;
}

async function measure(read: (count: (outputTokens: number) => void) => Promise<void>): Promise<Measured> {
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let lines = 0;
  let outputTokens = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await read((tokens) => {
    lines += 1;
    outputTokens += tokens;
    if (lines % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wallSeconds, cpuSeconds: (used.user + used.system) / 1e6, lines, outputTokens, heapGrowthMb: Math.round(((peak - baseline) / megabyte) * 10) / 10 };
}

const directory = await mkdtemp(join(tmpdir(), 'llm-batch-read-speed-'));
const child = spawn(process.execPath, ['--input-type=module', '-e', serverSource, join(directory, 'output.jsonl')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const { bytes: fileBytes } = await writeOpenAIOutputFile(join(directory, 'output.jsonl'), targetBytes);
  const [portText] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(portText.toString().trim());
  const adapter = openaiBatch({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${port}/v1` });

  const ours = (count: (tokens: number) => void) =>
    (async () => {
      for await (const result of adapter.results({ id: 'batch_bench' }, { warn: () => {} })) count(result.status === 'succeeded' ? result.usage.outputTokens : 0);
    })();
  const plain = async (count: (tokens: number) => void) => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/files/file-out/content`);
    const decoder = new TextDecoder();
    let rest = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const text = rest + decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        const line = JSON.parse(text.slice(start, end)) as { response: { body: { usage: { completion_tokens: number } } } };
        count(line.response.body.usage.completion_tokens);
        start = end + 1;
      }
      rest = text.slice(start);
    }
  };

  const runs: { ours: Measured[]; plain: Measured[] } = { ours: [], plain: [] };
  for (let round = 0; round < rounds; round++) {
    runs.ours.push(await measure(ours));
    runs.plain.push(await measure(plain));
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const summary = (measured: Measured[]) => ({
    wallSeconds: median(measured.map((entry) => entry.wallSeconds)),
    cpuSeconds: median(measured.map((entry) => entry.cpuSeconds)),
    megabytesPerSecond: Math.round(fileBytes / megabyte / median(measured.map((entry) => entry.wallSeconds))),
    heapGrowthMb: Math.max(...measured.map((entry) => entry.heapGrowthMb)),
    lines: measured[0]!.lines,
  });
  const oursSummary = summary(runs.ours);
  const plainSummary = summary(runs.plain);
  if (oursSummary.lines !== plainSummary.lines) throw new Error(`results() read ${oursSummary.lines} results, the plain loop ${plainSummary.lines} lines`);
  console.log(
    JSON.stringify({
      benchmark: 'results-read-speed',
      fileMb: Math.round(fileBytes / megabyte),
      rounds,
      results: oursSummary,
      plainLoop: plainSummary,
      speedOfPlainLoopWall: Math.round((plainSummary.wallSeconds / oursSummary.wallSeconds) * 100) / 100,
      speedOfPlainLoopCpu: Math.round((plainSummary.cpuSeconds / oursSummary.cpuSeconds) * 100) / 100,
      wallSamples: { ours: runs.ours.map((entry) => Math.round(entry.wallSeconds * 100) / 100), plain: runs.plain.map((entry) => Math.round(entry.wallSeconds * 100) / 100) },
      node: process.version,
    }),
  );
} finally {
  child.kill();
  await rm(directory, { recursive: true, force: true });
}
