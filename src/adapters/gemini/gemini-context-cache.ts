import type { GoogleGenAI } from '@google/genai';
import { approximateTextTokens } from '../../cost/count-tokens.js';
import { failOption, checkOptionKeys, optionNames } from '../../validation/check-options.js';
import type { GeminiContent } from './gemini-request.js';
import { deleteUnlessGone } from './delete-unless-gone.js';

/**
 * A Gemini context cache shared by every request of a job: a large prefix (documents, examples,
 * instructions) stored once and billed at the cached rate on every request that references it.
 */
export interface GeminiCacheOptions {
  /** The shared contents, as text (one user turn) or Gemini turns. They come before each request's own messages. */
  readonly contents?: string | readonly GeminiContent[];
  /** A system instruction kept in the cache. Requests then may not set `system`, `tools` or `toolChoice` (Gemini refuses both). */
  readonly systemInstruction?: string;
  /**
   * How long the cache lives, in seconds; it is extended while the job still needs it.
   * @default 3600
   */
  readonly ttl?: number;
  /**
   * Keep the cache when the job ends (it then expires after `ttl`). Otherwise it is deleted as soon
   * as no part of the job needs it.
   * @default false
   */
  readonly keep?: boolean;
}

const cacheOptionNames = optionNames<GeminiCacheOptions>({ contents: true, systemInstruction: true, ttl: true, keep: true });
const defaultTtlSeconds = 3600;
/** Stands in for the cache's name in previews and sizes, before the cache exists. */
export const pendingCacheName = 'cachedContents/pending';
const displayNamePrefix = 'llm-batch';

/**
 * About how many tokens the cache holds (four characters a token), for estimates: what every
 * request reads from it. Zero for a cache the user names (its size is not known without a call).
 */
export function estimateCacheTokens(options: GeminiCacheOptions | string): number {
  if (typeof options === 'string') return 0;
  const texts: string[] = [];
  if (options.systemInstruction !== undefined) texts.push(options.systemInstruction);
  if (typeof options.contents === 'string') texts.push(options.contents);
  else for (const content of options.contents ?? []) for (const part of content.parts) if (typeof part.text === 'string') texts.push(part.text);
  return texts.reduce((total, text) => total + approximateTextTokens(text), 0);
}

/** Checks a `cache` option: a cache name the user already has, or what to put in a new one. */
export function checkCacheOption(caller: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'string') {
    if (!/^cachedContents\/[^/]+$/.test(value)) failOption(caller, 'cache', 'a cache name "cachedContents/..." or { contents, systemInstruction, ttl, keep }', value);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failOption(caller, 'cache', 'a cache name "cachedContents/..." or { contents, systemInstruction, ttl, keep }', value);
  }
  checkOptionKeys(`${caller} cache`, value as Record<string, unknown>, cacheOptionNames);
  const options = value as GeminiCacheOptions;
  if (options.contents === undefined && options.systemInstruction === undefined) {
    failOption(caller, 'cache', 'an object with `contents` or `systemInstruction` (a cache of nothing saves nothing)', value);
  }
  if (options.contents !== undefined && typeof options.contents !== 'string' && !Array.isArray(options.contents)) {
    failOption(caller, 'cache.contents', 'a string or an array of Gemini contents', options.contents);
  }
  if (options.systemInstruction !== undefined && typeof options.systemInstruction !== 'string') {
    failOption(caller, 'cache.systemInstruction', 'a string', options.systemInstruction);
  }
  if (options.ttl !== undefined && (typeof options.ttl !== 'number' || !Number.isInteger(options.ttl) || options.ttl < 60 || options.ttl > 7 * 24 * 3600)) {
    failOption(caller, 'cache.ttl', 'whole seconds from 60 to 604800', options.ttl);
  }
  if (options.keep !== undefined && typeof options.keep !== 'boolean') failOption(caller, 'cache.keep', 'a boolean', options.keep);
}

/** The display name of the cache of one job and model, by which a resumed process finds it again. */
export function cacheDisplayName(scope: string, model: string): string {
  return `${displayNamePrefix}:${scope}:${model}`.slice(0, 128);
}

/**
 * Creates the cache once per model (Gemini caches belong to one model), finds the one an earlier
 * process created for the same scope (a job) instead of creating a second, extends its TTL while
 * it is used, and deletes it at the end unless told to keep it. A cache name given by the user is
 * only referenced: never extended, never deleted.
 */
export class GeminiContextCache {
  readonly #client: GoogleGenAI;
  readonly #options: GeminiCacheOptions | string;
  readonly #names = new Map<string, Promise<string>>();
  readonly #extendedAt = new Map<string, number>();
  /** Every cache this instance created or found, by name: what `release` deletes. */
  readonly created = new Set<string>();

  constructor(client: GoogleGenAI, options: GeminiCacheOptions | string) {
    this.#client = client;
    this.#options = options;
  }

  /** True when the user gave the name of a cache of their own. */
  get isUsers(): boolean {
    return typeof this.#options === 'string';
  }

  /** True when the cache holds a system instruction (requests may then set none). */
  get holdsSystemInstruction(): boolean {
    return typeof this.#options === 'object' && this.#options.systemInstruction !== undefined;
  }

  get ttlSeconds(): number {
    return typeof this.#options === 'object' ? (this.#options.ttl ?? defaultTtlSeconds) : defaultTtlSeconds;
  }

  get keep(): boolean {
    return typeof this.#options === 'string' || this.#options.keep === true;
  }

  /** The cache name for `model` in `scope`: found or created once, then remembered. */
  acquire(model: string, scope: string, signal?: AbortSignal): Promise<string> {
    if (typeof this.#options === 'string') return Promise.resolve(this.#options);
    const key = `${scope}\n${model}`;
    let name = this.#names.get(key);
    if (name === undefined) {
      name = this.#findOrCreate(model, scope, this.#options, signal);
      // A failed create may be tried again by the next request.
      name.catch(() => this.#names.delete(key));
      this.#names.set(key, name);
    }
    return name;
  }

  /** Pushes the expiry of a cache this library made `ttl` further out, at most once per half `ttl`. */
  async keepAlive(name: string, signal?: AbortSignal): Promise<void> {
    if (this.isUsers || name === pendingCacheName) return;
    const now = Date.now();
    const last = this.#extendedAt.get(name);
    if (last !== undefined && now - last < (this.ttlSeconds * 1000) / 2) return;
    this.#extendedAt.set(name, now);
    await this.#client.caches.update({ name, config: { ttl: `${this.ttlSeconds}s`, ...(signal ? { abortSignal: signal } : {}) } });
  }

  /** Deletes a cache this library made, unless `keep`; a cache already gone (404, or a 403 for a cache not listed) is fine. */
  async delete(name: string, signal?: AbortSignal): Promise<void> {
    if (this.keep || name === pendingCacheName) return;
    const abort = signal ? { abortSignal: signal } : {};
    await deleteUnlessGone(
      name,
      () => this.#client.caches.delete({ name, config: abort }),
      () => this.#client.caches.list({ config: { pageSize: 100, ...abort } }),
    );
    this.created.delete(name);
    this.#extendedAt.delete(name);
    for (const [key, promise] of this.#names) {
      if ((await promise.catch(() => undefined)) === name) this.#names.delete(key);
    }
  }

  async #findOrCreate(model: string, scope: string, options: GeminiCacheOptions, signal: AbortSignal | undefined): Promise<string> {
    const displayName = cacheDisplayName(scope, model);
    const pager = await this.#client.caches.list({ config: { pageSize: 100, ...(signal ? { abortSignal: signal } : {}) } });
    for await (const cache of pager) {
      if (cache.displayName === displayName && typeof cache.name === 'string' && sameModel(cache.model, model)) {
        this.created.add(cache.name);
        return cache.name;
      }
    }
    const contents = typeof options.contents === 'string' ? [{ role: 'user' as const, parts: [{ text: options.contents }] }] : options.contents;
    const cache = await this.#client.caches.create({
      model,
      config: {
        displayName,
        ttl: `${this.ttlSeconds}s`,
        ...(contents === undefined ? {} : { contents: contents as GeminiContent[] }),
        ...(options.systemInstruction === undefined ? {} : { systemInstruction: { parts: [{ text: options.systemInstruction }] } }),
        ...(signal ? { abortSignal: signal } : {}),
      },
    });
    if (typeof cache.name !== 'string' || cache.name === '') throw new Error('Gemini created a context cache without a name');
    this.created.add(cache.name);
    this.#extendedAt.set(cache.name, Date.now());
    return cache.name;
  }
}

function sameModel(cacheModel: string | undefined, model: string): boolean {
  if (cacheModel === undefined) return true;
  return cacheModel.replace(/^models\//, '') === model.replace(/^models\//, '');
}
