import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiBatch } from '../../../src/adapters/openai/openai-batch-adapter.js';
import { openaiChat } from '../../../src/adapters/openai/openai-chat-strategy.js';
import { openaiResponses } from '../../../src/adapters/openai/openai-responses-strategy.js';
import type { ProviderReference } from '../../../src/models/batch-job.js';
import type { BatchRequest } from '../../../src/models/batch-request.js';
import type { BatchProvider, SubmitContext, SubmitPart } from '../../../src/provider/batch-provider.js';

// Every request the adapter sends is replayed against the published OpenAPI spec, served by
// steady, which answers 400 with validation details when a request does not match the spec.
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const specPath = fileURLToPath(new URL('../shared/specs/openai-openapi.yaml', new URL(repositoryRoot, 'file://')));
const steadyPath = fileURLToPath(new URL('node_modules/.bin/steady', new URL(repositoryRoot, 'file://')));
const available = existsSync(specPath) && existsSync(steadyPath);
if (!available) {
  console.warn(`Skipping the OpenAI request conformance tests: the OpenAPI spec (../shared/specs/openai-openapi.yaml) or steady is not present.`);
}

const apiKey = 'sk-test-spec';
let steady: ChildProcess | undefined;
let baseURL = '';
let log = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForHealth(origin: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`steady exited with code ${child.exitCode}:\n${log}`);
    try {
      const response = await fetch(`${origin}/_x-steady/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`steady did not become healthy:\n${log}`);
}

const part: SubmitPart = {
  jobId: 'job_spec',
  partId: 'part_0',
  index: 0,
  model: 'gpt-4.1-mini',
  requestCount: 2,
  metadata: { run: 'spec' },
  async *requests() {
    yield { id: 'a', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 16 };
    yield { id: 'b', system: 'Be brief', messages: [{ role: 'user', content: 'Hello' }], temperature: 0.5 };
  },
};

function context(previous?: ProviderReference): SubmitContext & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    warn: (message) => warnings.push(message),
    checkpoint: async () => {},
    recordResult: async () => {},
    ...(previous ? { previous } : {}),
  };
}

/** Runs a call; a 400 from steady (a request that breaks the spec) fails the test with its details. */
async function conforms<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const status = (error as { status?: number }).status;
    // 400/422: the body or query broke the spec; 404: the path is not in it.
    if (status !== undefined && status >= 400 && status < 500) {
      throw new Error(`request rejected by the spec (${status}): ${JSON.stringify((error as { error?: unknown }).error ?? (error as Error).message)}`);
    }
    if (status === undefined && !(error instanceof SyntaxError)) throw error;
    // Synthesized responses can make later steps fail in other ways; only the request matters here.
    return undefined;
  }
}

describe.skipIf(!available)('OpenAI requests conform to the OpenAPI spec (steady)', () => {
  let adapter: BatchProvider;
  let reference: (ProviderReference & { id: string }) | undefined;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    steady = spawn(
      steadyPath,
      [
        '--host', '127.0.0.1', '-p', String(port), '-q',
        '--validator-query-array-format=brackets', '--validator-form-array-format=brackets',
        '--validator-query-object-format=brackets', '--validator-form-object-format=brackets',
        specPath,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    steady.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    steady.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitForHealth(origin, steady);
    // The spec's paths start at its server URL (`…/v1`), so steady serves them from the root.
    baseURL = origin;
    adapter = openaiBatch({ apiKey, baseURL, outputExpiresAfterSeconds: 7200 });
  }, 120_000);

  afterAll(() => {
    steady?.kill('SIGTERM');
  });

  it('files upload (purpose batch) and batches create', async () => {
    reference = await conforms(() => adapter.submit(part, context()));
    expect(reference?.id).toEqual(expect.any(String));
    expect(reference?.['inputFileId']).toEqual(expect.any(String));
  });

  it('is able to fail: a completion window the spec does not allow is rejected', async () => {
    const wrong = openaiBatch({ apiKey, baseURL, completionWindow: '48h' });
    await expect(conforms(() => wrong.submit(part, context({ inputFileId: 'file-abc123' })))).rejects.toThrow(/rejected by the spec \(400\)/);
  });

  it('batches create reusing a checkpointed file', async () => {
    const created = await conforms(() => adapter.submit(part, context({ inputFileId: 'file-abc123', uploadedAt: 1_700_000_000 })));
    expect(created?.id).toEqual(expect.any(String));
  });

  it('batches retrieve (poll)', async () => {
    const polled = await conforms(() => adapter.poll({ id: reference?.id ?? 'batch_abc123' }, context()));
    expect(polled?.status).toEqual(expect.any(String));
  });

  it('batches list (find, cursor pagination)', async () => {
    await conforms(() => adapter.find!(part, context({ inputFileId: 'file-abc123', uploadedAt: 1_700_000_000 })));
  });

  it('batches cancel', async () => {
    await conforms(() => adapter.cancel({ id: reference?.id ?? 'batch_abc123' }, context()));
  });

  it('files content (results) and files delete (cleanup)', async () => {
    await conforms(async () => {
      const results = [];
      for await (const result of adapter.results({ id: reference?.id ?? 'batch_abc123' }, context())) results.push(result);
      return results;
    });
    const cleaning = openaiBatch({ apiKey, baseURL, cleanupFiles: 'all' });
    await conforms(() => cleaning.cleanup!({ id: 'batch_abc123', inputFileId: 'file-abc123', outputFileId: 'file-def456' }, context()));
  });

  it('chat completions and responses calls of the call strategies', async () => {
    const request: BatchRequest = {
      id: 'x',
      model: 'gpt-4.1-mini',
      system: 'Be brief',
      messages: [{ role: 'user', content: 'Hi' }],
      maxTokens: 16,
      tools: [{ name: 'lookup', parameters: { type: 'object', properties: {} } }],
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' } },
    };
    const callContext = { attempt: 1, signal: new AbortController().signal, timeoutMs: 30_000 };
    await conforms(() => openaiChat({ apiKey, baseURL }).call(request, callContext));
    await conforms(() => openaiResponses({ apiKey, baseURL }).call(request, callContext));
  });
});
