import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewer, type Viewer } from '../../src/cli/viewer/start-viewer.js';
import { createBatchClient, type BatchClient } from '../../src/client/create-batch-client.js';
import type { BatchStore } from '../../src/store/batch-store.js';
import { createMockBatchProvider, type MockBatchProvider } from '../../src/testing/mock-batch-provider.js';
import { buildViewerPage } from '../viewer/build-page.js';
import { writeSyntheticJob } from '../viewer/synthetic-job.js';
import { imageAnswer, requestsOf, respond, runJob, scriptAnswer, temporaryStore } from '../viewer/viewer-fixtures.js';

// The viewer in a real headless browser: Debian's chromium driven by playwright-core. With
// UPDATE_SCREENSHOTS=1 the screenshots are copied into docs/viewer/ (docs/viewer.md shows them).
const executablePath = '/usr/bin/chromium';
// The callbacks below run in the page, where these exist (this file is typechecked without the DOM library).
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): { length: number };
};
declare const window: unknown;
const repositoryRoot = resolve(import.meta.dirname, '../..');

describe.skipIf(!existsSync(executablePath))('the viewer in chromium', () => {
  let store: BatchStore;
  let viewer: Viewer;
  let browser: Browser;
  let page: Page;
  let mixedJob: string;
  let liveJob: string;
  let limitedJob: string;
  let mock: MockBatchProvider;
  let client: BatchClient;
  let disposePage: () => Promise<void>;
  let shots: string;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  /** Waits for the page of one item (a change of the hash alone keeps the previous page until the new one is drawn). */
  async function itemShown(id: string): Promise<void> {
    await page.waitForFunction((expected) => document.querySelector('#app h2')?.textContent === `Item ${expected}`, id);
  }

  async function screenshot(name: string): Promise<void> {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: false });
    if (process.env['UPDATE_SCREENSHOTS'] === '1') {
      await mkdir(join(repositoryRoot, 'docs/viewer'), { recursive: true });
      await copyFile(path, join(repositoryRoot, 'docs/viewer', `${name}.png`));
    }
  }

  beforeAll(async () => {
    shots = await mkdtemp(join(tmpdir(), 'llm-batch-viewer-shots-'));
    ({ store } = await temporaryStore());
    const prompts = (index: number) => (index === 1 ? 'say-script' : index === 2 ? 'say-image' : index % 7 === 3 ? `refuse ${index}` : `prompt ${index}`);
    mixedJob = await runJob(store, requestsOf(60, prompts), { team: 'search', run: 'nightly' });
    await writeSyntheticJob(store, 'job_synthetic_100k', 100_000);
    // An emulated job that meets dense 429s (a quarter of the calls, retry-after 150 ms): its run
    // journals the 429s, cooldowns, window changes and retries the rate-limit chart draws.
    const limitedMock = await createMockBatchProvider({
      mode: 'emulated',
      server: { respond, latency: 15, faults: { rates: { '429': 0.25 }, retryAfterMs: 150, timing: 'at-once' } },
      emulated: { concurrency: 12 },
    });
    const limitedClient = createBatchClient({ provider: limitedMock.provider, store });
    try {
      limitedJob = (await limitedClient.submit(requestsOf(240), { metadata: { limits: 'met' } })).id;
      await limitedClient.wait(limitedJob);
    } finally {
      await limitedClient.close();
      await limitedMock.close();
    }
    // A job that runs while the browser looks at it: slow answers, two at a time, driven by this process.
    mock = await createMockBatchProvider({ mode: 'emulated', server: { respond, latency: 150 }, emulated: { concurrency: 2 } });
    client = createBatchClient({ provider: mock.provider, store });
    liveJob = (await client.submit(requestsOf(400), { metadata: { live: 'yes' } })).id;
    // As \`llm-batch run\` does: the driving process waits, which keeps the stored counts current.
    client.wait(liveJob, { pollIntervalMs: 100 }).catch(() => undefined);
    const built = await buildViewerPage();
    disposePage = built.dispose;
    viewer = await startViewer({ store, pollIntervalMs: 200 }, { assetDir: built.assetDir });
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.accept();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    await client?.close();
    await mock?.close();
    await disposePage?.();
  });

  it('lists the jobs, with status, counts, metadata and filters', async () => {
    await page.goto(viewer.url);
    await page.waitForSelector('#jobs tbody tr');
    expect(await page.locator('#jobs tbody tr').count()).toBe(4);
    const mixedRow = page.locator(`tr[data-job="${mixedJob}"]`);
    expect(await mixedRow.textContent()).toContain('team=search');
    expect(await mixedRow.textContent()).toContain('completed');
    await screenshot('jobs');
    await page.selectOption('#filter-status', 'completed');
    await page.waitForFunction(() => document.querySelectorAll('#jobs tbody tr').length === 3);
    await page.goto(viewer.url);
    await page.waitForSelector('#jobs tbody tr');
  });

  it('opens a job page with its charts drawn, its parts and its failures by category', async () => {
    await page.click(`tr[data-job="${mixedJob}"]`);
    await page.waitForSelector('svg[data-chart="completion"] rect[data-series="failed"]');
    expect(await page.locator('svg[data-chart="completion"] rect').count()).toBeGreaterThan(10);
    expect(await page.locator('svg[data-chart="progress"]').count()).toBe(1);
    expect(await page.locator('svg[data-chart="throughput"]').count()).toBe(1);
    expect(await page.locator('.failure-group[data-category="invalid_request"] b').textContent()).toBe('invalid_request: 9');
    expect(await page.locator('#parts tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#card-budget b').textContent()).toBe('$100.00');
    // It ended before the viewer watched it: its progress over time comes from the results' end times.
    await page.waitForSelector('svg[data-chart="intervals"]');
    expect(Number(await page.locator('svg[data-chart="progress"]').getAttribute('data-samples'))).toBeGreaterThan(1);
    await screenshot('job');
  });

  it('renders answers with <script> and onerror images as text: nothing runs', async () => {
    // In the results table first: the answers are on the first page.
    await page.waitForSelector('tr[data-item="item_1"]');
    expect(await page.locator('tr[data-item="item_1"] td.text').textContent()).toBe(scriptAnswer);
    expect(await page.locator('tr[data-item="item_2"] td.text').textContent()).toBe(imageAnswer);
    await page.click('tr[data-item="item_2"]');
    await page.waitForSelector('#answer');
    expect(await page.locator('#answer').textContent()).toContain(imageAnswer);
    await page.goto(`${viewer.url}#/job/${mixedJob}/item/item_1`);
    await itemShown('item_1');
    expect(await page.locator('#answer').textContent()).toContain(scriptAnswer);
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#app script').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('shows one item: the request and the response side by side', async () => {
    await page.goto(`${viewer.url}#/job/${mixedJob}/item/item_3`);
    await itemShown('item_3');
    expect(await page.locator('#item-request .message').first().textContent()).toContain('refuse 3');
    expect(await page.locator('#item-error').textContent()).toContain('invalid_request: ');
    await page.goto(`${viewer.url}#/job/${mixedJob}/item/item_4`);
    await itemShown('item_4');
    expect(await page.locator('#item-request .message').first().textContent()).toContain('prompt 4');
    const boxes = await Promise.all(['#item-request', '#item-result'].map((selector) => page.locator(selector).boundingBox()));
    // Side by side: the response column starts to the right of the request column, on the same row.
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + boxes[0]!.width - 1);
    expect(Math.abs(boxes[1]!.y - boxes[0]!.y)).toBeLessThan(5);
    await screenshot('item');
  });

  it('draws the rate-limit story of an emulated job that met 429s, its retries per interval, and its progress from the journal', async () => {
    await page.goto(`${viewer.url}#/job/${limitedJob}`);
    await page.waitForSelector('svg[data-chart="rate-limits"] rect[data-series="rate-limited"]');
    const events = [];
    for await (const event of store.readRunEvents!(limitedJob)) events.push(event);
    const cooldowns = events.filter((event) => event.type === 'cooldown_started').length;
    expect(cooldowns).toBeGreaterThan(0);
    expect(await page.locator('svg[data-chart="rate-limits"] rect[data-series="cooldown"]').count()).toBe(cooldowns);
    expect(await page.locator('svg[data-chart="rate-limits"] path[data-series="concurrency"]').count()).toBe(1);
    const limited = events.filter((event) => event.type === 'rate_limited').length;
    expect(await page.locator('svg[data-chart="rate-limits"] text').allTextContents()).toContain(`${limited} × 429 · ${cooldowns} cooldowns · window ≤ 12`);
    expect(await page.locator('svg[data-chart="intervals"] path[data-series="retried"]').count()).toBe(1);
    expect(await page.locator('svg[data-chart="intervals"] rect[data-series="succeeded"]').count()).toBeGreaterThan(1);
    expect(Number(await page.locator('svg[data-chart="progress"]').getAttribute('data-samples'))).toBeGreaterThan(2);
    expect(await page.locator('svg[data-chart="progress"] text').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/ s run$/)]));
    await page.locator('svg[data-chart="rate-limits"]').scrollIntoViewIfNeeded();
    await screenshot('rate-limits');
    expect(pageErrors).toEqual([]);
  });

  it('pages through 100,000 results on the server, filters and searches', async () => {
    await page.goto(`${viewer.url}#/job/job_synthetic_100k`);
    await page.waitForSelector('#range');
    expect(await page.locator('#range').textContent()).toBe('1–50 of 100000');
    for (let turn = 0; turn < 3; turn++) {
      const before = await page.locator('#range').textContent();
      await page.click('#next');
      await page.waitForFunction((previous) => document.getElementById('range')?.textContent !== previous, before);
    }
    expect(await page.locator('#range').textContent()).toBe('151–200 of 100000');
    expect(await page.locator('#results-table tbody tr').first().getAttribute('data-item')).toBe('item_150');
    await page.goto(`${viewer.url}#/job/job_synthetic_100k?offset=99950`);
    await page.waitForFunction(() => document.getElementById('range')?.textContent === '99951–100000 of 100000');
    expect(await page.locator('#next').isDisabled()).toBe(true);
    // A deep page opened directly: the store seeks to it through its sparse index of the journal.
    await page.goto(`${viewer.url}#/job/job_synthetic_100k?offset=61234`);
    await page.waitForFunction(() => document.getElementById('range')?.textContent === '61235–61284 of 100000');
    expect(await page.locator('#results-table tbody tr').first().getAttribute('data-item')).toBe('item_61234');
    expect(await page.locator('#results-table tbody tr').count()).toBe(50);
    await page.goto(`${viewer.url}#/job/job_synthetic_100k?status=failed`);
    await page.waitForFunction(() => document.getElementById('range')?.textContent === '1–50 of 1000');
    await page.fill('#results-search', 'item_99999');
    await page.press('#results-search', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#results-table tbody tr').length === 1 && document.getElementById('range')?.textContent?.startsWith('1–1'));
    expect(await page.locator('#results-table tbody tr').getAttribute('data-item')).toBe('item_99999');
    await page.waitForSelector('.failure-group[data-category="rate_limit"]');
    expect(await page.locator('.failure-group[data-category="rate_limit"] b').textContent()).toBe('rate_limit: 1000');
  });

  it('updates a running job live, and cancels it from the page', async () => {
    await page.goto(`${viewer.url}#/job/${liveJob}`);
    await page.waitForSelector('#card-succeeded');
    const first = await page.locator('#card-succeeded b').textContent();
    await page.waitForFunction((previous) => document.querySelector('#card-succeeded b')?.textContent !== previous, first, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('svg[data-chart="progress"] path[data-series="succeeded"]').length === 1, undefined, { timeout: 10_000 });
    // The per-interval chart is read again from the journal while the job runs (at most every 5 s).
    const endedAt = async () => Number(await page.locator('svg[data-chart="intervals"]').getAttribute('data-ended'));
    await page.waitForSelector('svg[data-chart="intervals"]');
    const endedFirst = await endedAt();
    await page.waitForFunction((previous) => Number(document.querySelector('svg[data-chart="intervals"]')?.getAttribute('data-ended')) > previous, endedFirst, { timeout: 20_000 });
    expect(await endedAt()).toBeGreaterThan(endedFirst);
    await screenshot('live');
    await page.click('#cancel');
    await page.waitForFunction(() => document.querySelector('#card-status b')?.textContent === 'cancelled', undefined, { timeout: 20_000 });
    expect(dialogs.some((message) => message.startsWith('confirm: Cancel job'))).toBe(true);
    const job = await store.loadJob(liveJob);
    expect(job?.status).toBe('cancelled');
    expect(job!.counts.cancelled).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
