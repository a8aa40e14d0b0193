import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { loadOpenAITokenizer } from '../../src/cost/count-tokens.js';

describe('exact OpenAI token counts', () => {
  it('loads the o200k_base tokenizer from the optional gpt-tokenizer package', async () => {
    const count = await loadOpenAITokenizer();
    expect(count).toBeTypeOf('function');
    const text = 'Batch APIs are half the price of the synchronous ones. Überraschung! 🚀';
    expect(count?.(text)).toBe(encode(text).length);
    expect(count?.(text)).not.toBe(Math.ceil(text.length / 4));
  });
});
