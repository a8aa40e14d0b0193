import type { Logger, LogLevel } from './client-observers.js';

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A logger writing `llm-batch <level>: <message>` lines to `write` (the CLI: standard error),
 * from `minimum` up.
 */
export function lineLogger(write: (line: string) => void, minimum: LogLevel = 'debug'): Logger {
  const from = levels.indexOf(minimum);
  const at = (level: LogLevel) => (message: string): void => {
    if (levels.indexOf(level) >= from) write(`llm-batch ${level}: ${message}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The CLI's logger from `LLM_BATCH_LOG`: `debug`, `info`, `warn` or `error` log from that level up
 * (to standard error); unset, empty or `off`, none. Another value is refused by name.
 */
export function loggerFromEnv(value: string | undefined, write: (line: string) => void): Logger | undefined {
  const level = value?.trim().toLowerCase();
  if (level === undefined || level === '' || level === 'off' || level === 'none') return undefined;
  if (!(levels as readonly string[]).includes(level)) {
    throw new TypeError(`LLM_BATCH_LOG must be one of debug, info, warn, error or off, got ${JSON.stringify(value)}`);
  }
  return lineLogger(write, level as LogLevel);
}

/** True when `value` has the four methods of a {@link Logger}. */
export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && levels.every((level) => typeof (value as Record<string, unknown>)[level] === 'function');
}
