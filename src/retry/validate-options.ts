/** Shared option checks: each throws a TypeError that names the option and the value it got. */

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return typeof value;
}

export function assertRetryCount(name: string, value: unknown): asserts value is number {
  const valid = typeof value === 'number' && value >= 0 && (Number.isInteger(value) || value === Number.POSITIVE_INFINITY);
  if (!valid) {
    throw new TypeError(`Expected option "${name}" to be a non-negative integer or Infinity, got ${describeValue(value)}`);
  }
}

export function assertDuration(name: string, value: unknown, options: { allowInfinity?: boolean } = {}): asserts value is number {
  const valid =
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isFinite(value) || (options.allowInfinity === true && value === Number.POSITIVE_INFINITY));
  if (!valid) {
    const expected = options.allowInfinity === true ? 'a non-negative number of milliseconds or Infinity' : 'a finite non-negative number of milliseconds';
    throw new TypeError(`Expected option "${name}" to be ${expected}, got ${describeValue(value)}`);
  }
}
