import { completionChart, intervalChart, progressChart, rateLimitChart, samplesOf, throughputChart, type Sample, type Timeline } from './charts.js';
import { append, clear, el, formatTime, formatUsd } from './dom.js';

// The viewer page: plain TypeScript and DOM. Every value from the store (and so every model answer)
// goes into the page as a text node; nothing is ever parsed as HTML.

interface Counts {
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  expired: number;
  pending: number;
}
interface JobSummary {
  id: string;
  status: string;
  provider: string;
  mode: string;
  counts: Counts;
  costUsd?: number;
  estimateUsd?: number;
  budgetUsd?: number;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
  metadata: Record<string, string>;
  cancelRequestedAt?: string;
  retryOf?: string;
  retriedBy?: string;
}
interface Part {
  id: string;
  index: number;
  status: string;
  rawStatus?: string;
  providerBatchId?: string;
  model?: string;
  provider?: string;
  requestCount: number;
  error?: string;
}
interface JobDetail extends JobSummary {
  parts: Part[];
  warnings: string[];
}
interface Row {
  id: string;
  status: string;
  text: string;
  category?: string;
  inputTokens?: number;
  outputTokens?: number;
  latencyMs?: number;
  attempts?: number;
}

const app = document.getElementById('app')!;
const token = new URLSearchParams(location.search).get('token') ?? '';
const readOnly = document.body.dataset['readOnly'] === 'true';
const canRetry = document.body.dataset['canRetry'] === 'true';
const pageSize = 50;
let live: EventSource | undefined;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { 'x-viewer-token': token } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

async function post<T>(path: string): Promise<T> {
  const response = await fetch(path, { method: 'POST', headers: { 'x-viewer-token': token } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

const enc = encodeURIComponent;

function statusText(status: string): HTMLElement {
  return el('span', { class: `status-${status}` }, status);
}

function countsText(counts: Counts): string {
  const parts = [`${counts.succeeded}/${counts.total} ok`];
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.cancelled) parts.push(`${counts.cancelled} cancelled`);
  if (counts.expired) parts.push(`${counts.expired} expired`);
  if (counts.pending) parts.push(`${counts.pending} pending`);
  return parts.join(', ');
}

function costText(job: JobSummary): string {
  const parts = [`${formatUsd(job.costUsd)} spent`];
  if (job.estimateUsd !== undefined) parts.push(`est. ${formatUsd(job.estimateUsd)}`);
  if (job.budgetUsd !== undefined) parts.push(`budget ${formatUsd(job.budgetUsd)}`);
  return parts.join(' · ');
}

function showError(error: unknown): void {
  clear(app);
  append(app, [el('p', { class: 'error' }, error instanceof Error ? error.message : String(error))]);
}

// ---- the jobs list ----

async function renderJobs(query: URLSearchParams): Promise<void> {
  const status = query.get('status') ?? '';
  const provider = query.get('provider') ?? '';
  const { jobs, damaged } = await getJson<{ jobs: JobSummary[]; damaged: string[] }>(`/api/jobs?status=${enc(status)}&provider=${enc(provider)}`);
  clear(app);
  const statusSelect = el('select', { id: 'filter-status' }, el('option', { value: '' }, 'any status'));
  for (const value of ['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled']) {
    const option = el('option', { value }, value);
    if (value === status) option.selected = true;
    statusSelect.appendChild(option);
  }
  const providerInput = el('input', { id: 'filter-provider', placeholder: 'provider', value: provider });
  const apply = () => {
    location.hash = `#/?status=${enc(statusSelect.value)}&provider=${enc(providerInput.value.trim())}`;
  };
  statusSelect.addEventListener('change', apply);
  providerInput.addEventListener('change', apply);
  const body = el('tbody');
  for (const job of jobs) {
    const metadata = Object.entries(job.metadata).map(([key, value]) => `${key}=${value}`).join(' ');
    const row = el(
      'tr',
      { class: 'clickable', 'data-job': job.id },
      el('td', {}, job.id),
      el('td', {}, statusText(job.status)),
      el('td', {}, `${job.provider} · ${job.mode}`),
      el('td', {}, countsText(job.counts)),
      el('td', {}, costText(job)),
      el('td', {}, formatTime(job.createdAt)),
      el('td', {}, formatTime(job.updatedAt)),
      el('td', { class: 'text' }, metadata),
    );
    row.addEventListener('click', () => (location.hash = `#/job/${enc(job.id)}`));
    body.appendChild(row);
  }
  append(app, [
    el('h2', {}, `Jobs (${jobs.length})`),
    el('div', { class: 'filters' }, statusSelect, providerInput),
    jobs.length === 0
      ? el('p', { class: 'muted' }, 'No jobs match.')
      : el(
          'table',
          { id: 'jobs' },
          el('thead', {}, el('tr', {}, ...['Job', 'Status', 'Provider', 'Items', 'Cost', 'Created', 'Updated', 'Metadata'].map((h) => el('th', {}, h)))),
          body,
        ),
    damaged.length > 0 ? el('p', { class: 'error' }, `Unreadable jobs: ${damaged.join('; ')}`) : false,
  ]);
}

// ---- one job ----

async function renderJob(jobId: string, query: URLSearchParams): Promise<void> {
  const { job, progress } = await getJson<{ job: JobDetail; progress: Sample[] }>(`/api/jobs/${enc(jobId)}`);
  clear(app);
  const header = el('div');
  const charts = el('div', { class: 'charts', id: 'charts' });
  const failures = el('div', { id: 'failures' }, el('p', { class: 'muted' }, 'Reading the journal…'));
  const results = el('div', { id: 'results' });
  append(app, [header, charts, el('h3', {}, 'Parts'), partsTable(job.parts), el('h3', {}, 'Failures by category'), failures, el('h3', {}, 'Results'), results]);

  // A job that ran before the viewer watched it: its progress comes from the results' end times.
  let history: Sample[] = [];
  let lastJob = job;
  let lastSamples = progress;
  const draw = (current: JobDetail, samples: Sample[]) => {
    lastJob = current;
    lastSamples = samples;
    clear(header);
    append(header, [jobHeader(current)]);
    clear(charts);
    const fromJournal = samples.length < 2 && history.length > 1;
    const shown = fromJournal ? history : samples;
    append(charts, [progressChart(shown, fromJournal), throughputChart(shown)]);
  };
  draw(job, progress);

  const completion = el('div', { class: 'chart-slot' });
  charts.after(completion);
  // The failures and the per-interval and rate-limit charts read the whole journal on the server:
  // while a job runs they are read again as it changes, at most once per 5 s or per ten times the
  // last read's duration, whichever is longer (a large journal is not re-read in a loop).
  let analysing = false;
  let readAgain = false;
  let nextAnalysisAt = 0;
  const analyse = (): void => {
    if (analysing) {
      readAgain = true;
      return;
    }
    analysing = true;
    nextAnalysisAt = Number.POSITIVE_INFINITY;
    const started = performance.now();
    void getJson<{
      failures: { category: string; count: number; samples: { id: string; message: string }[] }[];
      completion: { succeeded: number; failed: number; other: number }[];
      timeline?: Timeline;
    }>(`/api/jobs/${enc(jobId)}/failures`)
      .then((analysis) => {
        nextAnalysisAt = performance.now() + Math.max(5_000, 10 * (performance.now() - started));
        clear(failures);
        if (analysis.failures.length === 0) append(failures, [el('p', { class: 'muted' }, 'No failures.')]);
        for (const group of analysis.failures) {
          append(failures, [
            el(
              'div',
              { class: 'failure-group', 'data-category': group.category },
              el('b', {}, `${group.category}: ${group.count}`),
              el('ul', {}, ...group.samples.map((sample) => el('li', {}, el('a', { href: `#/job/${enc(jobId)}/item/${enc(sample.id)}` }, sample.id), ' — ', sample.message))),
            ),
          ]);
        }
        const timeline = analysis.timeline;
        const more: HTMLElement[] = [completionChart(analysis.completion)];
        if (timeline !== undefined && timeline.intervals.length > 0) {
          more.push(intervalChart(timeline));
          // For emulated jobs that met rate limits (a run with none has nothing to tell there).
          if (timeline.hasRunEvents && (timeline.cooldowns.length > 0 || timeline.intervals.some((interval) => interval.rateLimited > 0))) more.push(rateLimitChart(timeline));
          history = samplesOf(timeline, lastJob.counts.total);
          draw(lastJob, lastSamples);
        }
        clear(completion);
        append(completion, [el('div', { class: 'charts' }, ...more)]);
      })
      .catch((error: unknown) => {
        nextAnalysisAt = performance.now() + 5_000;
        clear(failures);
        append(failures, [el('p', { class: 'error' }, String(error))]);
      })
      .finally(() => {
        analysing = false;
        if (readAgain) {
          readAgain = false;
          analyse();
        }
      });
  };
  analyse();

  await renderResults(results, jobId, query);

  if (!['completed', 'failed', 'expired', 'cancelled'].includes(job.status)) {
    live = new EventSource(`/api/jobs/${enc(jobId)}/events`);
    live.addEventListener('job', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { job: JobDetail; progress: Sample[] };
      draw(data.job, data.progress);
      const ended = ['completed', 'failed', 'expired', 'cancelled'].includes(data.job.status);
      // The job's end is always read (the last read may have begun before it).
      if (ended || performance.now() >= nextAnalysisAt) analyse();
      if (ended) {
        live?.close();
        live = undefined;
      }
    });
  }
}

function jobHeader(job: JobDetail): HTMLElement {
  const actions = el('div', { class: 'filters' });
  const running = !['completed', 'failed', 'expired', 'cancelled'].includes(job.status);
  if (!readOnly && running) {
    const cancel = el('button', { id: 'cancel' }, job.cancelRequestedAt ? 'Cancel requested' : 'Cancel job');
    if (job.cancelRequestedAt) cancel.disabled = true;
    cancel.addEventListener('click', () => {
      if (!confirm(`Cancel job ${job.id}? Results already in stay readable.`)) return;
      cancel.disabled = true;
      post(`/api/jobs/${enc(job.id)}/cancel`)
        .then(() => (cancel.textContent = 'Cancel requested'))
        .catch((error: unknown) => {
          cancel.disabled = false;
          alert(String(error));
        });
    });
    actions.appendChild(cancel);
  }
  if (canRetry && !running && job.counts.failed + job.counts.cancelled + job.counts.expired > 0 && !job.retriedBy) {
    const retry = el('button', { id: 'retry' }, 'Retry failed items');
    retry.addEventListener('click', () => {
      if (!confirm(`Retry the failed items of ${job.id} as a new job?`)) return;
      retry.disabled = true;
      post<{ retryJobId: string }>(`/api/jobs/${enc(job.id)}/retry`)
        .then(({ retryJobId }) => (location.hash = `#/job/${enc(retryJobId)}`))
        .catch((error: unknown) => {
          retry.disabled = false;
          alert(String(error));
        });
    });
    actions.appendChild(retry);
  }
  append(actions, [
    el('a', { href: `/api/jobs/${enc(job.id)}/download.jsonl`, download: '' }, 'Download JSONL'),
    el('a', { href: `/api/jobs/${enc(job.id)}/download.csv`, download: '' }, 'Download CSV'),
  ]);
  const card = (label: string, value: string | HTMLElement, id: string) => el('div', { class: 'card', id }, el('span', { class: 'muted' }, label), el('b', {}, value));
  return el(
    'div',
    {},
    el('h2', {}, `Job ${job.id}`),
    el('p', { class: 'muted' }, `${job.provider} · ${job.mode} · created ${formatTime(job.createdAt)} · updated ${formatTime(job.updatedAt)}`),
    el(
      'div',
      { class: 'cards' },
      card('Status', statusText(job.status), 'card-status'),
      card('Succeeded', `${job.counts.succeeded} / ${job.counts.total}`, 'card-succeeded'),
      card('Failed', String(job.counts.failed), 'card-failed'),
      card('Pending', String(job.counts.pending), 'card-pending'),
      card('Cost', formatUsd(job.costUsd), 'card-cost'),
      card('Estimate', formatUsd(job.estimateUsd), 'card-estimate'),
      card('Budget', formatUsd(job.budgetUsd), 'card-budget'),
    ),
    Object.keys(job.metadata).length > 0 ? el('p', { class: 'muted' }, Object.entries(job.metadata).map(([k, v]) => `${k}=${v}`).join(' · ')) : false,
    job.warnings.length > 0 ? el('ul', { class: 'error' }, ...job.warnings.map((warning) => el('li', {}, warning))) : false,
    actions,
  );
}

function partsTable(parts: Part[]): HTMLElement {
  return el(
    'table',
    { id: 'parts' },
    el('thead', {}, el('tr', {}, ...['Part', 'Status', 'Provider status', 'Provider batch id', 'Model', 'Requests', 'Error'].map((h) => el('th', {}, h)))),
    el(
      'tbody',
      {},
      ...parts.map((part) =>
        el(
          'tr',
          {},
          el('td', {}, part.id),
          el('td', {}, statusText(part.status)),
          el('td', {}, part.rawStatus ?? '—'),
          el('td', {}, part.providerBatchId ?? '—'),
          el('td', {}, [part.provider, part.model].filter(Boolean).join(':') || '—'),
          el('td', {}, String(part.requestCount)),
          el('td', { class: 'text' }, part.error ?? ''),
        ),
      ),
    ),
  );
}

async function renderResults(container: HTMLElement, jobId: string, query: URLSearchParams): Promise<void> {
  const offset = Number(query.get('offset') ?? '0') || 0;
  const status = query.get('status') ?? '';
  const search = query.get('q') ?? '';
  const page = await getJson<{ items: Row[]; hasMore: boolean; total?: number; offset: number }>(
    `/api/jobs/${enc(jobId)}/results?offset=${offset}&limit=${pageSize}&status=${enc(status)}&q=${enc(search)}`,
  );
  const go = (next: { offset?: number; status?: string; q?: string }) => {
    const params = new URLSearchParams({ offset: String(next.offset ?? 0), status: next.status ?? status, q: next.q ?? search });
    location.hash = `#/job/${enc(jobId)}?${params.toString()}`;
  };
  const statusSelect = el('select', { id: 'results-status' }, el('option', { value: '' }, 'all'));
  for (const value of ['succeeded', 'failed', 'cancelled', 'expired']) {
    const option = el('option', { value }, value);
    if (value === status) option.selected = true;
    statusSelect.appendChild(option);
  }
  statusSelect.addEventListener('change', () => go({ status: statusSelect.value }));
  const searchInput = el('input', { id: 'results-search', placeholder: 'search id, text, metadata', value: search });
  searchInput.addEventListener('change', () => go({ q: searchInput.value }));
  const previous = el('button', { id: 'previous' }, '← Previous');
  previous.disabled = offset === 0;
  previous.addEventListener('click', () => go({ offset: Math.max(0, offset - pageSize) }));
  const next = el('button', { id: 'next' }, 'Next →');
  next.disabled = !page.hasMore;
  next.addEventListener('click', () => go({ offset: offset + pageSize }));
  const range = page.items.length === 0 ? 'no results' : `${offset + 1}–${offset + page.items.length}${page.total !== undefined ? ` of ${page.total}` : ''}`;
  const body = el('tbody');
  for (const row of page.items) {
    const tr = el(
      'tr',
      { class: 'clickable', 'data-item': row.id },
      el('td', {}, row.id),
      el('td', {}, statusText(row.status)),
      el('td', { class: 'text' }, row.text),
      el('td', {}, row.category ?? ''),
      el('td', {}, row.inputTokens !== undefined ? `${row.inputTokens} → ${row.outputTokens ?? 0}` : ''),
      el('td', {}, row.latencyMs !== undefined ? `${Math.round(row.latencyMs)} ms` : ''),
    );
    tr.addEventListener('click', () => (location.hash = `#/job/${enc(jobId)}/item/${enc(row.id)}`));
    body.appendChild(tr);
  }
  clear(container);
  append(container, [
    el('div', { class: 'filters' }, statusSelect, searchInput),
    el('div', { class: 'pager' }, previous, el('span', { id: 'range' }, range), next),
    el('table', { id: 'results-table' }, el('thead', {}, el('tr', {}, ...['Id', 'Status', 'Answer or error', 'Category', 'Tokens', 'Latency'].map((h) => el('th', {}, h)))), body),
  ]);
}

// ---- one item, side by side ----

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((piece) => (piece && typeof piece === 'object' && 'text' in piece ? String((piece as { text: unknown }).text) : JSON.stringify(piece))).join('\n');
  }
  return JSON.stringify(content, null, 2);
}

async function renderItem(jobId: string, itemId: string): Promise<void> {
  const item = await getJson<{ id: string; index?: number; part?: number; request?: Record<string, unknown>; rejected?: string; result?: Record<string, unknown> }>(
    `/api/jobs/${enc(jobId)}/items/${enc(itemId)}`,
  );
  clear(app);
  const request = el('div', { id: 'item-request' }, el('h3', {}, 'Request'));
  if (item.request) {
    const { messages, system, ...rest } = item.request as { messages?: { role: string; content: unknown }[]; system?: string };
    if (system) append(request, [el('div', { class: 'message' }, el('div', { class: 'role' }, 'system'), system)]);
    for (const message of messages ?? []) append(request, [el('div', { class: 'message' }, el('div', { class: 'role' }, message.role), contentText(message.content))]);
    append(request, [el('pre', {}, JSON.stringify(rest, null, 2))]);
  } else if (item.rejected !== undefined) {
    append(request, [el('p', { class: 'error', id: 'item-rejected' }, `Not sent: the intake refused it (${item.rejected}).`)]);
  } else {
    append(request, [el('p', { class: 'muted' }, 'Not in the stored requests.')]);
  }
  const result = el('div', { id: 'item-result' }, el('h3', {}, 'Response'));
  if (item.result) {
    const { text, output, toolCalls, error, ...rest } = item.result as { text?: string; output?: unknown; toolCalls?: unknown; error?: { category: string; message: string } };
    if (text !== undefined) append(result, [el('div', { class: 'message', id: 'answer' }, el('div', { class: 'role' }, 'assistant'), text)]);
    if (output !== undefined) append(result, [el('div', { class: 'role' }, 'structured output'), el('pre', {}, JSON.stringify(output, null, 2))]);
    if (toolCalls !== undefined) append(result, [el('div', { class: 'role' }, 'tool calls'), el('pre', {}, JSON.stringify(toolCalls, null, 2))]);
    if (error) append(result, [el('p', { class: 'error', id: 'item-error' }, `${error.category}: ${error.message}`)]);
    append(result, [el('pre', {}, JSON.stringify(rest, null, 2))]);
  } else {
    append(result, [el('p', { class: 'muted' }, 'No result yet.')]);
  }
  append(app, [
    el('p', {}, el('a', { href: `#/job/${enc(jobId)}` }, `← Job ${jobId}`)),
    el('h2', {}, `Item ${item.id}`),
    el('p', { class: 'muted' }, item.index !== undefined ? `input position ${item.index}, part ${item.part ?? '?'}` : ''),
    el('div', { class: 'side' }, request, result),
  ]);
}

// ---- routing ----

async function route(): Promise<void> {
  live?.close();
  live = undefined;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = hash.split('?');
  const query = new URLSearchParams(search);
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (segments[0] === 'job' && segments[1] !== undefined && segments[2] === 'item' && segments[3] !== undefined) await renderItem(segments[1], segments[3]);
    else if (segments[0] === 'job' && segments[1] !== undefined) await renderJob(segments[1], query);
    else await renderJobs(query);
    document.body.dataset['ready'] = hash;
  } catch (error) {
    showError(error);
  }
}

document.getElementById('mode')!.textContent = readOnly ? 'read-only' : '';
window.addEventListener('hashchange', () => void route());
void route();
