import { LlmBatchError } from './llm-batch-error.js';

/** The operation was aborted through its AbortSignal. Never retried. */
export class AbortError extends LlmBatchError {
  constructor(message = 'The operation was aborted', options: { cause?: unknown } = {}) {
    super(message, { code: 'aborted', cause: options.cause });
    this.name = 'AbortError';
  }

  static override isInstance(error: unknown): error is AbortError {
    return LlmBatchError.isInstance(error) && error.code === 'aborted';
  }
}

/**
 * True for anything that says "aborted through a signal": our AbortError, DOM `AbortError`s (what
 * `fetch`, `timers/promises` and `events.once` throw), the SDKs' `APIUserAbortError`, and undici's
 * aborted-body codes. The one abort check: `classifyError` calls it too, so an error it files as
 * `cancelled` is one this function recognises.
 */
export function isAbortError(error: unknown): boolean {
  if (AbortError.isInstance(error)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  // openai's error classes keep `name` as 'Error': look at the class name too.
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (name === 'AbortError' || name === 'APIUserAbortError' || className === 'AbortError' || className === 'APIUserAbortError') return true;
  // undici reports an aborted fetch body with this code; Node's own aborts carry the second.
  return code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR';
}

/** Throws an AbortError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}
