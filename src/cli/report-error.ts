import { isAbortError } from '../errors/abort-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { classifyError, redactSecrets } from '../errors/classify-error.js';
import { JobNotFoundError } from '../errors/job-not-found-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import type { CliIo } from './cli-io.js';
import { exitCodes } from './exit-codes.js';
import { InputFileError } from './input-file-error.js';
import { UsageError } from './usage-error.js';

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells expect. */
export const interruptedExitCode = 130;

const shownIssues = 20;

/** Library errors that mean "asked for something that cannot be done", not "the job failed". */
const usageErrorCodes = new Set(['budget_unknown_price', 'provider_mismatch', 'job_not_ended', 'job_interrupted', 'dry_run_unsupported']);

/**
 * Prints an error on stderr, without any secret, and returns the exit code: 2 for usage, input
 * and configuration errors (including a budget refusal and an unknown job), 130 for an
 * interruption, 3 for everything else (the provider failed or could not be reached).
 */
export function reportError(error: unknown, io: CliIo, command: string | undefined): number {
  const print = (text: string): void => {
    io.stderr.write(`${hideSecrets(text, io)}\n`);
  };
  if (error instanceof UsageError) {
    const name = error.command ?? command;
    print(`llm-batch${name ? ` ${name}` : ''}: ${error.message}\nRun "llm-batch ${name ? `${name} ` : ''}--help" for usage.`);
    return exitCodes.usage;
  }
  if (error instanceof InputFileError) {
    print(formatIssues(`${error.file}: invalid input`, error.validation.issues));
    return exitCodes.usage;
  }
  if (ValidationError.isInstance(error)) {
    print(formatIssues('invalid input', error.issues));
    return exitCodes.usage;
  }
  if (JobNotFoundError.isInstance(error)) {
    print(`llm-batch: ${error.message} (see "llm-batch list", or pass --store DIR)`);
    return exitCodes.usage;
  }
  if (BudgetExceededError.isInstance(error)) {
    print(`llm-batch: ${error.message}. Raise --max-cost or send fewer requests.`);
    return exitCodes.usage;
  }
  const category = (error as { category?: unknown }).category ?? classifyError(error).category;
  if (category === 'auth' || category === 'permission') {
    print(`llm-batch: the provider refused the credentials: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodes.usage;
  }
  if (LlmBatchError.isInstance(error) && usageErrorCodes.has(error.code)) {
    print(`llm-batch: ${error.message}`);
    return exitCodes.usage;
  }
  if (isAbortError(error)) {
    print('llm-batch: interrupted');
    return interruptedExitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  // TypeErrors are the library's option checks (a missing API key, a bad option value).
  if (error instanceof TypeError && !LlmBatchError.isInstance(error)) {
    print(`llm-batch: ${message}`);
    return exitCodes.usage;
  }
  print(`llm-batch: error: ${message}`);
  return exitCodes.jobFailed;
}

function formatIssues(title: string, issues: readonly ValidationIssue[]): string {
  const noun = issues.length === 1 ? 'problem' : 'problems';
  const lines = issues.slice(0, shownIssues).map((issue) => {
    const where = issue.line !== undefined ? `line ${issue.line}` : issue.field === '' && issues.length === 1 ? '' : `request ${issue.index + 1}`;
    const id = issue.id !== undefined ? ` (id "${issue.id}")` : '';
    const field = issue.field ? `${issue.field}: ` : '';
    const prefix = where || id ? `${where}${id}: ` : '';
    return `  - ${prefix}${field}${issue.reason}`;
  });
  if (issues.length > shownIssues) lines.push(`  … and ${issues.length - shownIssues} more`);
  return `llm-batch: ${title} (${issues.length} ${noun})\n${lines.join('\n')}`;
}

/** Redacts key-shaped text, and the exact keys of this environment wherever they appear. */
function hideSecrets(text: string, io: CliIo): string {
  let redacted = redactSecrets(text);
  for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']) {
    const key = io.env[name];
    if (key && key.length >= 4) redacted = redacted.split(key).join('[REDACTED]');
  }
  return redacted;
}
