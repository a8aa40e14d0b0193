/**
 * The Gemini API routes (Gemini Developer API, `v1beta`), under the paths `@google/genai` calls.
 * Generation routes have no handler: the request handler executes them itself (rate limits,
 * faults, statistics).
 */
import type { Route } from './router.js';

/** A resource id in a path: no slash and no colon (`files/abc:download` is another route). */
const id = '([^/:]+)';

export const geminiRoutes: readonly Route[] = [
  { method: 'POST', pattern: new RegExp(`^/v1beta/models/${id}:generateContent$`), provider: 'gemini', endpoint: 'gemini.generateContent', handler: undefined },
  { method: 'POST', pattern: new RegExp(`^/v1beta/models/${id}:countTokens$`), provider: 'gemini', endpoint: 'gemini.countTokens', handler: undefined },
];
