/**
 * What most users write: the official SDK with its default retries (2, honouring retry-after) and
 * p-limit around every call.
 */
import OpenAI from 'openai';
import pLimit from 'p-limit';
import type { Contender } from './contender.js';

export const openaiPLimit: Contender = async (input) => {
  const client = new OpenAI({ apiKey: input.apiKey, baseURL: input.baseURL });
  const limit = pLimit(input.concurrency);
  await Promise.all(
    Array.from({ length: input.total }, (_, index) =>
      limit(async () => {
        const started = performance.now();
        try {
          await client.chat.completions.create({ model: input.model, max_completion_tokens: input.maxTokens, messages: [{ role: 'user', content: input.prompt(index) }] });
          input.record({ ok: true, latencyMs: performance.now() - started });
        } catch {
          input.record({ ok: false, latencyMs: performance.now() - started });
        }
      }),
    ),
  );
};
