/*
 * `await using client = createBatchClient(...)` on every Node version the package supports. Node 20
 * before 20.4 has no `Symbol.asyncDispose`, and a polyfill (core-js, a TypeScript helper) may define
 * one after this module was loaded. So the class keys its method by the symbol in force at load
 * time (or `Symbol.for('Symbol.asyncDispose')`, never the string "undefined"), and each client
 * created later also answers to whatever `Symbol.asyncDispose` is by then.
 */

/** The key of the client's dispose method: `Symbol.asyncDispose`, or a registered stand-in where there is none. */
export const asyncDisposeKey: typeof Symbol.asyncDispose = ((Symbol as { asyncDispose?: symbol }).asyncDispose ??
  Symbol.for('Symbol.asyncDispose')) as typeof Symbol.asyncDispose;

/**
 * Makes `target` disposable under `symbol` (by default the `Symbol.asyncDispose` in force now)
 * when its class could not key the method by it, delegating to `dispose`.
 */
export function answerAsyncDispose<T extends object>(
  target: T,
  dispose: (target: T) => Promise<void>,
  symbol: symbol | undefined = (Symbol as { asyncDispose?: symbol }).asyncDispose,
): T {
  if (typeof symbol === 'symbol' && !(symbol in target)) {
    Object.defineProperty(target, symbol, { value: () => dispose(target), configurable: true, writable: true });
  }
  return target;
}
