/**
 * The emulator side of the benchmark, run as its own process so that its CPU never counts against
 * the client being measured. It serves a small control API over HTTP on 127.0.0.1:
 *
 *   POST   /emulators            body: MockProviderServerOptions -> { id, url }
 *   GET    /emulators/{id}/stats -> { stats, peakInFlight, journalEntries }
 *   DELETE /emulators/{id}       -> closes that emulator
 *   GET    /process              -> { cpuMicroseconds, rssBytes }
 *
 * and prints `{"controlUrl": "..."}` as its first stdout line. Each contender of each scenario gets a
 * fresh emulator, so rate-limit buckets, fault draws and counters never leak from one run into the next.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createMockProviderServer, type JournalEntry, type MockProviderServer, type MockProviderServerOptions } from '../src/testing/mock-server/index.js';

const emulators = new Map<string, MockProviderServer>();
let nextId = 1;

/**
 * The most requests the emulator held open at once, from the journal's start times and durations:
 * the peak in-flight count as the server saw it, not as the client believes it sent.
 */
function peakInFlight(journal: readonly JournalEntry[]): number {
  const events: [number, number][] = [];
  for (const entry of journal) {
    events.push([entry.startedAt, 1], [entry.startedAt + entry.durationMs, -1]);
  }
  // At equal times, ends before starts: a request answered in the same millisecond as the next one
  // started did not overlap with it.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, change] of events) {
    current += change;
    if (current > peak) peak = current;
  }
  return peak;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const control = createServer((request, response) => {
  void (async () => {
    try {
      const path = request.url ?? '/';
      const match = /^\/emulators\/(\d+)(\/stats)?$/.exec(path);
      if (request.method === 'POST' && path === '/emulators') {
        const options = (await readJson(request)) as MockProviderServerOptions;
        const emulator = await createMockProviderServer(options);
        const id = String(nextId++);
        emulators.set(id, emulator);
        return send(response, 200, { id, url: emulator.url });
      }
      if (request.method === 'GET' && path === '/process') {
        const usage = process.cpuUsage();
        return send(response, 200, { cpuMicroseconds: usage.user + usage.system, rssBytes: process.memoryUsage().rss });
      }
      const emulator = match ? emulators.get(match[1] as string) : undefined;
      if (match && emulator === undefined) return send(response, 404, { error: 'no such emulator' });
      if (emulator && request.method === 'GET' && match?.[2] === '/stats') {
        // With `journalBodies`, the size of a generation request as this client sends it (the TPM
        // scenario needs it: the emulator charges ceil(body bytes / 4) + max tokens per request).
        const sample = emulator.journal.find((entry) => entry.endpoint === 'chat.completions' && entry.body !== undefined);
        const requestBodyBytes = sample === undefined ? undefined : Buffer.byteLength(JSON.stringify(sample.body));
        return send(response, 200, { stats: emulator.stats(), peakInFlight: peakInFlight(emulator.journal), journalEntries: emulator.journal.length, requestBodyBytes });
      }
      if (emulator && request.method === 'DELETE' && match?.[2] === undefined) {
        emulators.delete(match?.[1] as string);
        await emulator.close();
        return send(response, 200, { closed: true });
      }
      send(response, 404, { error: `unknown route ${request.method} ${path}` });
    } catch (error) {
      send(response, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  })();
});

control.listen(0, '127.0.0.1', () => {
  const address = control.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ controlUrl: `http://127.0.0.1:${port}` })}\n`);
});

async function shutdown(): Promise<void> {
  await Promise.all([...emulators.values()].map((emulator) => emulator.close().catch(() => undefined)));
  control.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
// The parent's death closes stdin: do not outlive it.
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
