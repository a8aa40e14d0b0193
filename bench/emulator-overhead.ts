/**
 * The emulator's own cost per request: requests per second and server CPU microseconds per request
 * at zero latency, over keep-alive connections, with the server in a separate process so the load
 * generator's CPU is not counted.
 *
 * Run: node --import tsx bench/emulator-overhead.ts [--requests 20000] [--concurrency 64]
 * Prints one JSON object.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createMockProviderServer } from '../src/testing/mock-server/index.js';

type ServerMessage = { type: 'ready'; url: string } | { type: 'cpu'; user: number; system: number; rss: number };

async function serve(): Promise<void> {
  const server = await createMockProviderServer({ journalLimit: 1000 });
  process.send?.({ type: 'ready', url: server.url } satisfies ServerMessage);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ type: 'cpu', user: usage.user, system: usage.system, rss: process.memoryUsage().rss } satisfies ServerMessage);
    } else if (message.type === 'stop') {
      void server.close().then(() => process.exit(0));
    }
  });
}

async function ask<T extends ServerMessage['type']>(child: ChildProcess, type: T): Promise<Extract<ServerMessage, { type: T }>> {
  if (type !== 'ready') child.send({ type });
  for (;;) {
    const [message] = (await once(child, 'message')) as [ServerMessage];
    if (message.type === type) return message as Extract<ServerMessage, { type: T }>;
  }
}

async function load(url: string, total: number, concurrency: number, path: string, headers: Record<string, string>, body: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let failures = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const request = httpRequest(`${url}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        if (response.statusCode !== 200) failures += 1;
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        await one();
      }
    }),
  );
  agent.destroy();
  return failures;
}

async function measure(
  child: ChildProcess,
  url: string,
  label: string,
  total: number,
  concurrency: number,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, number | string>> {
  // Warm up the JIT and the connection pool before measuring.
  await load(url, Math.min(2000, total), concurrency, path, headers, body);
  const before = await ask(child, 'cpu');
  const started = performance.now();
  const failures = await load(url, total, concurrency, path, headers, body);
  const seconds = (performance.now() - started) / 1000;
  const after = await ask(child, 'cpu');
  const cpuMicroseconds = after.user - before.user + (after.system - before.system);
  return {
    endpoint: label,
    requests: total,
    concurrency,
    failures,
    requestsPerSecond: Math.round(total / seconds),
    serverCpuMicrosecondsPerRequest: Math.round(cpuMicroseconds / total),
    serverRssMegabytes: Math.round(after.rss / 1024 / 1024),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { serve: { type: 'boolean' }, requests: { type: 'string' }, concurrency: { type: 'string' } } });
  if (values.serve === true) return serve();
  const total = Number(values.requests ?? 20_000);
  const concurrency = Number(values.concurrency ?? 64);
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await ask(child, 'ready');
  const chat = await measure(child, url, 'POST /v1/chat/completions', total, concurrency, '/v1/chat/completions', { authorization: 'Bearer bench' }, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How much overhead does the emulator add?' }] }));
  const messages = await measure(
    child,
    url,
    'POST /v1/messages',
    total,
    concurrency,
    '/v1/messages',
    { 'x-api-key': 'bench', 'anthropic-version': '2023-06-01' },
    JSON.stringify({ model: 'claude-bench', max_tokens: 64, messages: [{ role: 'user', content: 'How much overhead does the emulator add?' }] }),
  );
  child.send({ type: 'stop' });
  await once(child, 'exit');
  process.stdout.write(`${JSON.stringify({ node: process.version, cpus: (await import('node:os')).cpus().length, results: [chat, messages] }, null, 2)}\n`);
}

await main();
