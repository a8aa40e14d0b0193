/**
 * The request journal: bounded, so a million-request benchmark does not keep a million entries.
 */
import type { JournalEntry } from './options.js';

export class Journal {
  readonly entries: JournalEntry[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`Option journalLimit must be a non-negative integer, got ${String(limit)}`);
  }

  add(entry: JournalEntry): void {
    if (this.limit === 0) return;
    this.entries.push(entry);
    // Trim in batches so each request stays O(1) amortised.
    if (this.entries.length > this.limit + Math.max(16, Math.floor(this.limit / 4))) {
      this.entries.splice(0, this.entries.length - this.limit);
    }
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Request headers that carry credentials and never go into the journal. */
const secretHeaders = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'openai-api-key', 'proxy-authorization', 'cookie']);

/** Copies request headers without credentials. */
export function headersWithoutSecrets(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || secretHeaders.has(name.toLowerCase())) continue;
    copy[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return copy;
}
