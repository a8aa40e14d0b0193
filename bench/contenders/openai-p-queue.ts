/**
 * The official SDK with its default retries and a p-queue of the given concurrency.
 */
import OpenAI from 'openai';
import PQueue from 'p-queue';
import type { Contender } from './contender.js';

export const openaiPQueue: Contender = async (input) => {
  const client = new OpenAI({ apiKey: input.apiKey, baseURL: input.baseURL });
  const queue = new PQueue({ concurrency: input.concurrency });
  for (let index = 0; index < input.total; index += 1) {
    void queue.add(async () => {
      const started = performance.now();
      try {
        await client.chat.completions.create({ model: input.model, max_completion_tokens: input.maxTokens, messages: [{ role: 'user', content: input.prompt(index) }] });
        input.record({ ok: true, latencyMs: performance.now() - started });
      } catch {
        input.record({ ok: false, latencyMs: performance.now() - started });
      }
    });
  }
  await queue.onIdle();
};
