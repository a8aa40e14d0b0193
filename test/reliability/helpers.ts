import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchRequest, BatchResult } from 'llm-batch';

/** `count` requests with distinct prompts: the emulator counts successful calls per prompt. */
export function makeRequests(count: number, prefix = 'item', model = 'gpt-5.4-mini'): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}_${index}`,
    model,
    maxTokens: 8,
    messages: [{ role: 'user' as const, content: `${prefix} prompt ${index}` }],
  }));
}

export function temporaryDirectory(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `llm-batch-reliability-${name}-`));
}

/** Every line of a job's results journal, as written (a torn last line is skipped, as the store does). */
export async function readJournal(storeDir: string, jobId: string): Promise<BatchResult[]> {
  let text: string;
  try {
    text = await readFile(join(storeDir, jobId, 'results.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const results: BatchResult[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      results.push(JSON.parse(line) as BatchResult);
    } catch {
      // torn line of a killed process
    }
  }
  return results;
}

/** Ids that appear more than once in a journal. */
export function duplicateIds(results: readonly { id: string }[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const result of results) {
    if (seen.has(result.id)) duplicates.add(result.id);
    seen.add(result.id);
  }
  return [...duplicates];
}

/** Every file under a folder, recursively. */
export async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Prints the counts of a suite so that they show in CI logs. */
export function printCounts(suite: string, counts: Record<string, number | string>): void {
  const text = Object.entries(counts)
    .map(([name, value]) => `${name}=${typeof value === 'number' ? value.toLocaleString('en-US') : value}`)
    .join(' ');
  console.log(`[reliability] ${suite}: ${text}`);
}
