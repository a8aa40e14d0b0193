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

/** True for our AbortError, DOM `AbortError`s and the SDKs' `APIUserAbortError`. */
export function isAbortError(error: unknown): boolean {
  if (AbortError.isInstance(error)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  // openai's error classes keep `name` as 'Error': look at the class name too.
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return name === 'AbortError' || name === 'APIUserAbortError' || className === 'APIUserAbortError';
}

/** Throws an AbortError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}
