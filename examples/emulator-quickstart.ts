/**
 * The local provider emulator: both official SDKs against one offline server, with a native batch
 * driven by the batch clock, a scripted failure, a forced fault and the request journal.
 *
 *   npx tsx examples/emulator-quickstart.ts
 *
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { createMockProviderServer } from 'llm-batch/testing';

const server = await createMockProviderServer({
  seed: 42,
  latency: { p50: 20, p99: 80 },
  rateLimit: { requestsPerMinute: 600 },
  // The batch clock only moves when advance() says so: no waiting, no flaky timing.
  batch: { clock: 'manual' },
  // Script one item to fail; everything else gets the deterministic default answer.
  respond: (request) => (request.batch?.customId === 'q-2' ? { status: 400, error: { message: 'This item is invalid.' } } : undefined),
});

try {
  const openai = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });

  // Synchronous calls, with the emulator's rate-limit headers.
  const { data: completion, response } = await openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] })
    .withResponse();
  console.log('chat:', completion.choices[0]?.message.content, '| remaining requests:', response.headers.get('x-ratelimit-remaining-requests'));
  const message = await anthropic.messages.create({ model: 'claude-example', max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }] });
  console.log('messages:', message.content[0]?.type === 'text' ? message.content[0].text : message.content[0]?.type);

  // A forced fault: any request can carry x-mock-fault.
  const overloaded = await anthropic.messages
    .create({ model: 'claude-example', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-mock-fault': '529' } })
    .catch((error: unknown) => error);
  console.log('forced fault:', overloaded instanceof Anthropic.APIError ? `${overloaded.status} ${overloaded.type ?? ''}` : overloaded);

  // A native OpenAI batch: upload, create, advance the clock, download.
  const lines = ['q-1', 'q-2', 'q-3'].map((customId) =>
    JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Question ${customId}` }] } }),
  );
  const file = await openai.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'requests.jsonl'), purpose: 'batch' });
  const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  console.log('batch created:', batch.status);
  await server.advance(60_000);
  const done = await openai.batches.retrieve(batch.id);
  console.log('batch done:', done.status, done.request_counts);
  const output = await (await openai.files.content(done.output_file_id ?? '')).text();
  const errors = await (await openai.files.content(done.error_file_id ?? '')).text();
  console.log('output lines:', output.trim().split('\n').length, '| error lines:', errors.trim().split('\n').length);

  // The journal records every request (never keys; bodies only with journalBodies: true).
  console.log('journal:', server.journal.map((entry) => `${entry.method} ${entry.path} ${entry.status}${entry.fault ? ` (${entry.fault})` : ''}`));
  console.log('stats:', server.stats().successfulCalls, 'batches created:', server.stats().batchesCreated);
} finally {
  await server.close();
}
