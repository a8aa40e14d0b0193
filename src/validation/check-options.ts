import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';

// The one place where option errors are worded, for every options object of the library:
//   an unknown key: emulated(): unknown option 'concurency' (did you mean 'concurrency'?)
//   a bad value:    emulated(): option "concurrency" must be an integer from 1 to 20,000, got NaN
// Both are ValidationErrors whose issues name each option in `field` (`index` is 0: an options
// object is one input), thrown before anything is sent anywhere.

/** The known keys of a nested options object, and of the objects nested in it. */
export interface OptionShape {
  readonly known: readonly string[];
  readonly nested?: Readonly<Record<string, OptionShape>>;
}

/** How {@link checkOptionKeys} reads `options`. */
export interface OptionKeysContext {
  /**
   * Options that are objects themselves, checked in the same pass so that every unknown key, at
   * any depth, is in the one error. A nested option left out is skipped; one that is not an
   * object is refused.
   */
  readonly nested?: Readonly<Record<string, OptionShape>>;
}

/**
 * Refuses every key of `options` that is not in `known`, all at once (nested objects included
 * when `context.nested` describes them), each named with the closest known name when one is close:
 * a case-insensitive match, or at most two edits away. A key whose value is `undefined` is refused
 * too: a misspelt option is a mistake whatever its value.
 *
 * @throws ValidationError when `options` (or a nested option) is not an object or has an unknown key.
 * @example
 * checkOptionKeys('emulated()', { call, concurency: 4 }, ['call', 'concurrency']);
 * // ValidationError: emulated(): unknown option 'concurency' (did you mean 'concurrency'?)
 *
 * checkOptionKeys('emulated()', options, emulatedOptionNames, { nested: { rateLimit: { known: ['requestsPerMinute'] } } });
 */
export function checkOptionKeys(where: string, options: object, known: readonly string[], context: OptionKeysContext = {}): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const reason = `must be an object, got ${showValue(options)}`;
    throw optionError(where, [{ index: 0, field: '', reason }], `options ${reason}`);
  }
  const unknown: { key: string; hint: string }[] = [];
  collectUnknownKeys(where, options, { known, ...(context.nested === undefined ? {} : { nested: context.nested }) }, undefined, unknown);
  if (unknown.length === 0) return;
  const issues = unknown.map(({ key, hint }) => ({ index: 0, field: key, reason: `unknown option${hint}` }));
  const listed = unknown.map(({ key, hint }) => `'${key}'${hint}`);
  const list = listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(', ')} and ${listed.at(-1)}`;
  throw optionError(where, issues, `unknown option${unknown.length === 1 ? '' : 's'} ${list}`);
}

function collectUnknownKeys(where: string, options: object, shape: OptionShape, within: string | undefined, into: { key: string; hint: string }[]): void {
  const prefix = within === undefined ? '' : `${within}.`;
  const known = new Set(shape.known);
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const suggestion = closestName(key, shape.known);
    into.push({ key: `${prefix}${key}`, hint: suggestion === undefined ? '' : ` (did you mean '${prefix}${suggestion}'?)` });
  }
  for (const [key, nestedShape] of Object.entries(shape.nested ?? {})) {
    const value: unknown = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) failOption(where, `${prefix}${key}`, 'an object', value);
    collectUnknownKeys(where, value, nestedShape, `${prefix}${key}`, into);
  }
}

/**
 * Checks a numeric option: a finite number within bounds (an integer when asked). The
 * ValidationError names the option and shows the value as written: `NaN`, `Infinity`, `-5`, `"10"`.
 * `undefined` (an option left out) passes.
 *
 * @example
 * checkNumberOption('createBatchClient()', 'pollIntervalMs', options.pollIntervalMs, { min: 1, max: 86_400_000 });
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
  failOption(where, name, `${kind} from ${formatBound(bounds.min)} to ${formatBound(bounds.max)}`, value);
}

/**
 * Throws the error for an option whose value is wrong: `<where>: option "<name>" must be
 * <expected>, got <value>`. For checks that are not numeric bounds (a function, one of a few
 * strings); the value is shown by {@link showValue}, or as `shown` when it must not be echoed (a key).
 *
 * @example
 * failOption('emulated()', 'errorStrategy', '"continue", "fail-fast" or "skip"', options.errorStrategy);
 */
export function failOption(where: string, name: string, expected: string, value: unknown, shown: string = showValue(value)): never {
  throw optionError(where, [{ index: 0, field: name, reason: `must be ${expected}, got ${shown}` }], `option "${name}" must be ${expected}, got ${shown}`);
}

/** A value as a user wrote it: numbers through String (so NaN stays NaN), the rest as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The longest delay `setTimeout` keeps, written as people know it. */
const maxTimerMs = 2_147_483_647;

function formatBound(bound: number): string {
  return bound === maxTimerMs ? '2^31-1' : bound.toLocaleString('en-US');
}

function optionError(where: string, issues: ValidationIssue[], text: string): ValidationError {
  // An options object is one input, named by the call it was given to.
  return new ValidationError(issues, { subject: 'option', message: `${where}: ${text}` });
}

/**
 * The known name a mistyped key most likely meant: one that differs only in case, else the
 * nearest within two edits (an adjacent swap counts as one), provided fewer than half of the key's
 * characters change, so that `url` is not taken for `dir`.
 */
export function closestName(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((name) => name.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < key.length ? best : undefined;
}

/** Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  // Three rows suffice: the swap looks two rows back.
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, twoBack[j - 2]! + 1);
      current.push(distance);
    }
    twoBack = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The option names of an options type, for {@link checkOptionKeys}. Written as an object so that
 * the compiler keeps the list and the type in step: a missing name and a name the type lacks are
 * both type errors.
 *
 * @example
 * const fileStoreOptionNames = optionNames<FileStoreOptions>({ dir: true });
 */
export function optionNames<T extends object>(names: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(names);
}
