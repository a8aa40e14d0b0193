import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewer, type Viewer } from '../../src/cli/viewer/start-viewer.js';
import type { BatchRequest } from '../../src/models/batch-request.js';
import type { BatchStore } from '../../src/store/batch-store.js';
import { requestsOf, runJob, scriptAnswer, temporaryStore } from './viewer-fixtures.js';

/** A raw HTTP call, so that the Host header can be anything. */
function call(viewer: Viewer, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: viewer.port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${viewer.port}`, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function api<T = any>(viewer: Viewer, path: string): Promise<T> {
  const response = await call(viewer, path, { headers: { 'x-viewer-token': viewer.token } });
  expect(response.status, response.body).toBe(200);
  return JSON.parse(response.body) as T;
}

describe('the viewer server', () => {
  let store: BatchStore;
  let viewer: Viewer;
  let mixedJob: string;
  let plainJob: string;

  beforeAll(async () => {
    ({ store } = await temporaryStore());
    const prompts = (index: number) => (index % 10 === 3 ? `refuse ${index}` : index === 5 ? 'say-script' : `prompt ${index}`);
    mixedJob = await runJob(store, requestsOf(120, prompts), { team: 'search' });
    plainJob = await runJob(store, requestsOf(3), { team: 'ads' });
    viewer = await startViewer({ store, pollIntervalMs: 20 });
  }, 30_000);
  afterAll(async () => {
    await viewer?.close();
  });

  it('listens on 127.0.0.1 and prints a URL with its token', () => {
    expect(viewer.url).toBe(`http://127.0.0.1:${viewer.port}/?token=${viewer.token}`);
    expect(viewer.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a request without the token, with a wrong one, and with a foreign Host header (DNS rebinding)', async () => {
    expect((await call(viewer, '/api/jobs')).status).toBe(403);
    expect((await call(viewer, '/api/jobs', { headers: { 'x-viewer-token': 'x'.repeat(viewer.token.length) } })).status).toBe(403);
    expect((await call(viewer, `/?token=${viewer.token}`, { headers: { host: `attacker.example:${viewer.port}` } })).status).toBe(421);
    expect((await call(viewer, `/?token=${viewer.token}`, { headers: { host: `localhost:${viewer.port}` } })).status).toBe(200);
  });

  it('serves the page with the token in the URL and sets a strict HttpOnly cookie that later requests use', async () => {
    const page = await call(viewer, `/?token=${viewer.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const withCookie = await call(viewer, '/api/jobs', { headers: { cookie: cookie.split(';')[0]! } });
    expect(withCookie.status).toBe(200);
  });

  it('lists jobs with counts, cost and metadata, filtered by status and provider', async () => {
    const { jobs } = await api(viewer, '/api/jobs');
    expect(jobs.map((job: { id: string }) => job.id).sort()).toEqual([mixedJob, plainJob].sort());
    const mixed = jobs.find((job: { id: string }) => job.id === mixedJob);
    expect(mixed).toMatchObject({ status: 'completed', provider: 'openai', mode: 'emulated', metadata: { team: 'search' } });
    expect(mixed.counts).toMatchObject({ total: 120, succeeded: 108, failed: 12 });
    expect(typeof mixed.costUsd).toBe('number');
    expect(typeof mixed.estimateUsd).toBe('number');
    expect(mixed.budgetUsd).toBe(100);
    expect((await api(viewer, '/api/jobs?status=failed')).jobs).toEqual([]);
    expect((await api(viewer, '/api/jobs?provider=anthropic')).jobs).toEqual([]);
    expect((await api(viewer, '/api/jobs?provider=openai&status=completed')).jobs).toHaveLength(2);
  });

  it('shows a job with its parts, and its failures grouped by category with sample messages', async () => {
    const { job } = await api(viewer, `/api/jobs/${mixedJob}`);
    expect(job.parts.length).toBeGreaterThan(0);
    expect(job.parts[0]).toMatchObject({ status: 'completed', requestCount: 120 });
    expect(JSON.stringify(job)).not.toContain('reference');
    const analysis = await api(viewer, `/api/jobs/${mixedJob}/failures`);
    expect(analysis.journaled).toBe(120);
    expect(analysis.failures).toHaveLength(1);
    expect(analysis.failures[0]).toMatchObject({ category: 'invalid_request', count: 12 });
    expect(analysis.failures[0].samples[0].message).toContain('bad request for refuse');
    expect(analysis.completion.reduce((sum: number, slice: { failed: number }) => sum + slice.failed, 0)).toBe(12);
  });

  it('pages results on the server, filters by status and searches id, text and metadata', async () => {
    const first = await api(viewer, `/api/jobs/${mixedJob}/results?limit=50`);
    expect(first.items).toHaveLength(50);
    expect(first.total).toBe(120);
    expect(first.hasMore).toBe(true);
    const last = await api(viewer, `/api/jobs/${mixedJob}/results?limit=50&offset=100`);
    expect(last.items).toHaveLength(20);
    expect(last.hasMore).toBe(false);
    const ids = new Set([...first.items, ...(await api(viewer, `/api/jobs/${mixedJob}/results?limit=50&offset=50`)).items, ...last.items].map((item: { id: string }) => item.id));
    expect(ids.size).toBe(120);
    const failed = await api(viewer, `/api/jobs/${mixedJob}/results?status=failed&limit=100`);
    expect(failed.items).toHaveLength(12);
    expect(failed.total).toBe(12);
    expect(failed.items.every((item: { status: string; category: string }) => item.status === 'failed' && item.category === 'invalid_request')).toBe(true);
    expect((await api(viewer, `/api/jobs/${mixedJob}/results?q=item_77`)).items.map((item: { id: string }) => item.id)).toEqual(['item_77']);
    expect((await api(viewer, `/api/jobs/${mixedJob}/results?q=${encodeURIComponent('<script>')}`)).items.map((item: { id: string }) => item.id)).toEqual(['item_5']);
    expect((await api(viewer, `/api/jobs/${mixedJob}/results?q=row%3D42`)).items.map((item: { id: string }) => item.id)).toEqual(['item_42']);
    expect((await call(viewer, `/api/jobs/${mixedJob}/results?status=nope`, { headers: { 'x-viewer-token': viewer.token } })).status).toBe(400);
  });

  it.skipIf(process.platform !== 'linux')('closes the journal of a page that stopped reading early (no file descriptor left open per page)', async () => {
    const { readdirSync } = await import('node:fs');
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let page = 0; page < 40; page++) await api(viewer, `/api/jobs/${mixedJob}/results?limit=10`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(openFiles() - before).toBeLessThan(10);
  });

  it('shows one item, request and result side by side', async () => {
    const item = await api(viewer, `/api/jobs/${mixedJob}/items/item_5`);
    expect(item.request.messages[0].content).toBe('say-script');
    expect(item.result).toMatchObject({ id: 'item_5', status: 'succeeded', text: scriptAnswer });
    expect(item.result.raw).toBeUndefined();
    expect(item.index).toBe(5);
    // A streaming intake's refused item (in a store of its own): why, and no request, beside its failed result.
    const { store: streamedStore } = await temporaryStore();
    const streamedJob = await runJob(streamedStore, [...requestsOf(2), { id: 'bad_one', messages: 'not a list' } as unknown as BatchRequest], {}, 'streaming');
    const streamedViewer = await startViewer({ store: streamedStore });
    try {
      const refused = await api(streamedViewer, `/api/jobs/${streamedJob}/items/bad_one`);
      expect(refused.request).toBeUndefined();
      expect(refused.rejected).toMatch(/messages/);
      expect(refused.result).toMatchObject({ status: 'failed', error: { category: 'invalid_request' } });
    } finally {
      await streamedViewer.close();
    }
    expect((await call(viewer, `/api/jobs/${mixedJob}/items/nope`, { headers: { 'x-viewer-token': viewer.token } })).status).toBe(404);
    expect((await call(viewer, `/api/jobs/..%2Fetc/items/x`, { headers: { 'x-viewer-token': viewer.token } })).status).toBe(400);
  });

  it('downloads results as JSONL and as CSV with formulas neutralised', async () => {
    const jsonl = await call(viewer, `/api/jobs/${mixedJob}/download.jsonl`, { headers: { 'x-viewer-token': viewer.token } });
    expect(jsonl.headers['content-disposition']).toContain(`${mixedJob}-results.jsonl`);
    const lines = jsonl.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(120);
    const csv = await call(viewer, `/api/jobs/${mixedJob}/download.csv`, { headers: { 'x-viewer-token': viewer.token } });
    expect(csv.body.split('\r\n')[0]).toBe('id,status,text,output,finish_reason,model,input_tokens,output_tokens,error_category,error_retryable,error_message');
    expect(csv.body.split('\r\n')).toHaveLength(122);
  });

  it('cancels behind POST with the token header only, and not at all when read-only', async () => {
    const { store: other } = await temporaryStore();
    const slow = await other.loadJob(plainJob);
    expect(slow).toBeUndefined();
    // A cookie or a query token is not enough for an action (a form posted from another site).
    expect((await call(viewer, `/api/jobs/${plainJob}/cancel?token=${viewer.token}`, { method: 'POST' })).status).toBe(403);
    expect((await call(viewer, `/api/jobs/${plainJob}/cancel`, { method: 'GET', headers: { 'x-viewer-token': viewer.token } })).status).toBe(405);
    const crossOrigin = await call(viewer, `/api/jobs/${plainJob}/cancel`, { method: 'POST', headers: { 'x-viewer-token': viewer.token, origin: 'http://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    const cancelled = await call(viewer, `/api/jobs/${plainJob}/cancel`, { method: 'POST', headers: { 'x-viewer-token': viewer.token, origin: `http://127.0.0.1:${viewer.port}` } });
    expect(cancelled.status).toBe(200);
    expect(await store.cancelRequested(plainJob)).toBeDefined();
    const retry = await call(viewer, `/api/jobs/${plainJob}/retry`, { method: 'POST', headers: { 'x-viewer-token': viewer.token } });
    expect(retry.status).toBe(501);

    const readOnly = await startViewer({ store, readOnly: true });
    try {
      const refused = await call(readOnly, `/api/jobs/${mixedJob}/cancel`, { method: 'POST', headers: { 'x-viewer-token': readOnly.token } });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error).toContain('read-only');
      expect(await store.cancelRequested(mixedJob)).toBeUndefined();
    } finally {
      await readOnly.close();
    }
  });

  it('rejects unknown options and bad values with a ValidationError naming them', async () => {
    await expect(startViewer({ store, prot: 1 } as never)).rejects.toThrow(/prot/);
    await expect(startViewer({ store, port: -1 })).rejects.toThrow(/port/);
    await expect(startViewer({ store: {} as never })).rejects.toThrow(/store/);
  });
});

/** Reads server-sent events from `path` until `until` says stop; resolves to the data of each `job` event. */
function readEvents(viewer: Viewer, path: string, until: (events: any[]) => boolean, timeoutMs = 10_000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    const req = httpRequest({ host: '127.0.0.1', port: viewer.port, path, headers: { host: `127.0.0.1:${viewer.port}`, 'x-viewer-token': viewer.token } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.startsWith('event: job') && data) events.push(JSON.parse(data.slice(6)));
        }
        if (until(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve(events);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no end after ${events.length} events`));
    }, timeoutMs);
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

describe('the viewer live', () => {
  it('streams a running job over server-sent events to every client from one shared watcher', async () => {
    const { store } = await temporaryStore();
    let reads = 0;
    const counting: BatchStore = Object.assign(Object.create(null), store, {
      loadJob: (jobId: string) => {
        reads++;
        return store.loadJob(jobId);
      },
    });
    const { createMockBatchProvider } = await import('../../src/testing/mock-batch-provider.js');
    const { createBatchClient } = await import('../../src/client/create-batch-client.js');
    const mock = await createMockBatchProvider({ mode: 'emulated', server: { latency: 25 }, emulated: { concurrency: 2 } });
    const client = createBatchClient({ provider: mock.provider, store });
    const viewer = await startViewer({ store: counting, pollIntervalMs: 25 });
    try {
      const job = await client.submit(requestsOf(40));
      const done = (events: any[]) => events.some((event) => event.job.status === 'completed');
      const started = Date.now();
      const before = reads;
      const streams = await Promise.all([1, 2, 3].map(() => readEvents(viewer, `/api/jobs/${job.id}/events`, done)));
      const elapsed = Date.now() - started;
      await client.wait(job.id);
      for (const events of streams) {
        expect(events.length).toBeGreaterThan(1);
        expect(events[events.length - 1].job.counts.succeeded).toBe(40);
        expect(events[events.length - 1].progress.length).toBeGreaterThan(1);
      }
      // One watcher for three clients: about one manifest read a tick, not three (plus the three checks that the job exists).
      expect(reads - before).toBeLessThanOrEqual(Math.ceil(elapsed / 25) + 6);
    } finally {
      await viewer.close();
      await client.close();
      await mock.close();
    }
  }, 20_000);
});

describe('the viewer retry', () => {
  it('retries the failed items of a job behind POST, through the retry function it was given', async () => {
    const { store } = await temporaryStore();
    const { createMockBatchProvider } = await import('../../src/testing/mock-batch-provider.js');
    const { createBatchClient } = await import('../../src/client/create-batch-client.js');
    const { noRetry } = await import('../../src/retry/no-retry.js');
    const mock = await createMockBatchProvider({
      mode: 'emulated',
      server: { respond: (request) => (JSON.stringify(request.body).includes('flaky') ? { status: 500, error: { message: 'server hiccup' } } : undefined) },
      emulated: { concurrency: 4, retry: noRetry() },
    });
    const client = createBatchClient({ provider: mock.provider, store });
    const viewer = await startViewer({ store, retry: async (jobId) => (await client.retry(jobId)).id });
    try {
      const job = await client.submit(requestsOf(12, (index) => (index % 4 === 0 ? `flaky ${index}` : `prompt ${index}`)));
      await client.wait(job.id);
      const response = await call(viewer, `/api/jobs/${job.id}/retry`, { method: 'POST', headers: { 'x-viewer-token': viewer.token } });
      expect(response.status, response.body).toBe(200);
      const { retryJobId } = JSON.parse(response.body) as { retryJobId: string };
      await client.wait(retryJobId);
      const retried = await store.loadJob(retryJobId);
      expect(retried).toMatchObject({ retryOf: job.id, counts: { total: 3 } });
      expect((await store.loadJob(job.id))?.retriedBy).toBe(retryJobId);
      const { jobs } = await api(viewer, '/api/jobs');
      expect(jobs.find((listed: { id: string }) => listed.id === retryJobId)).toMatchObject({ retryOf: job.id });
    } finally {
      await viewer.close();
      await client.close();
      await mock.close();
    }
  }, 20_000);
});

describe('the viewer paging a large job', () => {
  it('goes on from where the previous page stopped, and a page anywhere equals the same page read afresh', async () => {
    const { store } = await temporaryStore();
    const { writeSyntheticJob } = await import('./synthetic-job.js');
    await writeSyntheticJob(store, 'job_paging', 20_000);
    const viewer = await startViewer({ store });
    const other = await startViewer({ store });
    try {
      const ids = async (target: Viewer, query: string) => ((await api(target, `/api/jobs/job_paging/results?${query}`)).items as { id: string }[]).map((item) => item.id);
      // Next, next, next on one viewer; each page straight from the start on a second one.
      for (const offset of [0, 50, 100, 150]) {
        const page = await ids(viewer, `offset=${offset}&limit=50`);
        expect(page).toEqual(await ids(other, `offset=${offset}&limit=50&q=item_`));
        expect(page[0]).toBe(`item_${offset}`);
        expect(page).toHaveLength(50);
      }
      // Filtered pages in turn: every 100th item failed.
      expect(await ids(viewer, 'status=failed&limit=3')).toEqual(['item_99', 'item_199', 'item_299']);
      expect(await ids(viewer, 'status=failed&limit=3&offset=3')).toEqual(['item_399', 'item_499', 'item_599']);
      // Back to an earlier page: read afresh.
      expect((await ids(viewer, 'offset=50&limit=2'))).toEqual(['item_50', 'item_51']);
      const last = await api(viewer, '/api/jobs/job_paging/results?offset=19990&limit=50');
      expect(last.items).toHaveLength(10);
      expect(last.hasMore).toBe(false);
      // Deep pages opened directly (through the file store's sparse index) equal the same pages
      // read by streaming from the start (a search that matches every item takes that path).
      for (const offset of [12_345, 999, 1_000, 7_001, 19_999]) {
        const direct = await ids(other, `offset=${offset}&limit=7`);
        expect(direct).toEqual(await ids(viewer, `offset=${offset}&limit=7&q=item_`));
        expect(direct[0]).toBe(`item_${offset}`);
      }
    } finally {
      await viewer.close();
      await other.close();
    }
  }, 20_000);
});
