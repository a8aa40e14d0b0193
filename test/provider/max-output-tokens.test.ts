import { describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../src/adapters/anthropic/anthropic-messages-strategy.js';
import { convertToAnthropicParams, resolveAnthropicMaxTokens } from '../../src/adapters/anthropic/convert-to-anthropic-params.js';
import { estimateRequestTokens } from '../../src/adapters/emulated/estimate-request-tokens.js';
import { openaiChat } from '../../src/adapters/openai/openai-chat-strategy.js';
import { openaiResponses } from '../../src/adapters/openai/openai-responses-strategy.js';
import { approximateRequestTokens } from '../../src/cost/count-tokens.js';
import { defaultEstimateMaxTokens } from '../../src/cost/estimate-cost.js';
import type { BatchRequest } from '../../src/models/batch-request.js';

const base: BatchRequest = { id: 'a', model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hello' }] };

describe('CallStrategy.maxOutputTokens', () => {
  it('anthropicMessages: the max_tokens its body carries, the default 4,096 included', () => {
    const strategy = anthropicMessages({ apiKey: 'k' });
    const cases: BatchRequest[] = [
      base,
      { ...base, maxTokens: 300 },
      { ...base, providerOptions: { openai: { max_tokens: 200 } } },
      { ...base, maxTokens: 300, providerOptions: { anthropic: { max_tokens: 50 } } },
    ];
    for (const request of cases) {
      expect(strategy.maxOutputTokens?.(request)).toBe(convertToAnthropicParams(request, { defaultMaxTokens: 4096 }).params.max_tokens);
    }
    expect(strategy.maxOutputTokens?.(base)).toBe(4096);
    expect(anthropicMessages({ apiKey: 'k', defaultMaxTokens: 512 }).maxOutputTokens?.(base)).toBe(512);
    expect(resolveAnthropicMaxTokens({ ...base, maxTokens: 300, providerOptions: { anthropic: { max_tokens: 50 } } }, 4096)).toBe(50);
  });

  it('openaiChat: max_completion_tokens or a legacy max_tokens, undefined when nothing caps the answer', () => {
    const strategy = openaiChat({ apiKey: 'k' });
    expect(strategy.maxOutputTokens?.(base)).toBeUndefined();
    expect(strategy.maxOutputTokens?.({ ...base, maxTokens: 300 })).toBe(300);
    expect(strategy.maxOutputTokens?.({ ...base, maxTokens: 300, providerOptions: { openai: { max_completion_tokens: 100 } } })).toBe(100);
    expect(strategy.maxOutputTokens?.({ ...base, providerOptions: { openai: { max_tokens: 80 } } })).toBe(80);
    expect(openaiChat({ apiKey: 'k', endpointOptions: { max_completion_tokens: 64 } }).maxOutputTokens?.(base)).toBe(64);
  });

  it('openaiResponses: max_output_tokens, undefined when nothing caps the answer', () => {
    const strategy = openaiResponses({ apiKey: 'k' });
    expect(strategy.maxOutputTokens?.(base)).toBeUndefined();
    expect(strategy.maxOutputTokens?.({ ...base, maxTokens: 300 })).toBe(300);
    expect(strategy.maxOutputTokens?.({ ...base, maxTokens: 300, providerOptions: { openai: { max_output_tokens: 90 } } })).toBe(90);
  });
});

describe('estimateRequestTokens', () => {
  it('is the input approximation plus the max output tokens really sent', () => {
    expect(estimateRequestTokens(base, 4096)).toBe(approximateRequestTokens(base) + 4096);
    expect(estimateRequestTokens({ ...base, maxTokens: 10 })).toBe(approximateRequestTokens(base) + 10);
    expect(estimateRequestTokens(base)).toBe(approximateRequestTokens(base) + defaultEstimateMaxTokens);
  });
});
