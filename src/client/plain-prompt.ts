import type { ValidationIssue } from '../errors/validation-error.js';
import type { BatchRequest, PlainPrompt } from '../models/batch-request.js';

/*
 * Plain prompts (`'Summarise …'` or `{ prompt, system?, metadata? }`) become `BatchRequest`s with
 * ids made from their input position, so that a resume or a retry reads the same ids.
 */

const promptObjectKeys = new Set(['prompt', 'system', 'metadata']);

/** The id a plain prompt at `position` gets. */
export function plainPromptId(position: number): string {
  return `prompt_${position}`;
}

/** True for what is written as a plain prompt (a string, or an object with `prompt` and no `messages`). */
export function isPlainPrompt(item: unknown): item is PlainPrompt {
  return typeof item === 'string' || (typeof item === 'object' && item !== null && 'prompt' in item && !('messages' in item));
}

/**
 * The `BatchRequest` of a plain prompt, or undefined with every problem added to `issues` (a
 * prompt that is not a string or is empty, a system that is not a string, unknown keys, metadata that is not
 * an object).
 */
export function fromPlainPrompt(item: PlainPrompt, position: number, issues: ValidationIssue[]): BatchRequest | undefined {
  const id = plainPromptId(position);
  if (typeof item === 'string') {
    if (item.trim() !== '') return { id, messages: [{ role: 'user', content: item }] };
    issues.push({ index: position, id, field: 'prompt', reason: 'must not be empty' });
    return undefined;
  }
  const before = issues.length;
  const unknown = Object.keys(item).filter((key) => !promptObjectKeys.has(key));
  if (unknown.length > 0) {
    issues.push({ index: position, id, field: unknown.join(', '), reason: `unknown ${unknown.length === 1 ? 'key' : 'keys'} (a plain prompt has prompt, system, metadata)` });
  }
  const { prompt, system, metadata } = item as { prompt: unknown; system?: unknown; metadata?: unknown };
  if (typeof prompt !== 'string') issues.push({ index: position, id, field: 'prompt', reason: `must be a string, got ${typeof prompt}` });
  else if (prompt.trim() === '') issues.push({ index: position, id, field: 'prompt', reason: 'must not be empty' });
  if (system !== undefined && typeof system !== 'string') issues.push({ index: position, id, field: 'system', reason: `must be a string, got ${typeof system}` });
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    issues.push({ index: position, id, field: 'metadata', reason: 'must be an object' });
  }
  if (issues.length > before) return undefined;
  return {
    id,
    messages: [{ role: 'user', content: prompt as string }],
    ...(system === undefined ? {} : { system: system as string }),
    ...(metadata === undefined ? {} : { metadata: { ...(metadata as Record<string, unknown>) } }),
  };
}
