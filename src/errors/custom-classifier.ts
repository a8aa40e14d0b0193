import { errorCategories } from '../models/item-error.js';
import { classifyError, type ErrorClassification } from './classify-error.js';
import { redactSecrets } from './redact-secrets.js';

/**
 * Your error classification, given the error and the built-in verdict (a copy). Return a
 * classification to replace it (spread `builtIn` to extend it), or `undefined` to keep it. It
 * decides whether and when a call is retried (`retryable`, `retryAfterMs`), whether the run stops
 * (`abortOn` categories) and what the failed result says. An exception in it keeps the built-in
 * verdict.
 *
 * @example
 * // A gateway that answers 400 "upstream timeout" for what is really a timeout:
 * classifyError: (error, builtIn) =>
 *   builtIn.statusCode === 400 && /upstream timeout/i.test(builtIn.message)
 *     ? { ...builtIn, category: 'timeout', retryable: true }
 *     : undefined,
 */
export type ErrorClassifier = (error: unknown, builtIn: ErrorClassification) => ErrorClassification | undefined;

function isClassification(value: unknown): value is ErrorClassification {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ErrorClassification>;
  return (
    typeof candidate.category === 'string' &&
    (errorCategories as readonly string[]).includes(candidate.category) &&
    typeof candidate.retryable === 'boolean' &&
    typeof candidate.message === 'string' &&
    (candidate.retryAfterMs === undefined || (typeof candidate.retryAfterMs === 'number' && candidate.retryAfterMs >= 0 && Number.isFinite(candidate.retryAfterMs)))
  );
}

/**
 * The classifier to use: the built-in `classifyError`, or it followed by `custom`. What `custom`
 * returns is used only when it is a classification (a known category, a boolean `retryable`, a
 * message); its message is redacted like the built-in one. `onInvalid` hears about a return value
 * or an exception that was ignored.
 */
export function composeClassifier(custom: ErrorClassifier | undefined, onInvalid?: (problem: string) => void): (error: unknown) => ErrorClassification {
  if (custom === undefined) return classifyError;
  return (error) => {
    const builtIn = classifyError(error);
    let verdict: unknown;
    try {
      verdict = custom(error, { ...builtIn });
    } catch (thrown) {
      onInvalid?.(`classifyError threw (${thrown instanceof Error ? thrown.message : String(thrown)}); the built-in classification was used`);
      return builtIn;
    }
    if (verdict === undefined) return builtIn;
    if (!isClassification(verdict)) {
      onInvalid?.(`classifyError returned something that is not a classification ({ category, retryable, message }); the built-in classification was used`);
      return builtIn;
    }
    return { ...verdict, message: redactSecrets(verdict.message) };
  };
}
