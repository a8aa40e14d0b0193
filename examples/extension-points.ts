// The extension points, each on the local emulator with no key:
//   1. any AI SDK model as the call strategy of an emulated batch (aiSdk, through @ai-sdk/openai);
//   2. your own error classification (classifyError);
//   3. one metricsObserver fed by a native OpenAI job and an emulated one, as Prometheus text;
//   4. a logger (here: lines on stderr, as LLM_BATCH_LOG=debug gives the CLI);
//   5. includeRaw: the provider's full response on each result, and the tool execution history;
//   6. throwOnFailure: run() rejects with the partial aggregate when the job ends failed.
//
//   node --import tsx examples/extension-points.ts
import { createOpenAI } from '@ai-sdk/openai';
import { createBatchClient, emulated, fixedDelay, JobFailedError, memoryStore, metricsObserver, noRetry, type BatchRequest, type Logger } from 'llm-batch';
import { aiSdk } from 'llm-batch/ai-sdk';
import { openaiBatch, openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockRequest } from 'llm-batch/testing';

const prompts = (prefix: string, count: number): BatchRequest[] =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}_${index}`, model: 'gpt-4o-mini', maxTokens: 32, messages: [{ role: 'user', content: `${prefix} question ${index}` }] }));

// The scripted emulator: "gateway" answers 400 "upstream timeout" once, "refused" always 400.
let gatewayCalls = 0;
function scripted(request: MockRequest) {
  const body = JSON.stringify(request.body);
  if (body.includes('gateway question') && gatewayCalls++ === 0) return { status: 400, error: { message: 'Upstream timeout after 30s' } };
  if (body.includes('refused question')) return { status: 400, error: { message: 'This request is not allowed' } };
  return undefined;
}
const emulator = await createMockProviderServer({ respond: scripted, faults: { rates: { '429': 0.05, '503': 0.05 }, retryAfterMs: 20 }, batch: { validatingMs: 20, processingMs: 100, finalizingMs: 20 } });
const baseURL = `${emulator.url}/v1`;

// 4. A logger: anything with debug, info, warn and error (console, pino, winston ...).
const logger: Logger = {
  debug: () => {},
  info: (message) => process.stderr.write(`info  ${message}\n`),
  warn: (message) => process.stderr.write(`warn  ${message}\n`),
  error: (message) => process.stderr.write(`error ${message}\n`),
};
// 3. One metrics observer for every job of both clients.
const metrics = metricsObserver();
const shared = { store: memoryStore(), observers: [metrics], logger, pollIntervalMs: 20, maxPollIntervalMs: 50 };

// 1. Any AI SDK model: here OpenAI's through @ai-sdk/openai, pointed at the emulator (5% 429s, 5% 503s).
const openai = createOpenAI({ baseURL, apiKey: 'local' });
const viaAiSdk = createBatchClient({ provider: emulated({ call: aiSdk({ model: openai('gpt-4o-mini') }), concurrency: 8, retry: fixedDelay({ maxRetries: 5, delayMs: 10 }) }), ...shared });
const aiSummary = await viaAiSdk.run(prompts('ai', 40));
const aiCalls = aiSummary.results.reduce((sum, result) => sum + (result.status === 'succeeded' ? (result.attempts ?? 1) : 0), 0);
console.log(`1. aiSdk, ${aiSummary.counts.succeeded}/40 succeeded, ${(aiCalls / 40).toFixed(2)} calls per item (the AI SDK's own retries are off)`);

// 2. classifyError: the gateway's 400 "upstream timeout" is really a timeout: retry it.
const classified = createBatchClient({
  provider: emulated({
    call: openaiChat({ baseURL, apiKey: 'local' }),
    retry: fixedDelay({ maxRetries: 3, delayMs: 10 }),
    classifyError: (_error, builtIn) => (builtIn.statusCode === 400 && /upstream timeout/i.test(builtIn.message) ? { ...builtIn, category: 'timeout', retryable: true } : undefined),
  }),
  ...shared,
});
const gateway = await classified.run(prompts('gateway', 1));
console.log(`2. classifyError hook, the gateway item ${gateway.results[0]?.status} after ${gateway.results[0]?.status === 'succeeded' ? gateway.results[0].attempts : '?'} attempts`);

// 3. A native OpenAI batch job feeds the same observer, with onResult as results are read.
let read = 0;
const native = createBatchClient({ provider: openaiBatch({ baseURL, apiKey: 'local', includeRaw: true }), ...shared, onResult: () => void read++ });
const nativeSummary = await native.run(prompts('native', 5));
console.log(`3. native job, ${nativeSummary.counts.succeeded} succeeded, onResult called ${read} times`);

// 5. includeRaw: the full response body of each result (native: the whole result line).
const first = nativeSummary.results[0];
const raw = first?.status === 'succeeded' ? (first.raw as { response?: { body?: { object?: string } } }) : undefined;
console.log(`5. includeRaw, result ${first?.id} carries its ${raw?.response?.body?.object ?? 'missing'} body`);

// 6. throwOnFailure: a fail-fast job that fails rejects with the partial aggregate.
const failFast = createBatchClient({ provider: emulated({ call: openaiChat({ baseURL, apiKey: 'local' }), concurrency: 1, errorStrategy: 'fail-fast', retry: noRetry() }), store: memoryStore() });
try {
  await failFast.run([...prompts('fine', 2), ...prompts('refused', 1), ...prompts('never', 1)], { throwOnFailure: true });
  console.log('6. throwOnFailure, no rejection (unexpected)');
} catch (error) {
  if (!JobFailedError.isInstance(error)) throw error;
  const { succeeded, failed, cancelled } = (error as JobFailedError).aggregate.counts;
  console.log(`6. throwOnFailure, JobFailedError with ${succeeded} succeeded, ${failed} failed, ${cancelled} cancelled`);
}

console.log('\nPrometheus text of the shared metrics observer (native and emulated jobs):\n');
console.log(
  metrics
    .toPrometheus()
    .split('\n')
    .filter((line) => /^llm_batch_(items_total|parts_|part_polls|jobs_|retries_total|rate_limit_hits)/.test(line))
    .join('\n'),
);
await Promise.all([viaAiSdk.close(), classified.close(), native.close(), failFast.close()]);
await emulator.close();
