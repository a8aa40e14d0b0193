import { isAbortError } from '../errors/abort-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { classifyError, condenseHtmlPage } from '../errors/classify-error.js';
import { JobNotFoundError } from '../errors/job-not-found-error.js';
import { LlmBatchError } from '../errors/llm-batch-error.js';
import { maskKeyValues, redactSecrets } from '../errors/redact-secrets.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import type { CliIo } from './cli-io.js';
import { exitCodes } from './exit-codes.js';
import { InputFileError } from './input-file-error.js';
import { UsageError } from './usage-error.js';

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells expect. */
export const interruptedExitCode = 130;
/** Exit code of a command stopped by SIGTERM (128 + 15). */
export const terminatedExitCode = 143;

const shownIssues = 20;

/** Library errors that mean "asked for something that cannot be done", not "the job failed". */
const usageErrorCodes = new Set(['budget_unknown_price', 'provider_mismatch', 'job_not_ended', 'job_interrupted', 'dry_run_unsupported', 'job_leased', 'store_unwritable', 'already_retried', 'provider_disabled', 'requests_unknown', 'attach_unsupported', 'batch_not_found', 'api_key_variable_unset', 'plugin_failed']);

/**
 * Prints an error on stderr, without any secret, and returns the exit code: 2 for usage, input
 * and configuration errors (including a budget refusal and an unknown job), 130 for an
 * interruption, 3 for everything else (the provider failed or could not be reached, or the
 * connection to it broke).
 */
export function reportError(error: unknown, io: CliIo, command: string | undefined): number {
  const print = (text: string): void => {
    // The io's own environment: a test or a host app may pass keys that are not in process.env.
    io.stderr.write(`${redactSecrets(maskKeyValues(text, io.env))}\n`);
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
  if (ValidationError.isInstance(error) && (error.subject === 'option' || error.subject === 'config')) {
    print(`llm-batch: ${error.message}`);
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
    const signal = (io.signal?.reason as { signal?: unknown } | undefined)?.signal;
    print(signal === 'SIGTERM' ? 'llm-batch: terminated by SIGTERM' : 'llm-batch: interrupted');
    return signal === 'SIGTERM' ? terminatedExitCode : interruptedExitCode;
  }
  const broken = describeBrokenConnection(error, category);
  if (broken !== undefined) {
    print(broken);
    return exitCodes.jobFailed;
  }
  const message = condenseHtmlPage(error instanceof Error ? error.message : String(error));
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

// undici's words for a connection that broke (its TypeErrors carry no code of their own).
const brokenConnectionMessages = new Set(['terminated', 'fetch failed', 'other side closed']);

/**
 * The message for a network failure or a timeout, or undefined for any other error. undici's
 * `TypeError: terminated` must not be taken for one of the library's option checks, which are
 * TypeErrors too.
 */
function describeBrokenConnection(error: unknown, category: unknown): string | undefined {
  const chain = causeChain(error);
  const isBroken = category === 'network' || chain.some((link) => brokenConnectionMessages.has(link.message));
  if (!isBroken && category !== 'timeout') return undefined;
  const code = chain.map((link) => link.code).find((value): value is string => typeof value === 'string' && /^E[A-Z]+$/.test(value));
  const messages = [...new Set(chain.map((link) => link.message.replace(/\.$/, '')).filter((message) => message !== ''))];
  const reason = code ?? messages.shift() ?? 'network error';
  const details = messages.length > 0 ? `: ${condenseHtmlPage(messages.join('; '))}` : '';
  const what = isBroken ? 'the connection to the provider broke' : 'the provider did not answer in time';
  return (
    `llm-batch: ${what} (${reason})${details}\n` +
    'Check the network and the base URL, then run the command again; a job that was already submitted is kept, and ' +
    '"llm-batch resume JOB" continues it (see "llm-batch list" for its id).'
  );
}

/** The error and its causes (bounded: causes can be cyclic), as message and code. */
function causeChain(error: unknown): Array<{ message: string; code: unknown }> {
  const chain: Array<{ message: string; code: unknown }> = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const link = current as { message?: unknown; code?: unknown; cause?: unknown };
    chain.push({ message: typeof link.message === 'string' ? link.message : '', code: link.code });
    if (link.cause === current) break;
    current = link.cause;
  }
  return chain;
}
