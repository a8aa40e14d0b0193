/**
 * This library, through its public API: an emulated batch over the Chat Completions endpoint, with
 * every setting at its default except the concurrency.
 */
import { pathToFileURL } from 'node:url';
import type { BatchRequest } from '../../dist/index.js';
import type { Contender } from './contender.js';

type Library = typeof import('../../dist/index.js');
type OpenAIEntry = typeof import('../../dist/openai.js');

/**
 * The built package: `../../dist` by default; `LLM_BATCH_DIST` (an absolute folder) loads another
 * build, and `LLM_BATCH_BASELINE_DIST` the baseline build of the "llm-batch (baseline)" contender,
 * so that bench/scattered-faults.ts compares two versions of the library in one run.
 */
async function load(baseline: boolean): Promise<{ library: Library; openai: OpenAIEntry }> {
  const folder = baseline ? process.env['LLM_BATCH_BASELINE_DIST'] : process.env['LLM_BATCH_DIST'];
  if (baseline && folder === undefined) throw new Error('Set LLM_BATCH_BASELINE_DIST to the dist folder of the baseline build');
  const base = folder === undefined ? new URL('../../dist/', import.meta.url).href : `${pathToFileURL(folder).href}/`;
  const [library, openai] = await Promise.all([import(`${base}index.js`) as Promise<Library>, import(`${base}openai.js`) as Promise<OpenAIEntry>]);
  return { library, openai };
}

// Loaded before the contender's clock starts, as a static import would be.
const current = await load(false);
const baselineBuild = process.env['LLM_BATCH_BASELINE_DIST'] === undefined ? undefined : await load(true);

export const llmBatch: Contender = (input) => runLlmBatch(input, true, false);

/** The same with `rateLimit: { adaptive: false }`: each item waits out its own 429s, no shared cooldown. */
export const llmBatchNotAdaptive: Contender = (input) => runLlmBatch(input, false, false);

/** The baseline build (`LLM_BATCH_BASELINE_DIST`) with its defaults: before and after in one run. */
export const llmBatchBaseline: Contender = (input) => runLlmBatch(input, true, true);

async function runLlmBatch(input: Parameters<Contender>[0], adaptive: boolean, baseline: boolean): Promise<void> {
  const loaded = baseline ? baselineBuild : current;
  if (loaded === undefined) throw new Error('Set LLM_BATCH_BASELINE_DIST to the dist folder of the baseline build');
  const { library, openai } = loaded;
  const { createBatchClient, emulated, memoryStore } = library;
  const { openaiChat } = openai;
  const client = createBatchClient({
    provider: emulated({
      call: openaiChat({ baseURL: input.baseURL, apiKey: input.apiKey }),
      concurrency: input.concurrency,
      ...(adaptive ? {} : { rateLimit: { adaptive: false } }),
      // Extra emulated() options for experiments (JSON), e.g. '{"rateLimit":{"cooldownFloorMs":500}}'.
      ...(baseline ? {} : (JSON.parse(process.env['LLM_BATCH_EMULATED_OPTIONS'] ?? '{}') as object)),
      onResult: (result) => {
        if (result.status === 'succeeded' || result.status === 'failed') {
          input.record({ ok: result.status === 'succeeded', latencyMs: result.latencyMs ?? Number.NaN });
        } else {
          input.record({ ok: false, latencyMs: Number.NaN });
        }
      },
    }),
    store: memoryStore(),
  });
  function* requests(): Generator<BatchRequest> {
    for (let index = 0; index < input.total; index += 1) {
      yield { id: `item_${index}`, model: input.model, maxTokens: input.maxTokens, messages: [{ role: 'user', content: input.prompt(index) }] };
    }
  }
  await client.run(requests());
  await client.close();
}
