/**
 * The AI SDK: `generateText` with its default retries (2) over the OpenAI provider's Chat
 * Completions model, with p-limit around every call.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import pLimit from 'p-limit';
import type { Contender } from './contender.js';

export const aiSdkGenerateText: Contender = async (input) => {
  const provider = createOpenAI({ apiKey: input.apiKey, baseURL: input.baseURL });
  const model = provider.chat(input.model);
  const limit = pLimit(input.concurrency);
  await Promise.all(
    Array.from({ length: input.total }, (_, index) =>
      limit(async () => {
        const started = performance.now();
        try {
          await generateText({ model, prompt: input.prompt(index), maxOutputTokens: input.maxTokens });
          input.record({ ok: true, latencyMs: performance.now() - started });
        } catch {
          input.record({ ok: false, latencyMs: performance.now() - started });
        }
      }),
    ),
  );
};
