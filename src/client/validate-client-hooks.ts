import { failOption } from '../validation/check-options.js';
import type { ClientHooksOptions } from './client-observers.js';
import { isLogger } from './logger.js';

/** Checks `createBatchClient`'s `observers`, `onResult` and `logger`. */
export function validateClientHooks(where: string, options: ClientHooksOptions): void {
  const { observers, onResult, logger } = options;
  if (observers !== undefined && (!Array.isArray(observers) || observers.some((observer) => typeof observer !== 'function'))) {
    failOption(where, 'observers', 'an array of functions (e.g. [metricsObserver()])', observers);
  }
  if (onResult !== undefined && typeof onResult !== 'function') failOption(where, 'onResult', 'a function', onResult);
  if (logger !== undefined && !isLogger(logger)) failOption(where, 'logger', 'an object with debug, info, warn and error functions (console, pino, winston)', logger);
}
