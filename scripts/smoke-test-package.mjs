// Loads the built package the way users do, through its own name and exports map, in both
// module systems. Run after `npm run build`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const entries = ['llm-batch', 'llm-batch/openai', 'llm-batch/anthropic', 'llm-batch/gemini', 'llm-batch/testing', 'llm-batch/ai-sdk', 'llm-batch/redis', 'llm-batch/viewer'];
const expected = {
  'llm-batch': ['createBatchClient', 'emulated', 'fileStore', 'memoryStore', 'classifyError', 'ValidationError'],
  'llm-batch/openai': ['openaiBatch', 'openaiChat', 'openaiResponses'],
  'llm-batch/anthropic': ['anthropicBatch', 'anthropicMessages'],
  'llm-batch/gemini': ['geminiBatch', 'geminiGenerate'],
  'llm-batch/testing': ['createMockProviderServer', 'createMockBatchProvider', 'runAdapterConformance', 'fakeBatchProvider'],
  'llm-batch/ai-sdk': ['aiSdk'],
  'llm-batch/redis': ['redisStore', 'distributed', 'createBatchWorker'],
  'llm-batch/viewer': ['startViewer'],
};

let failures = 0;
for (const entry of entries) {
  for (const [system, load] of [
    ['require', async () => require(entry)],
    ['import', async () => import(entry)],
  ]) {
    try {
      const loaded = await load();
      const missing = expected[entry].filter((name) => typeof loaded[name] !== 'function');
      if (missing.length > 0) throw new Error(`missing exports: ${missing.join(', ')}`);
      console.log(`ok   ${system}('${entry}')`);
    } catch (error) {
      failures++;
      console.log(`FAIL ${system}('${entry}'): ${error.message}`);
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
