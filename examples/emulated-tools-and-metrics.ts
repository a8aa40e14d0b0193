// An emulated batch whose model calls a local tool, with middleware that skips some requests and
// rewrites answers, and the built-in metrics observer rendered as Prometheus text.
//
//   node --import tsx examples/emulated-tools-and-metrics.ts
//
// It runs against the local provider emulator, scripted to ask for the `weather` tool once per city
// question and to answer with what the tool returned.
import { createBatchClient, emulated, memoryStore, metricsObserver, type BatchRequest } from 'llm-batch';
import { openaiChat } from 'llm-batch/openai';
import { createMockProviderServer, type MockRequest } from 'llm-batch/testing';

interface ChatMessage {
  readonly role: string;
  readonly content?: string | null;
}

// The scripted model: a question about a city first asks for the tool, then answers with its result.
function scriptedModel(request: MockRequest) {
  const messages = (request.body['messages'] ?? []) as ChatMessage[];
  const toolAnswer = messages.find((message) => message.role === 'tool');
  if (toolAnswer) return { text: `It is ${JSON.parse(String(toolAnswer.content)).summary}.` };
  const question = String(messages.at(-1)?.content ?? '');
  const city = /weather in (\w+)/i.exec(question)?.[1];
  if (city) return { toolCalls: [{ name: 'weather', arguments: { city } }], finishReason: 'tool_calls' as const };
  return undefined;
}

const emulator = await createMockProviderServer({ latency: 20, respond: scriptedModel });
const metrics = metricsObserver();

const client = createBatchClient({
  store: memoryStore(),
  provider: emulated({
    call: openaiChat({ baseURL: `${emulator.url}/v1`, apiKey: 'local' }),
    concurrency: 4,
    tools: {
      weather: {
        description: 'The current weather of a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        execute: async ({ city }) => ({ summary: `sunny and 21 °C in ${String(city)}` }),
      },
    },
    maxToolIterations: 3,
    middleware: [
      {
        // Requests marked as drafts are recorded as skipped and never sent.
        before: (request) => (request.metadata?.['draft'] === 'yes' ? { skip: true } : request),
        // Every answer is trimmed before it is journaled.
        after: (_request, result) => (result.status === 'succeeded' ? { ...result, text: result.text.trim() } : result),
      },
    ],
    observers: [metrics],
  }),
});

const requests: BatchRequest[] = [
  { id: 'oslo', messages: [{ role: 'user', content: 'What is the weather in Oslo?' }] },
  { id: 'lima', messages: [{ role: 'user', content: 'What is the weather in Lima?' }] },
  { id: 'haiku', messages: [{ role: 'user', content: 'Write a haiku about queues.' }] },
  { id: 'draft', messages: [{ role: 'user', content: 'Not ready yet.' }], metadata: { draft: 'yes' } },
];
const summary = await client.run(requests, { model: 'gpt-5.4-mini' });

for (const result of summary.results) {
  if (result.status === 'succeeded') {
    const tools = result.toolCalls?.map((call) => `${call.name}(${call.arguments})`).join(', ');
    console.log(`${result.id}: ${result.text}${tools ? `  [tools: ${tools}; ${result.attempts} calls]` : ''}`);
  } else {
    console.log(`${result.id}: ${result.status} (${result.error?.message})`);
  }
}
console.log('\nPrometheus metrics (excerpt):');
console.log(
  metrics
    .toPrometheus()
    .split('\n')
    .filter((line) => line.startsWith('llm_batch_items_total'))
    .join('\n'),
);
await client.close();
await emulator.close();
