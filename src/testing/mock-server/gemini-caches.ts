/**
 * Gemini context caching: `cachedContents` create / get / list / patch (`ttl` or `expireTime`) /
 * delete. A cache lives until its expire time on the batch clock; `generateContent` and batch
 * requests that name it (`cachedContent: "cachedContents/..."`) count its tokens in
 * `promptTokenCount` and report them as `cachedContentTokenCount`. As on the real API, a cache
 * holds at least 1,024 tokens (estimated here at four characters a token).
 */
import { rfc3339 } from './batch-clock.js';
import { MockHttpError } from './errors.js';
import { geminiContentText, geminiField, geminiModelName } from './gemini-generate.js';
import type { GeminiCacheRecord } from './gemini-state.js';
import { estimateTokens } from './responder.js';
import type { RouteContext, RouteResult } from './route-context.js';

/** The fewest tokens a cache may hold. */
export const geminiMinimumCacheTokens = 1024;
const defaultTtlMs = 3600 * 1000;

function cacheObject(cache: GeminiCacheRecord): Record<string, unknown> {
  return {
    name: `cachedContents/${cache.id}`,
    model: cache.model,
    ...(cache.displayName === undefined ? {} : { displayName: cache.displayName }),
    createTime: rfc3339(cache.createdAtMs),
    updateTime: rfc3339(cache.updatedAtMs),
    expireTime: rfc3339(cache.expiresAtMs),
    usageMetadata: { totalTokenCount: cache.tokenCount },
  };
}

/** The expiry a body asks for (`ttl: "300s"` or `expireTime`), or undefined when it names neither. */
function requestedExpiry(body: Record<string, unknown>, now: number): number | undefined {
  const ttl = body.ttl;
  const expireTime = geminiField(body, 'expireTime');
  if (ttl !== undefined && expireTime !== undefined) throw new MockHttpError(400, '* CachedContent: only one of ttl and expire_time may be set.\n');
  if (ttl !== undefined) {
    const match = typeof ttl === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(ttl) : null;
    if (match === null) throw new MockHttpError(400, `* CachedContent.ttl: invalid duration ${JSON.stringify(ttl)}; expected seconds such as "3600s".\n`);
    return now + Math.round(Number(match[1]) * 1000);
  }
  if (expireTime !== undefined) {
    const time = typeof expireTime === 'string' ? Date.parse(expireTime) : Number.NaN;
    if (Number.isNaN(time)) throw new MockHttpError(400, `* CachedContent.expire_time: invalid timestamp ${JSON.stringify(expireTime)}.\n`);
    return time;
  }
  return undefined;
}

function requireCache(context: RouteContext): GeminiCacheRecord {
  const id = context.params.id ?? '';
  const cache = context.state.gemini.caches.get(id);
  if (cache === undefined || cache.expiresAtMs <= context.state.clock.now()) {
    if (cache !== undefined) context.state.gemini.caches.delete(id);
    throw new MockHttpError(403, 'CachedContent not found (or permission denied)', { type: 'PERMISSION_DENIED' });
  }
  return cache;
}

/** `POST /v1beta/cachedContents` */
export function createGeminiCache(context: RouteContext): RouteResult {
  const state = context.state;
  const body = context.json();
  const problems: string[] = [];
  if (typeof body.model !== 'string' || body.model === '') problems.push('* CachedContent.model: model is required\n');
  const contents = body.contents;
  if (contents !== undefined && !Array.isArray(contents)) problems.push('* CachedContent.contents: must be a list of Content\n');
  const systemInstruction = geminiField(body, 'systemInstruction');
  const now = state.clock.now();
  let expiresAtMs: number | undefined;
  try {
    expiresAtMs = requestedExpiry(body, now);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (expiresAtMs !== undefined && expiresAtMs <= now) problems.push('* CachedContent.expire_time: must be in the future\n');
  if (problems.length > 0) throw new MockHttpError(400, problems.join(''));
  const promptText = [geminiContentText(systemInstruction ?? []), geminiContentText(contents ?? [])].filter((text) => text !== '').join('\n');
  const tokenCount = estimateTokens(promptText);
  if (promptText === '' || tokenCount < geminiMinimumCacheTokens) {
    throw new MockHttpError(400, `Cached content is too small. total_token_count=${promptText === '' ? 0 : tokenCount}, min_total_token_count=${geminiMinimumCacheTokens}`);
  }
  const displayName = geminiField(body, 'displayName');
  const cache: GeminiCacheRecord = {
    id: state.createId('', 16).toLowerCase(),
    model: geminiModelName(body.model as string),
    displayName: typeof displayName === 'string' ? displayName : undefined,
    createdAtMs: now,
    updatedAtMs: now,
    expiresAtMs: expiresAtMs ?? now + defaultTtlMs,
    tokenCount,
    promptText,
    hasSystemInstruction: systemInstruction !== undefined,
    hasTools: Array.isArray(body.tools) && body.tools.length > 0,
  };
  state.gemini.caches.set(cache.id, cache);
  return { status: 200, body: cacheObject(cache) };
}

/** `GET /v1beta/cachedContents/{id}` */
export function getGeminiCache(context: RouteContext): RouteResult {
  return { status: 200, body: cacheObject(requireCache(context)) };
}

/** `PATCH /v1beta/cachedContents/{id}` — only the expiry (`ttl` or `expireTime`) can change. */
export function updateGeminiCache(context: RouteContext): RouteResult {
  const cache = requireCache(context);
  const body = context.json();
  const mask = context.url.searchParams.get('updateMask');
  const now = context.state.clock.now();
  const unsupported = (mask ?? '').split(',').map((field) => field.trim()).filter((field) => field !== '' && field !== 'ttl' && field !== 'expireTime' && field !== 'expire_time');
  if (unsupported.length > 0) throw new MockHttpError(400, `Only ttl or expire_time can be updated, not ${unsupported.join(', ')}.`);
  const expiresAtMs = requestedExpiry(body, now);
  if (expiresAtMs === undefined) throw new MockHttpError(400, '* CachedContent: set ttl or expire_time to update the cache.\n');
  if (expiresAtMs <= now) throw new MockHttpError(400, '* CachedContent.expire_time: must be in the future\n');
  cache.expiresAtMs = expiresAtMs;
  cache.updatedAtMs = now;
  return { status: 200, body: cacheObject(cache) };
}

/** `DELETE /v1beta/cachedContents/{id}` */
export function deleteGeminiCache(context: RouteContext): RouteResult {
  const cache = requireCache(context);
  context.state.gemini.caches.delete(cache.id);
  return { status: 200, body: {} };
}

/** `GET /v1beta/cachedContents` — oldest first; `pageSize` (default 100, at most 1000) and `pageToken`. */
export function listGeminiCaches(context: RouteContext): RouteResult {
  const query = context.url.searchParams;
  const pageSize = query.has('pageSize') ? Number(query.get('pageSize')) : 100;
  if (!Number.isInteger(pageSize) || pageSize < 0) throw new MockHttpError(400, `Invalid value for pageSize: ${query.get('pageSize') ?? ''}`);
  const size = pageSize === 0 ? 100 : Math.min(pageSize, 1000);
  const token = query.get('pageToken');
  const offset = token === null || token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new MockHttpError(400, 'Invalid page token.');
  const now = context.state.clock.now();
  const caches = [...context.state.gemini.caches.values()].filter((cache) => cache.expiresAtMs > now);
  const page = caches.slice(offset, offset + size);
  return {
    status: 200,
    body: {
      cachedContents: page.map(cacheObject),
      ...(offset + size < caches.length ? { nextPageToken: Buffer.from(String(offset + size)).toString('base64url') } : {}),
    },
  };
}
