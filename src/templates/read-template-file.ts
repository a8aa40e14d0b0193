import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { PromptTemplate } from './build-requests-from-template.js';

/**
 * Reads a prompt template: a `.json` file holds `{ variants, system?, model?, maxTokens?, temperature? }`,
 * any other file is the template text itself (one final line break removed).
 */
export async function readTemplateFile(path: string): Promise<PromptTemplate> {
  const text = await readFile(path, 'utf8');
  if (extname(path).toLowerCase() !== '.json') return text.replace(/\r?\n$/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`template: ${JSON.stringify(path)} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed === 'string') return parsed;
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { variants?: unknown }).variants !== 'object') {
    throw new TypeError(`template: ${JSON.stringify(path)} must hold a string or { "variants": { "name": "template" } }`);
  }
  return parsed as PromptTemplate;
}
