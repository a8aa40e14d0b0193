import { describe, expect, it } from 'vitest';
import * as gemini from 'llm-batch/gemini';

// Beside test/public-surface.test.ts: a name added to llm-batch/gemini is a decision.
describe('the public surface of llm-batch/gemini', () => {
  it('exports the Gemini batch adapter and call strategy, nothing else', () => {
    expect(Object.keys(gemini).sort()).toEqual(['geminiBatch', 'geminiGenerate']);
  });

  it('refuses an unknown option naming the closest known one, before any network call', () => {
    expect(() => gemini.geminiBatch({ apiKey: 'k', cleanUp: 'all' } as never)).toThrow(/cleanUp.*cleanup/s);
    expect(() => gemini.geminiGenerate({ apiKey: 'k', cache: { contents: 'x', ttl: 5 } })).toThrow(/cache\.ttl/);
  });

  it('throws a TypeError naming the variables when there is no key, never a key', () => {
    const saved = { gemini: process.env['GEMINI_API_KEY'], google: process.env['GOOGLE_API_KEY'] };
    delete process.env['GEMINI_API_KEY'];
    delete process.env['GOOGLE_API_KEY'];
    try {
      expect(() => gemini.geminiBatch()).toThrow(/GEMINI_API_KEY \(or GOOGLE_API_KEY\)/);
    } finally {
      if (saved.gemini !== undefined) process.env['GEMINI_API_KEY'] = saved.gemini;
      if (saved.google !== undefined) process.env['GOOGLE_API_KEY'] = saved.google;
    }
  });
});
