/**
 * Checks a numeric option: a finite number within bounds (an integer when asked). The TypeError
 * names the option and shows the value as written: `NaN`, `Infinity`, `-5`, `"10"`.
 *
 * @example
 * checkNumberOption('createBatchClient', 'pollIntervalMs', options.pollIntervalMs, { min: 1, max: 86_400_000 });
 */
export function checkNumberOption(
  where: string,
  name: string,
  value: unknown,
  bounds: { readonly min: number; readonly max: number; readonly integer?: boolean },
): void {
  if (value === undefined) return;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= bounds.min &&
    value <= bounds.max &&
    (bounds.integer !== true || Number.isInteger(value));
  if (ok) return;
  const kind = bounds.integer === true ? 'an integer' : 'a number';
  throw new TypeError(`${where}: option "${name}" must be ${kind} from ${bounds.min} to ${bounds.max}, got ${showValue(value)}`);
}

/** A value as a user wrote it: numbers through String (so NaN stays NaN), the rest as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
