/**
 * The Gemini API routes (Gemini Developer API, `v1beta`), under the paths `@google/genai` calls.
 * Generation routes have no handler: the request handler executes them itself (rate limits,
 * faults, statistics).
 */
import { createGeminiCache, deleteGeminiCache, getGeminiCache, listGeminiCaches, updateGeminiCache } from './gemini-caches.js';
import { cancelGeminiBatch, createGeminiBatch, deleteGeminiBatch, getGeminiBatch, listGeminiBatches } from './gemini-batches.js';
import { deleteGeminiFile, downloadGeminiFile, getGeminiFile, listGeminiFiles, uploadGeminiFile } from './gemini-files.js';
import type { Route } from './router.js';

/** A resource id in a path: no slash and no colon (`files/abc:download` is another route). */
const id = '([^/:]+)';

export const geminiRoutes: readonly Route[] = [
  { method: 'POST', pattern: new RegExp(`^/v1beta/models/${id}:generateContent$`), provider: 'gemini', endpoint: 'gemini.generateContent', handler: undefined },
  { method: 'POST', pattern: new RegExp(`^/v1beta/models/${id}:countTokens$`), provider: 'gemini', endpoint: 'gemini.countTokens', handler: undefined },
  { method: 'POST', pattern: new RegExp(`^/v1beta/models/${id}:batchGenerateContent$`), provider: 'gemini', endpoint: 'gemini.batches.create', handler: createGeminiBatch },
  { method: 'GET', pattern: /^\/v1beta\/batches$/, provider: 'gemini', endpoint: 'gemini.batches.list', handler: listGeminiBatches },
  { method: 'GET', pattern: new RegExp(`^/v1beta/batches/${id}$`), provider: 'gemini', endpoint: 'gemini.batches.get', handler: getGeminiBatch },
  { method: 'POST', pattern: new RegExp(`^/v1beta/batches/${id}:cancel$`), provider: 'gemini', endpoint: 'gemini.batches.cancel', handler: cancelGeminiBatch },
  { method: 'DELETE', pattern: new RegExp(`^/v1beta/batches/${id}$`), provider: 'gemini', endpoint: 'gemini.batches.delete', handler: deleteGeminiBatch },
  { method: 'POST', pattern: /^\/upload\/v1beta\/files$/, provider: 'gemini', endpoint: 'gemini.files.upload', handler: uploadGeminiFile },
  { method: 'GET', pattern: /^\/v1beta\/files$/, provider: 'gemini', endpoint: 'gemini.files.list', handler: listGeminiFiles },
  { method: 'GET', pattern: new RegExp(`^/v1beta/files/${id}$`), provider: 'gemini', endpoint: 'gemini.files.get', handler: getGeminiFile },
  { method: 'DELETE', pattern: new RegExp(`^/v1beta/files/${id}$`), provider: 'gemini', endpoint: 'gemini.files.delete', handler: deleteGeminiFile },
  { method: 'GET', pattern: new RegExp(`^(?:/download)?/v1beta/files/${id}:download$`), provider: 'gemini', endpoint: 'gemini.files.download', handler: downloadGeminiFile },
  { method: 'POST', pattern: /^\/v1beta\/cachedContents$/, provider: 'gemini', endpoint: 'gemini.caches.create', handler: createGeminiCache },
  { method: 'GET', pattern: /^\/v1beta\/cachedContents$/, provider: 'gemini', endpoint: 'gemini.caches.list', handler: listGeminiCaches },
  { method: 'GET', pattern: new RegExp(`^/v1beta/cachedContents/${id}$`), provider: 'gemini', endpoint: 'gemini.caches.get', handler: getGeminiCache },
  { method: 'PATCH', pattern: new RegExp(`^/v1beta/cachedContents/${id}$`), provider: 'gemini', endpoint: 'gemini.caches.update', handler: updateGeminiCache },
  { method: 'DELETE', pattern: new RegExp(`^/v1beta/cachedContents/${id}$`), provider: 'gemini', endpoint: 'gemini.caches.delete', handler: deleteGeminiCache },
];
