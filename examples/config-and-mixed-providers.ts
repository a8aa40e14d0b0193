/**
 * A config file with two providers, one job that mixes them, and a batch made elsewhere attached.
 *
 * - llm-batch.config.yaml names the providers, the environment variables that hold their keys
 *   (never the keys), their base URLs, and a per-model cap (maxRequestsPerPart).
 * - Requests whose model names a provider (`anthropic:...`, `openai:...`) run as parts on both,
 *   and read back as one job with one aggregate.
 * - Each provider runs in its own mode: OpenAI's parts as native batches, Anthropic's emulated
 *   over its Messages API (`providers.anthropic.mode: emulated`), in the same job.
 * - `createBatchClient({ config: path })` reads the file itself, on the first call.
 * - A batch created with the plain OpenAI SDK is attached and read like any job.
 *
 * Run:   npx tsx examples/config-and-mixed-providers.ts   (no key needed: it runs on the local emulator)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { createBatchClient, loadConfig, memoryStore } from 'llm-batch';
import { createMockProviderServer } from 'llm-batch/testing';

const emulator = await createMockProviderServer({ batch: { validatingMs: 20, processingMs: 100, finalizingMs: 20 } });
const folder = await mkdtemp(join(tmpdir(), 'llm-batch-example-config-'));
// The emulator takes any key; a real project sets these in its environment.
process.env['EXAMPLE_OPENAI_KEY'] = 'sk-local-openai';
process.env['EXAMPLE_ANTHROPIC_KEY'] = 'sk-local-anthropic';

const configPath = join(folder, 'llm-batch.config.yaml');
await writeFile(
  configPath,
  `provider: openai
pollIntervalMs: 50
providers:
  openai:
    apiKeyEnv: EXAMPLE_OPENAI_KEY
    baseURL: ${emulator.url}/v1
  anthropic:
    apiKeyEnv: EXAMPLE_ANTHROPIC_KEY
    baseURL: ${emulator.url}
    mode: emulated
models:
  gpt-5.4-mini:
    maxRequestsPerPart: 5
`,
);

try {
  const client = createBatchClient({ config: await loadConfig(configPath), store: memoryStore() });

  const questions = Array.from({ length: 12 }, (_, index) => `Question ${index + 1}: name a prime number above ${index * 10}.`);
  const summary = await client.run(
    questions.map((question, index) => ({
      id: `q${index}`,
      model: index % 3 === 0 ? 'anthropic:claude-haiku-4-5' : 'openai:gpt-5.4-mini',
      maxTokens: 50,
      messages: [{ role: 'user' as const, content: question }],
    })),
  );
  const job = await client.status(summary.jobId);
  console.log(`Job ${job.id} on ${job.provider}: ${summary.counts.succeeded} of ${summary.counts.total} succeeded`);
  for (const part of job.parts) {
    const where = part.providerBatchId ?? 'no provider batch';
    console.log(`  part ${part.id}: ${part.provider ?? job.provider.split('+')[0]} (${part.mode ?? job.mode}) ${part.model ?? ''} ${part.requestCount} requests, ${where}`);
  }
  console.log(`Usage ${summary.usage.totalTokens} tokens, cost $${summary.costUsd?.toFixed(6) ?? 'unknown'} across both providers`);

  // A batch made by another tool, attached and read like any job.
  const openai = new OpenAI({ apiKey: 'sk-local-openai', baseURL: `${emulator.url}/v1` });
  const line = (id: string, content: string) =>
    JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-5.4-mini', messages: [{ role: 'user', content }] } });
  const file = await openai.files.create({ file: await toFile(Buffer.from(`${line('a', 'Hello')}\n${line('b', 'Bonjour')}\n`), 'input.jsonl'), purpose: 'batch' });
  const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const attached = await client.attach({ provider: 'openai', batchId: batch.id });
  await client.wait(attached.id);
  for await (const result of client.results(attached.id)) console.log(`  attached ${batch.id} / ${result.id}: ${result.status}`);
  await client.close();

  // The same file, read by the client itself (on the first call; a bad file would reject it, naming the key and line).
  await using fromPath = createBatchClient({ config: configPath, store: memoryStore() });
  const one = await fromPath.run([{ id: 'again', model: 'anthropic:claude-haiku-4-5', messages: [{ role: 'user' as const, content: 'Hello again' }] }]);
  console.log(`From the path: ${one.counts.succeeded} succeeded, ${one.results[0]?.status === 'succeeded' ? one.results[0].text : 'no text'}`);
} finally {
  delete process.env['EXAMPLE_OPENAI_KEY'];
  delete process.env['EXAMPLE_ANTHROPIC_KEY'];
  await emulator.close();
  await rm(folder, { recursive: true, force: true });
}
