import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactSecrets } from '../../errors/redact-secrets.js';
import { itemStatuses, type BatchResult } from '../../models/batch-result.js';
import { isTerminalStatus, type JobManifest } from '../../models/batch-job.js';
import type { BatchStore } from '../../store/batch-store.js';
import { checkOptionKeys, failOption, optionNames } from '../../validation/check-options.js';
import { writeResults } from '../write-results.js';
import { describeJob, matchesSearch, resultRow, summarizeJob, withoutRaw } from './job-summaries.js';
import { JobWatcher } from './job-watcher.js';
import { TimelineBuilder } from './run-timeline.js';
import type { RunEvent } from '../../models/run-event.js';
import { viewerCss, viewerHtml } from './viewer-html.js';

/** Options of {@link startViewer}. */
export interface ViewerOptions {
  /** The job store to show (`fileStore()`, a Redis store ...). */
  readonly store: BatchStore;
  /** The port on 127.0.0.1 (default: 0, a free one). */
  readonly port?: number;
  /** Turns cancel and retry off: the page only reads. */
  readonly readOnly?: boolean;
  /**
   * Cancels a job when the page asks (after its confirmation). Default: `store.requestCancel(jobId)`,
   * which the process driving the job obeys.
   */
  readonly cancel?: (jobId: string) => Promise<unknown>;
  /** Retries a job's failed items; resolves to the retry job's id. Without it the page offers no retry. */
  readonly retry?: (jobId: string) => Promise<string>;
  /** How often the one watcher of a live job reads its manifest, in ms (default: 1000). */
  readonly pollIntervalMs?: number;
}

/** A running viewer. */
export interface Viewer {
  /** The URL to open, with its token: `http://127.0.0.1:PORT/?token=...`. */
  readonly url: string;
  readonly port: number;
  /** The token every request must carry (in the URL, then a cookie, or the `x-viewer-token` header). */
  readonly token: string;
  close(): Promise<void>;
}

const viewerOptionNames = optionNames<ViewerOptions>({ store: true, port: true, readOnly: true, cancel: true, retry: true, pollIntervalMs: true });

/** Internal knobs of the tests: where the page's built script is. */
export interface ViewerInternals {
  readonly assetDir?: string;
}

const cookieName = 'llm_batch_viewer';
const maxPageSize = 500;
const maxCursors = 16;
const cursorIdleMs = 30_000;
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

/** Where the built page script sits beside the bundled server (dist/viewer/page.js). */
function defaultAssetDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, 'viewer');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the local job viewer over `options.store`: a web page and a JSON API on 127.0.0.1 only,
 * every request checked for its token and its `Host` header. Resolves once it listens.
 *
 * @example
 * const viewer = await startViewer({ store: fileStore({ dir: './jobs' }) });
 * console.log(viewer.url); // open it in a browser
 */
export async function startViewer(options: ViewerOptions, internals: ViewerInternals = {}): Promise<Viewer> {
  if (typeof options !== 'object' || options === null) failOption('startViewer()', 'options', 'an object', options);
  checkOptionKeys('startViewer()', options, viewerOptionNames);
  const store = options.store;
  if (typeof store !== 'object' || store === null || typeof store.loadJob !== 'function') failOption('startViewer()', 'store', 'a BatchStore', store);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) failOption('startViewer()', 'port', 'a whole number from 0 to 65535', port);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < 10) failOption('startViewer()', 'pollIntervalMs', 'a number of milliseconds, at least 10', pollIntervalMs);
  for (const name of ['cancel', 'retry'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') failOption('startViewer()', name, 'a function', options[name]);
  }
  const readOnly = options.readOnly === true;
  const token = randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const assetDir = internals.assetDir ?? defaultAssetDir();
  const watchers = new Map<string, JobWatcher>();
  const openStreams = new Set<ServerResponse>();
  let boundPort = port;

  const watcherOf = (jobId: string): JobWatcher => {
    let watcher = watchers.get(jobId);
    if (!watcher) {
      watcher = new JobWatcher(store, jobId, pollIntervalMs);
      watchers.set(jobId, watcher);
    }
    return watcher;
  };

  const sameToken = (candidate: string | undefined): boolean => {
    if (candidate === undefined) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${boundPort}`, `localhost:${boundPort}`]);

  const loadJob = async (jobId: string): Promise<JobManifest> => {
    let job: JobManifest | undefined;
    try {
      job = await store.loadJob(jobId);
    } catch (error) {
      if (error instanceof TypeError) throw new HttpError(400, `Invalid job id ${JSON.stringify(jobId)}`);
      throw error;
    }
    if (!job) throw new HttpError(404, `No job ${JSON.stringify(jobId)} in the store`);
    return job;
  };

  const sendJson = (response: ServerResponse, status: number, value: unknown): void => {
    const body = redactSecrets(JSON.stringify(value));
    response.writeHead(status, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8' });
    response.end(body);
  };

  const analyses = new Map<string, { version: string; value: unknown }>();

  async function analyse(job: JobManifest) {
    const version = `${job.updatedAt}|${job.counts.pending}`;
    const cached = analyses.get(job.id);
    if (cached && cached.version === version) return cached.value;
    const categories = new Map<string, { category: string; count: number; samples: { id: string; message: string }[] }>();
    const order: number[] = [];
    const statuses = new Map<string, number>(itemStatuses.map((status, index) => [status, index]));
    const latencies: number[] = [];
    const timeline = new TimelineBuilder();
    for await (const result of store.readResults(job.id)) {
      order.push(statuses.get(result.status) ?? 1);
      timeline.add(result);
      if ('latencyMs' in result && typeof result.latencyMs === 'number') latencies.push(result.latencyMs);
      if (result.status === 'succeeded' || !result.error) continue;
      const { category, message } = result.error;
      let group = categories.get(category);
      if (!group) categories.set(category, (group = { category, count: 0, samples: [] }));
      group.count++;
      if (group.samples.length < 3) group.samples.push({ id: result.id, message: message.length > 500 ? `${message.slice(0, 500)}…` : message });
    }
    // The journal in completion order, cut into at most 100 slices: what succeeded and failed in each.
    const slices = Math.min(100, order.length);
    const completion = Array.from({ length: slices }, () => ({ succeeded: 0, failed: 0, other: 0 }));
    order.forEach((status, index) => {
      const slice = completion[Math.floor((index * slices) / order.length)]!;
      if (status === 0) slice.succeeded++;
      else if (status === 1) slice.failed++;
      else slice.other++;
    });
    latencies.sort((a, b) => a - b);
    const quantile = (q: number) => (latencies.length === 0 ? undefined : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
    const events: RunEvent[] = [];
    if (store.readRunEvents !== undefined) for await (const event of store.readRunEvents(job.id)) events.push(event);
    const value = {
      journaled: order.length,
      timeline: timeline.build(events),
      failures: [...categories.values()].sort((a, b) => b.count - a.count),
      completion,
      latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), count: latencies.length },
    };
    analyses.set(job.id, { version, value });
    return value;
  }

  // Open journal readers left where a page stopped, so that the next page reads on instead of
  // from the start. At most `maxCursors`, each closed after `cursorIdleMs` unused.
  interface Cursor {
    iterator: AsyncIterator<BatchResult>;
    /** How many matching results came before `lookahead` (the next page's offset). */
    position: number;
    /** The first result of the next page, already read. */
    lookahead: BatchResult | undefined;
    timer?: NodeJS.Timeout;
  }
  const cursors = new Map<string, Cursor>();
  const closeCursor = (cursor: Cursor) => {
    clearTimeout(cursor.timer);
    void cursor.iterator.return?.()?.catch(() => undefined);
  };
  const takeCursor = (key: string, offset: number): Cursor | undefined => {
    const cursor = cursors.get(key);
    if (!cursor) return undefined;
    cursors.delete(key);
    clearTimeout(cursor.timer);
    if (cursor.position === offset) return cursor;
    closeCursor(cursor);
    return undefined;
  };
  const keepCursor = (key: string, cursor: Cursor) => {
    const previous = cursors.get(key);
    if (previous) closeCursor(previous);
    cursors.set(key, cursor);
    cursor.timer = setTimeout(() => {
      if (cursors.get(key) === cursor) cursors.delete(key);
      closeCursor(cursor);
    }, cursorIdleMs);
    cursor.timer.unref();
    while (cursors.size > maxCursors) {
      const [oldestKey, oldest] = cursors.entries().next().value as [string, Cursor];
      cursors.delete(oldestKey);
      closeCursor(oldest);
    }
  };

  async function pageOfResults(jobId: string, query: URLSearchParams) {
    const job = await loadJob(jobId);
    const offset = readWholeNumber(query.get('offset'), 0, 'offset');
    const limit = Math.min(maxPageSize, Math.max(1, readWholeNumber(query.get('limit'), 50, 'limit')));
    const status = query.get('status') || undefined;
    if (status !== undefined && !(itemStatuses as readonly string[]).includes(status)) throw new HttpError(400, `status must be one of ${itemStatuses.join(', ')}`);
    const search = query.get('q') || undefined;
    const items: ReturnType<typeof resultRow>[] = [];
    let hasMore = false;
    const matches = (result: BatchResult) => (status === undefined || result.status === status) && (search === undefined || matchesSearch(result, search));
    // Streams the journal only as far as the page needs: the first page of a million results reads
    // fifty lines. "Next" goes on from where the previous page stopped (a cursor kept for a while).
    const key = `${jobId}\u0000${status ?? ''}\u0000${search ?? ''}`;
    let cursor = takeCursor(key, offset);
    if (!cursor && offset > 0 && status === undefined && search === undefined && store.readResultsFrom !== undefined) {
      // A deep page opened directly: the store seeks to it (the file store through a sparse index of its journal).
      cursor = { iterator: store.readResultsFrom(jobId, offset)[Symbol.asyncIterator](), position: offset, lookahead: undefined };
    }
    if (!cursor) {
      cursor = { iterator: store.readResults(jobId)[Symbol.asyncIterator](), position: 0, lookahead: undefined };
      while (cursor.position < offset) {
        const next = await cursor.iterator.next();
        if (next.done) break;
        if (matches(next.value)) cursor.position++;
      }
    }
    if (cursor.lookahead !== undefined) {
      items.push(resultRow(cursor.lookahead));
      cursor.lookahead = undefined;
    }
    let ended = false;
    while (true) {
      const next = await cursor.iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      if (!matches(next.value)) continue;
      if (items.length === limit) {
        hasMore = true;
        cursor.lookahead = next.value;
        break;
      }
      items.push(resultRow(next.value));
    }
    cursor.position = offset + items.length;
    // A running job's journal grows past what this reader will see: its next page starts afresh.
    if (ended || !isTerminalStatus(job.status)) closeCursor(cursor);
    else keepCursor(key, cursor);
    const unfiltered = status === undefined && search === undefined;
    const journaled = job.counts.total - job.counts.pending;
    return { offset, limit, items, hasMore, ...(unfiltered ? { total: journaled } : status !== undefined && search === undefined ? { total: job.counts[status as keyof typeof job.counts] } : {}) };
  }

  async function oneItem(jobId: string, itemId: string) {
    const job = await loadJob(jobId);
    let result: BatchResult | undefined;
    for await (const candidate of store.readResults(jobId)) {
      if (candidate.id === itemId) result = candidate;
    }
    let request: unknown;
    let rejected: string | undefined;
    let part: number | undefined;
    let index: number | undefined;
    search: for (const jobPart of job.parts) {
      for await (const stored of store.readRequests(jobId, jobPart.index)) {
        if (stored.request.id === itemId) {
          // A streaming intake's bad item: its record holds only why, not a request.
          if (stored.rejected === undefined) request = stored.request;
          else rejected = stored.rejected;
          part = jobPart.index;
          index = stored.index;
          break search;
        }
      }
    }
    if (result === undefined && request === undefined && rejected === undefined) throw new HttpError(404, `No item ${JSON.stringify(itemId)} in job ${jobId}`);
    return { id: itemId, ...(index !== undefined ? { index } : {}), ...(part !== undefined ? { part } : {}), request, ...(rejected === undefined ? {} : { rejected }), result: result && withoutRaw(result) };
  }

  async function download(response: ServerResponse, jobId: string, format: 'jsonl' | 'csv'): Promise<void> {
    const job = await loadJob(jobId);
    response.writeHead(200, {
      ...securityHeaders,
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${job.id}-results.${format}"`,
    });
    await writeResults(format, job, store.readResults(jobId), async (text) => {
      if (!response.write(redactSecrets(text))) await new Promise<void>((resolve) => response.once('drain', resolve));
    });
    response.end();
  }

  function events(request: IncomingMessage, response: ServerResponse, jobId: string): void {
    response.writeHead(200, { ...securityHeaders, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    response.write('retry: 2000\n\n');
    openStreams.add(response);
    const watcher = watcherOf(jobId);
    const unsubscribe = watcher.subscribe((job) => {
      response.write(`event: job\ndata: ${redactSecrets(JSON.stringify({ job: describeJob(job), progress: watcher.samples }))}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    const finish = () => {
      clearInterval(heartbeat);
      unsubscribe();
      openStreams.delete(response);
    };
    request.on('close', finish);
  }

  async function act(response: ServerResponse, jobId: string, action: 'cancel' | 'retry'): Promise<void> {
    if (readOnly) throw new HttpError(403, 'The viewer is read-only (--read-only)');
    await loadJob(jobId);
    if (action === 'cancel') {
      await (options.cancel ? options.cancel(jobId) : store.requestCancel(jobId));
      sendJson(response, 200, { ok: true, job: describeJob(await loadJob(jobId)) });
      return;
    }
    if (!options.retry) throw new HttpError(501, 'This viewer was started without a way to retry jobs');
    const retryJobId = await options.retry(jobId);
    sendJson(response, 200, { ok: true, retryJobId });
  }

  async function serveAsset(response: ServerResponse, name: 'page.js' | 'page.css'): Promise<void> {
    if (name === 'page.css') {
      response.writeHead(200, { ...securityHeaders, 'content-type': 'text/css; charset=utf-8' });
      response.end(viewerCss);
      return;
    }
    let script: Buffer;
    try {
      script = await readFile(join(assetDir, 'page.js'));
    } catch {
      throw new HttpError(500, 'The viewer page is not built (run the package build)');
    }
    response.writeHead(200, { ...securityHeaders, 'content-type': 'text/javascript; charset=utf-8' });
    response.end(script);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // No DNS rebinding: a page of another site resolved to 127.0.0.1 still sends its own Host.
    if (!allowedHosts().has((request.headers.host ?? '').toLowerCase())) throw new HttpError(421, 'Unexpected Host header');
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${boundPort}`);
    const headerToken = typeof request.headers['x-viewer-token'] === 'string' ? request.headers['x-viewer-token'] : undefined;
    const queryToken = url.searchParams.get('token') ?? undefined;
    const cookieToken = readCookie(request.headers.cookie, cookieName);
    const method = request.method ?? 'GET';
    if (method === 'POST') {
      // Actions need the header: a cookie alone (a form posted from elsewhere) is not enough.
      if (!sameToken(headerToken)) throw new HttpError(403, 'Missing or wrong token');
      const origin = request.headers.origin;
      if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, '').toLowerCase())) throw new HttpError(403, 'Unexpected Origin');
    } else if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpError(405, 'Method not allowed');
    } else if (!sameToken(headerToken) && !sameToken(queryToken) && !sameToken(cookieToken)) {
      throw new HttpError(403, 'Missing or wrong token: open the URL that `llm-batch ui` printed');
    }
    const path = url.pathname;
    if (method === 'GET' && path === '/') {
      response.writeHead(200, {
        ...securityHeaders,
        'content-type': 'text/html; charset=utf-8',
        'set-cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      response.end(viewerHtml({ readOnly, canRetry: options.retry !== undefined && !readOnly }));
      return;
    }
    if (method === 'GET' && (path === '/assets/page.js' || path === '/assets/page.css')) return serveAsset(response, path === '/assets/page.js' ? 'page.js' : 'page.css');
    if (method === 'GET' && path === '/api/jobs') {
      const status = url.searchParams.get('status') || undefined;
      const provider = url.searchParams.get('provider') || undefined;
      const damaged: string[] = [];
      const jobs = (await store.listJobs({ onDamaged: (error) => damaged.push(error.message) }))
        .filter((job) => (status === undefined || job.status === status) && (provider === undefined || job.provider === provider || job.parts.some((part) => part.provider === provider)))
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      sendJson(response, 200, { jobs: jobs.map(summarizeJob), damaged, readOnly, canRetry: options.retry !== undefined && !readOnly });
      return;
    }
    const match = /^\/api\/jobs\/([^/]+)(?:\/(results|failures|events|download\.jsonl|download\.csv|cancel|retry|items\/(.+)))?$/.exec(path);
    if (!match) throw new HttpError(404, 'Not found');
    const jobId = decodeURIComponent(match[1]!);
    const sub = match[2];
    if (method === 'POST') {
      if (sub === 'cancel' || sub === 'retry') return act(response, jobId, sub);
      throw new HttpError(405, 'Method not allowed');
    }
    if (sub === 'cancel' || sub === 'retry') throw new HttpError(405, 'Use POST');
    if (sub === undefined) {
      const job = await loadJob(jobId);
      const watcher = watcherOf(jobId);
      watcher.record(job);
      sendJson(response, 200, { job: describeJob(job), progress: watcher.samples });
      return;
    }
    if (sub === 'results') return sendJson(response, 200, await pageOfResults(jobId, url.searchParams));
    if (sub === 'failures') return sendJson(response, 200, await analyse(await loadJob(jobId)));
    if (sub === 'download.jsonl' || sub === 'download.csv') return download(response, jobId, sub === 'download.csv' ? 'csv' : 'jsonl');
    if (sub === 'events') {
      await loadJob(jobId);
      return events(request, response, jobId);
    }
    return sendJson(response, 200, await oneItem(jobId, decodeURIComponent(match[3]!)));
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, status, { error: message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${boundPort}/?token=${token}`,
    port: boundPort,
    token,
    async close() {
      for (const watcher of watchers.values()) watcher.stop();
      for (const cursor of cursors.values()) closeCursor(cursor);
      cursors.clear();
      for (const stream of openStreams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readWholeNumber(value: string | null, fallback: number, name: string): number {
  if (value === null || value === '') return fallback;
  if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `${name} must be a whole number`);
  return Number(value);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const piece of header.split(';')) {
    const [key, ...rest] = piece.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
