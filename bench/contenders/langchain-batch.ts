/**
 * LangChain.js `ChatOpenAI.batch()` with its defaults (its own retry loop: 6 retries with exponential
 * backoff) and `maxConcurrency`. `returnExceptions: true` keeps one failed item from rejecting the
 * whole batch, which is what anyone running a batch needs. Item latency comes from the model's
 * callbacks (awaited, so their timestamps are the real ones).
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { ChatOpenAI } from '@langchain/openai';
import type { Contender } from './contender.js';

export const langchainBatch: Contender = async (input) => {
  process.env['LANGCHAIN_CALLBACKS_BACKGROUND'] = 'false';
  const model = new ChatOpenAI({ model: input.model, apiKey: input.apiKey, maxTokens: input.maxTokens, configuration: { baseURL: input.baseURL } });
  const startedByRun = new Map<string, number>();
  const handler = BaseCallbackHandler.fromMethods({
    handleChatModelStart(_llm, _messages, runId) {
      startedByRun.set(runId, performance.now());
    },
    handleLLMEnd(_output, runId) {
      const started = startedByRun.get(runId);
      startedByRun.delete(runId);
      input.record({ ok: true, latencyMs: started === undefined ? Number.NaN : performance.now() - started });
    },
    handleLLMError(_error, runId) {
      const started = startedByRun.get(runId);
      startedByRun.delete(runId);
      input.record({ ok: false, latencyMs: started === undefined ? Number.NaN : performance.now() - started });
    },
  });
  const prompts = Array.from({ length: input.total }, (_, index) => input.prompt(index));
  await model.batch(prompts, { maxConcurrency: input.concurrency, callbacks: [handler] }, { returnExceptions: true });
};
