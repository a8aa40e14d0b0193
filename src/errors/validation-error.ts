import { LlmBatchError } from './llm-batch-error.js';

/** One problem with one input item. `index` is the 0-based position in the input (`line` is 1-based, for files). */
export interface ValidationIssue {
  index: number;
  id?: string;
  line?: number;
  field: string;
  reason: string;
}

const shownIssues = 20;

/** Bad input: every bad item is listed at once, before any network call. */
export class ValidationError extends LlmBatchError {
  readonly issues: readonly ValidationIssue[];
  /** What the issues are about: `request` (input items, the default), `option` (an options object) ... */
  readonly subject: string;

  constructor(issues: ValidationIssue[], options: { subject?: string; message?: string } = {}) {
    super(options.message ?? formatIssues(issues, options.subject ?? 'request'), { code: 'validation_error' });
    this.name = 'ValidationError';
    this.issues = issues;
    this.subject = options.subject ?? 'request';
  }

  static override isInstance(error: unknown): error is ValidationError {
    return LlmBatchError.isInstance(error) && error.code === 'validation_error';
  }
}

function formatIssues(issues: ValidationIssue[], subject: string): string {
  const lines = issues.slice(0, shownIssues).map((issue) => `  - ${describeIssue(issue, subject)}`);
  if (issues.length > shownIssues) lines.push(`  … and ${issues.length - shownIssues} more`);
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return `Invalid input: ${issues.length} ${noun}\n${lines.join('\n')}`;
}

function describeIssue(issue: ValidationIssue, subject: string): string {
  const where = issue.line !== undefined ? `line ${issue.line}` : `${subject} ${issue.index}`;
  const id = issue.id !== undefined ? ` (id "${issue.id}")` : '';
  const field = issue.field ? `: ${issue.field}` : '';
  return `${where}${id}${field}: ${issue.reason}`;
}
