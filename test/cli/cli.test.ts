import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMockProviderServer, type MockProviderServer } from '../../src/testing/mock-server/index.js';
import { buildCli, childEnvironment, normalize, repositoryRoot, runCliProcess, temporaryFolder, type CliRun } from './cli-harness.js';

// Every test starts the real CLI as a child process against the local emulator.
const apiKey = 'sk-test-cli-0123456789abcdef';
const failingPrompt = 'record unreadable';

let entry: string;
let disposeBuild: () => Promise<void>;
let server: MockProviderServer;
let failingServer: MockProviderServer;
let slowServer: MockProviderServer;
let folder: Awaited<ReturnType<typeof temporaryFolder>>;
let riskFile: string;
let smallFile: string;
let pricingFile: string;

function envFor(target: MockProviderServer, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnvironment({ OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${target.url}/v1`, ...extra });
}

async function cli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const run = await runCliProcess(entry, args, { env: options.env ?? envFor(server), ...(options.cwd ? { cwd: options.cwd } : {}) });
  // No output of any command may ever show the key.
  expect(run.stdout + run.stderr).not.toContain(apiKey);
  return run;
}

async function store(): Promise<string> {
  return (await temporaryFolder()).path;
}

const clean = (text: string): string => normalize(text, [folder.path, repositoryRoot]);

beforeAll(async () => {
  const built = buildCli();
  server = await createMockProviderServer({
    respond: (request) =>
      JSON.stringify(request.body).includes(failingPrompt)
        ? { status: 500, error: { message: 'The server had an error while processing your request.' } }
        : undefined,
  });
  failingServer = await createMockProviderServer({ batchFaults: { failValidationRate: 1 } });
  slowServer = await createMockProviderServer({ batch: { processingMs: 120_000 }, latency: { 'chat.completions': 400 } });
  folder = await temporaryFolder();
  // 250 requests as in the design's examples: three fail, and the pricing makes the estimate $3.12.
  const risk = Array.from({ length: 250 }, (_, index) => {
    const number = index + 1;
    const content = [17, 101, 230].includes(number) ? `Applicant ${number}: ${failingPrompt}.` : `Score the credit risk of applicant ${number}.`;
    return JSON.stringify({ id: `risk_p${number}_0`, model: 'risk-scorer', messages: [{ role: 'user', content }], maxTokens: 24_960 });
  });
  riskFile = await folder.file('requests.jsonl', `${risk.join('\n')}\n`);
  pricingFile = await folder.file(
    'pricing.json',
    JSON.stringify({ asOf: '2026-10-01', source: 'test prices', models: { 'risk-scorer': { input: 0, output: 2, batchDiscount: 0.5 } } }),
  );
  smallFile = await folder.file(
    'small.jsonl',
    [
      '{"id":"greeting","messages":[{"role":"user","content":"Say hello to Ada."}],"maxTokens":50}',
      `{"id":"broken","messages":[{"role":"user","content":"This ${failingPrompt}."}]}`,
      '{"custom_id":"openai_line","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-5.4-mini","messages":[{"role":"user","content":"Name a prime."}]}}',
    ].join('\n'),
  );
  ({ entry, dispose: disposeBuild } = await built);
});

afterAll(async () => {
  await Promise.all([server?.close(), failingServer?.close(), slowServer?.close(), disposeBuild?.()]);
});

describe.concurrent('run', () => {
  test('with no API key it runs examples/requests.jsonl on the local emulator, announced on stderr, and exits 0', async ({ expect }) => {
    const cwd = await store();
    const run = await cli(['run', join(repositoryRoot, 'examples/requests.jsonl')], { env: childEnvironment(), cwd });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('llm-batch: no OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY set; using the built-in local emulator (--provider mock');
    expect(run.stderr).toMatch(/progress: completed 6\/6 \(100%\)/);
    expect(clean(run.stdout)).toMatchInlineSnapshot(`
      "Job job_ID (openai, native)
      Status: completed | Total: 6 | Completed: 6 | Failed: 0
      Tokens: 181 in, 103 out
      Cost: $0.0003 (estimated $0.0007)
      Elapsed: <elapsed>
      Results: llm-batch results job_ID --output md
      "
    `);
  });

  test('exits 1 when some items failed, and prints the summary', async ({ expect }) => {
    const run = await cli(['run', smallFile, '--provider', 'openai', '--poll-interval', '100ms', '--store', await store()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('llm-batch: requests without a model use gpt-5.4-mini (set one with --model)');
    expect(clean(run.stdout)).toMatchInlineSnapshot(`
      "Job job_ID (openai, native)
      Status: completed | Total: 3 | Completed: 2 | Failed: 1
      Tokens: 9 in, 32 out
      Cost: $0.0001 (estimated $0.0024)
      Elapsed: <elapsed>
      Results: llm-batch results job_ID --output md
      "
    `);
  });

  test('--json prints the aggregate as one JSON document', async ({ expect }) => {
    const run = await cli(['run', smallFile, '--json', '--quiet', '--poll-interval', '100ms', '--store', await store()]);
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout) as { counts: unknown; results: { id: string; status: string }[]; provider: string };
    expect(document.counts).toEqual({ total: 3, succeeded: 2, failed: 1, cancelled: 0, expired: 0, pending: 0 });
    expect(document.results.map((result) => `${result.id}:${result.status}`)).toEqual(['greeting:succeeded', 'broken:failed', 'openai_line:succeeded']);
    expect(run.stderr).toBe('llm-batch: requests without a model use gpt-5.4-mini (set one with --model)\n');
  });

  test('exits 3 when the provider fails the job', async ({ expect }) => {
    const run = await cli(['run', smallFile, '--poll-interval', '100ms', '--store', await store(), '--quiet'], { env: envFor(failingServer) });
    expect(run.code).toBe(3);
    expect(clean(run.stdout)).toMatch(/^Job job_ID \(openai, native\)\nStatus: failed \| Total: 3 \| Completed: 0 \| Failed: 3\n/);
  });

  test('--out writes the results in the format of the file extension and the summary to stdout', async ({ expect }) => {
    const target = join(await store(), 'results.csv');
    const run = await cli(['run', smallFile, '--out', target, '--quiet', '--poll-interval', '100ms', '--store', await store()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Results: ${target}`);
    const csv = await readFile(target, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('id,status,text,output,finish_reason,model,input_tokens,output_tokens,error_category,error_retryable,error_message');
    expect(csv).toContain('broken,failed,,,,,,,server,true,The server had an error while processing your request.');
  });

  test('a .txt file is one prompt a line, with ids line_<n>', async ({ expect }) => {
    const prompts = await folder.file('prompts.txt', 'Name a colour.\n\nName a fruit.\n');
    const run = await cli(['run', prompts, '--output', 'jsonl', '--quiet', '--poll-interval', '100ms', '--store', await store()]);
    expect(run.code).toBe(0);
    const ids = run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toEqual(['line_1', 'line_3']);
  });

  test('--template with --data builds one request a row', async ({ expect }) => {
    const template = await folder.file('template.txt', 'Write a one-line tagline for {{product}}.');
    const data = await folder.file('rows.csv', 'id,product\nlamp,a desk lamp\nmug,a travel mug\n');
    const run = await cli(['run', '--template', template, '--data', data, '--output', 'md', '--quiet', '--poll-interval', '100ms', '--store', await store()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# Batch Results \(job_[a-z0-9]+\)\n- Completed: 2\n- Failed: 0\n\n## lamp\n/);
  });
});

describe.concurrent('a finished native job of 250 requests', () => {
  let storeDirectory: string;
  let submitted: CliRun;
  let waited: CliRun;
  let jobId: string;

  beforeAll(async () => {
    storeDirectory = await store();
    submitted = await cli(['submit', riskFile, '--pricing', pricingFile, '--store', storeDirectory]);
    jobId = /Submitted (job_[a-z0-9]+)/.exec(submitted.stdout)?.[1] ?? 'missing';
    waited = await cli(['wait', jobId, '--poll-interval', '100ms', '--store', storeDirectory]);
  });

  const onJob = (...args: string[]) => cli([...args.map((arg) => (arg === 'JOB' ? jobId : arg)), '--store', storeDirectory]);

  test('submit prints the job id, its status and what to do next', ({ expect }) => {
    expect(submitted.code).toBe(0);
    expect(clean(submitted.stdout)).toMatchInlineSnapshot(`
      "Submitted job_ID (openai, native): 250 requests in 1 part
      Status: validating | Total: 250 | Completed: 0 | Failed: 0 | Pending: 250
      Next: llm-batch wait job_ID
      "
    `);
  });

  test('wait shows a plain progress line on stderr, prints the summary and exits 1', ({ expect }) => {
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/progress: completed 250\/250 \(100%\) \| succeeded 247 \| failed 3 \|/);
    expect(clean(waited.stdout)).toMatchInlineSnapshot(`
      "Job job_ID (openai, native)
      Status: completed | Total: 250 | Completed: 247 | Failed: 3
      Tokens: 2,470 in, 4,891 out
      Cost: $0.0049 (estimated $3.12)
      Elapsed: <elapsed>
      Results: llm-batch results job_ID --output md
      "
    `);
  });

  test('status prints the design line and exits 1', async ({ expect }) => {
    const run = await onJob('status', 'JOB');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('Status: completed | Total: 250 | Completed: 247 | Failed: 3\n');
  });

  test('status --json prints the job', async ({ expect }) => {
    const run = await onJob('status', 'JOB', '--json');
    const job = JSON.parse(run.stdout) as { id: string; status: string; counts: unknown; estimate: { costUsd: number } };
    expect(job.id).toBe(jobId);
    expect(job.status).toBe('completed');
    expect(job.counts).toEqual({ total: 250, succeeded: 247, failed: 3, cancelled: 0, expired: 0, pending: 0 });
    expect(job.estimate.costUsd).toBeCloseTo(3.12, 10);
  });

  test('results --output md prints the design header, then every item', async ({ expect }) => {
    const run = await onJob('results', 'JOB', '--output', 'md');
    expect(run.code).toBe(1);
    expect(clean(run.stdout.split('\n').slice(0, 9).join('\n'))).toMatchInlineSnapshot(`
      "# Batch Results (job_ID)
      - Completed: 247
      - Failed: 3

      ## risk_p1_0
      Quickly a clear for the care quickly.

      ## risk_p2_0
      Is text returns batch batch matches for quickly requests."
    `);
    expect(run.stdout).toContain('## risk_p17_0 — failed\n> server, retryable: The server had an error while processing your request.\n');
    expect(run.stdout.match(/^## /gm)).toHaveLength(250);
  });

  test('results --json prints one JSON document in input order', async ({ expect }) => {
    const run = await onJob('results', 'JOB', '--json');
    const document = JSON.parse(run.stdout) as { jobId: string; counts: { failed: number }; results: { id: string }[] };
    expect(document.jobId).toBe(jobId);
    expect(document.counts.failed).toBe(3);
    expect(document.results.map((result) => result.id).slice(0, 3)).toEqual(['risk_p1_0', 'risk_p2_0', 'risk_p3_0']);
    expect(document.results).toHaveLength(250);
  });

  test('results --output jsonl --status failed prints only the failed items', async ({ expect }) => {
    const run = await onJob('results', 'JOB', '--output', 'jsonl', '--status', 'failed');
    const ids = run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toEqual(['risk_p17_0', 'risk_p101_0', 'risk_p230_0']);
  });

  test('errors lists the items that did not succeed', async ({ expect }) => {
    const run = await onJob('errors', 'JOB');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatchInlineSnapshot(`
      "3 of 250 items did not succeed:
      risk_p17_0	failed	server (retryable)	The server had an error while processing your request.
      risk_p101_0	failed	server (retryable)	The server had an error while processing your request.
      risk_p230_0	failed	server (retryable)	The server had an error while processing your request.
      "
    `);
  });

  test('errors --json prints one JSON document', async ({ expect }) => {
    const run = await onJob('errors', 'JOB', '--json');
    const document = JSON.parse(run.stdout) as { errors: { id: string; error: { category: string } }[] };
    expect(document.errors.map((result) => `${result.id}:${result.error.category}`)).toEqual([
      'risk_p17_0:server',
      'risk_p101_0:server',
      'risk_p230_0:server',
    ]);
  });

  test('list prints one row per job', async ({ expect }) => {
    const run = await onJob('list');
    expect(run.code).toBe(0);
    expect(clean(run.stdout)).toMatchInlineSnapshot(`
      "JOB                       STATUS     PROVIDER       TOTAL  COMPLETED  FAILED  CREATED
      job_ID  completed  openai/native  250    247        3       <time>
      "
    `);
  });

  test('list --json prints the jobs as one JSON document', async ({ expect }) => {
    const run = await onJob('list', '--json');
    const document = JSON.parse(run.stdout) as { jobs: { id: string }[] };
    expect(document.jobs.map((job) => job.id)).toEqual([jobId]);
  });

  test('cancel of an ended job changes nothing and says so', async ({ expect }) => {
    const run = await onJob('cancel', 'JOB');
    expect(run.code).toBe(0);
    expect(clean(run.stdout)).toMatchInlineSnapshot(`
      "job_ID had already ended; nothing to cancel
      Status: completed | Total: 250 | Completed: 247 | Failed: 3
      "
    `);
  });

  test('resume of an ended job prints its summary', async ({ expect }) => {
    const run = await onJob('resume', 'JOB', '--quiet');
    expect(run.code).toBe(1);
    expect(clean(run.stdout)).toContain('Status: completed | Total: 250 | Completed: 247 | Failed: 3');
  });

  test('retry submits the retryable failed items as a new linked job', async ({ expect }) => {
    // A copy of the store, so the new job does not change what the other tests list.
    const copy = await store();
    await cp(storeDirectory, copy, { recursive: true });
    const run = await cli(['retry', jobId, '--store', copy]);
    expect(run.code).toBe(0);
    expect(clean(run.stdout)).toMatchInlineSnapshot(`
      "Retrying 3 items of job_ID as job_ID
      Status: validating | Total: 3 | Completed: 0 | Failed: 0 | Pending: 3
      Next: llm-batch wait job_ID
      "
    `);
    const listed = JSON.parse((await cli(['list', '--json', '--store', copy])).stdout) as { jobs: { retryOf?: string; counts: { total: number } }[] };
    expect(listed.jobs.find((job) => job.retryOf === jobId)?.counts.total).toBe(3);
  });
});

describe.concurrent('outputs of the design', () => {
  test('submit --dry-run prints the estimate and the first three provider lines, and sends nothing', async ({ expect }) => {
    const storeDirectory = await store();
    const run = await cli(['submit', riskFile, '--provider', 'openai', '--dry-run', '--pricing', pricingFile, '--store', storeDirectory]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchInlineSnapshot(`
      "Estimate: $3.12 (≈ –50% vs sync)
      Preview JSONL (3 lines):
      {"custom_id":"risk_p1_0","method":"POST","url":"/v1/chat/completions","body":{"model":"risk-scorer","messages":[{"role":"user","content":"Score the credit risk of applicant 1."}],"max_completion_tokens":24960}}
      {"custom_id":"risk_p2_0","method":"POST","url":"/v1/chat/completions","body":{"model":"risk-scorer","messages":[{"role":"user","content":"Score the credit risk of applicant 2."}],"max_completion_tokens":24960}}
      {"custom_id":"risk_p3_0","method":"POST","url":"/v1/chat/completions","body":{"model":"risk-scorer","messages":[{"role":"user","content":"Score the credit risk of applicant 3."}],"max_completion_tokens":24960}}
      "
    `);
    const listed = await cli(['list', '--json', '--store', storeDirectory]);
    expect(JSON.parse(listed.stdout)).toEqual({ jobs: [] });
  });

  test('submit --dry-run --json prints the estimate and preview as one document', async ({ expect }) => {
    const run = await cli(['submit', riskFile, '--dry-run', '--json', '--pricing', pricingFile, '--store', await store()]);
    const document = JSON.parse(run.stdout) as { dryRun: boolean; estimate: { costUsd: number; syncCostUsd: number }; preview: unknown[] };
    expect(document.dryRun).toBe(true);
    expect(document.estimate.costUsd).toBeCloseTo(3.12, 10);
    expect(document.estimate.syncCostUsd).toBeCloseTo(6.24, 10);
    expect(document.preview.length).toBeGreaterThanOrEqual(3);
  });

  test('estimate prints tokens and cost in batch and sync mode', async ({ expect }) => {
    const run = await cli(['estimate', riskFile, '--pricing', pricingFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchInlineSnapshot(`
      "Requests: 250
      Input tokens: 4,246
      Output tokens: up to 6,240,000 (expected 3,120,000)
      Estimate: $3.12 (≈ –50% vs sync)
      Sync price: $6.24 (batch saves $3.12)
      Pricing as of 2026-10-01
      "
    `);
  });

  test('estimate calls the cost of a model without a price unknown, never zero', async ({ expect }) => {
    const run = await cli(['estimate', riskFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Estimate: unknown (no price for model risk-scorer)\n');
  });

  test('submit --max-cost below the estimate refuses the job before sending anything, exit 2', async ({ expect }) => {
    const storeDirectory = await store();
    const run = await cli(['submit', riskFile, '--pricing', pricingFile, '--max-cost', '1', '--store', storeDirectory]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch: Estimated cost $3.1200 exceeds the budget maxCostUsd=$1.0000; nothing was sent. Raise --max-cost or send fewer requests.\n');
    expect(JSON.parse((await cli(['list', '--json', '--store', storeDirectory])).stdout)).toEqual({ jobs: [] });
  });

  test('estimate --json prints the CostEstimate', async ({ expect }) => {
    const run = await cli(['estimate', riskFile, '--pricing', pricingFile, '--json']);
    const estimate = JSON.parse(run.stdout) as { outputTokensMax: number; outputTokensExpected: number; costUsd: number; pricingAsOf: string };
    expect(estimate.outputTokensMax).toBe(250 * 24_960);
    expect(estimate.outputTokensExpected).toBe(3_120_000);
    expect(estimate.costUsd).toBeCloseTo(3.12, 10);
    expect(estimate.pricingAsOf).toBe('2026-10-01');
  });
});

describe.concurrent('jobs that do not end well', () => {
  test('cancel stops a running native job; wait then exits 3', async ({ expect }) => {
    const storeDirectory = await store();
    const env = envFor(slowServer);
    const submitted = await cli(['submit', smallFile, '--store', storeDirectory], { env });
    const jobId = /Submitted (job_[a-z0-9]+)/.exec(submitted.stdout)?.[1] ?? 'missing';
    const cancelled = await cli(['cancel', jobId, '--store', storeDirectory], { env });
    expect(cancelled.code).toBe(0);
    expect(clean(cancelled.stdout)).toMatch(/^(Cancel requested for|Cancelled) job_ID\nStatus: (cancelling|cancelled) \| Total: 3 /);
    const waited = await cli(['wait', jobId, '--poll-interval', '100ms', '--quiet', '--store', storeDirectory], { env });
    expect(waited.code).toBe(3);
    expect(waited.stdout).toContain('Status: cancelled | Total: 3 | Completed: 0 | Failed: 0 | Cancelled: 3');
  });

  test('resume continues an emulated job whose process stopped, without redoing finished items', async ({ expect }) => {
    const storeDirectory = await store();
    const env = envFor(slowServer);
    const requests = Array.from({ length: 6 }, (_, index) => JSON.stringify({ id: `item_${index}`, messages: [{ role: 'user', content: `Item ${index}` }] }));
    const file = await folder.file('emulated.jsonl', requests.join('\n'));
    const first = await cli(['run', file, '--mode', 'emulated', '--concurrency', '1', '--timeout', '1s', '--quiet', '--store', storeDirectory], { env });
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('still in_progress');
    const jobId = (JSON.parse((await cli(['list', '--json', '--store', storeDirectory], { env })).stdout) as { jobs: { id: string }[] }).jobs[0]!.id;
    const status = await cli(['status', jobId, '--store', storeDirectory], { env });
    expect(status.stderr).toContain(`continue it with "llm-batch resume ${jobId}"`);
    const resumed = await cli(['resume', jobId, '--quiet', '--store', storeDirectory], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Status: completed | Total: 6 | Completed: 6 | Failed: 0');
  });
});

describe.concurrent('bad input files give one clear message naming the line, and exit 2', () => {
  const submitBad = async (name: string, text: string) => {
    const path = await folder.file(name, text);
    const run = await cli(['submit', path, '--provider', 'openai', '--model', 'gpt-5.4-mini', '--store', await store()]);
    expect(run.stdout).toBe('');
    return { code: run.code, stderr: clean(run.stderr) };
  };

  test('invalid JSON on line 3', async ({ expect }) => {
    const run = await submitBad('invalid.jsonl', '{"id":"a","messages":[{"role":"user","content":"Hi"}]}\n\n{"id":"b",\n');
    expect(run.code).toBe(2);
    // The parser's own words differ between Node versions.
    expect(run.stderr.replace(/invalid JSON \(.*\)$/m, 'invalid JSON (<parser message>)')).toMatchInlineSnapshot(`
      "llm-batch: <tmp>/invalid.jsonl: invalid input (1 problem)
        - line 3: invalid JSON (<parser message>)
      "
    `);
  });

  test('duplicate ids', async ({ expect }) => {
    const line = '{"id":"same","messages":[{"role":"user","content":"Hi"}]}';
    const run = await submitBad('duplicate.jsonl', `${line}\n${line}\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "llm-batch: <tmp>/duplicate.jsonl: invalid input (1 problem)
        - line 2 (id "same"): id: duplicate id (first used on line 1)
      "
    `);
  });

  test('an empty file', async ({ expect }) => {
    const run = await submitBad('empty.jsonl', '\n\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "llm-batch: <tmp>/empty.jsonl: invalid input (1 problem)
        - the file is empty: expected one JSON request a line
      "
    `);
  });

  test('unknown keys', async ({ expect }) => {
    const run = await submitBad('unknown.jsonl', '{"id":"a","prompt":"Hi","messages":[{"role":"user","content":"Hi"}]}\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatchInlineSnapshot(`
      "llm-batch: <tmp>/unknown.jsonl: invalid input (1 problem)
        - line 1 (id "a"): prompt: unknown key (a line has id, model, messages, system, maxTokens, temperature, topP, stop, tools, toolChoice, responseFormat, metadata, providerOptions)
      "
    `);
  });

  test('a template placeholder no data column fills', async ({ expect }) => {
    const template = await folder.file('unknown-column.txt', 'Describe {{colour}} {{product}}.');
    const data = await folder.file('unknown-column.csv', 'id,product\nlamp,a lamp\n');
    const run = await cli(['submit', '--template', template, '--data', data, '--provider', 'openai', '--store', await store()]);
    expect(run.code).toBe(2);
    expect(clean(run.stderr)).toMatchInlineSnapshot(`
      "llm-batch: <tmp>/unknown-column.csv: invalid input (1 problem)
        - line 2 (id "lamp"): template: unknown placeholder {{colour}}; the row has fields id, product
      "
    `);
  });
});

describe.concurrent('usage errors exit 2', () => {
  test('an unknown option', async ({ expect }) => {
    const run = await cli(['status', 'job_x', '--colour']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch status: unknown option --colour\nRun "llm-batch status --help" for usage.\n');
  });

  test('an unknown command', async ({ expect }) => {
    const run = await cli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('llm-batch: unknown command "frobnicate"');
  });

  test('a missing job id', async ({ expect }) => {
    const run = await cli(['results']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch results: missing <job-id>\nRun "llm-batch results --help" for usage.\n');
  });

  test('an unknown job', async ({ expect }) => {
    const run = await cli(['status', 'job_doesnotexist', '--store', await store()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('llm-batch: Job "job_doesnotexist" not found in the store (see "llm-batch list", or pass --store DIR)\n');
  });

  test('credentials the provider refuses, without showing the key', async ({ expect }) => {
    const guarded = await createMockProviderServer({ apiKeys: ['sk-the-only-valid-key-000000'] });
    try {
      const run = await cli(['run', smallFile, '--quiet', '--store', await store()], { env: envFor(guarded) });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^llm-batch: the provider refused the credentials/m);
    } finally {
      await guarded.close();
    }
  });

  test('every command has --help with examples', async ({ expect }) => {
    const names = ['run', 'submit', 'status', 'wait', 'results', 'errors', 'cancel', 'list', 'resume', 'retry', 'estimate'];
    const runs = await Promise.all(names.map((name) => cli([name, '--help'])));
    for (const [index, run] of runs.entries()) {
      expect(run.code, names[index]).toBe(0);
      expect(run.stdout, names[index]).toMatch(new RegExp(`^Usage: llm-batch ${names[index]} [\\s\\S]*Examples:\\n  llm-batch ${names[index]}`));
    }
    const main = await cli(['--help']);
    expect(main.stdout).toContain('mock-server');
  });
});
