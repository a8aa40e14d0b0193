import { parseArgs } from 'node:util';
import { maxConcurrency } from '../adapters/emulated/emulated-options.js';
import { parseDuration } from './parse-duration.js';
import { UsageError } from './usage-error.js';

/** Every flag the CLI knows; each command accepts a subset. */
export const cliOptions = {
  provider: { type: 'string' },
  mode: { type: 'string' },
  model: { type: 'string' },
  concurrency: { type: 'string' },
  'max-cost': { type: 'string' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  template: { type: 'string' },
  data: { type: 'string' },
  'input-format': { type: 'string' },
  metadata: { type: 'string', multiple: true },
  priority: { type: 'string' },
  intake: { type: 'string' },
  currency: { type: 'string' },
  pricing: { type: 'string' },
  'exact-tokens': { type: 'boolean' },
  'no-exact-tokens': { type: 'boolean' },
  store: { type: 'string' },
  config: { type: 'string' },
  'poll-interval': { type: 'string' },
  timeout: { type: 'string' },
  status: { type: 'string' },
  detach: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliOptionName = keyof typeof cliOptions;

/** The flags every command accepts. */
const alwaysAccepted: readonly CliOptionName[] = ['help', 'store', 'config', 'currency'];

/** The largest whole number each integer flag takes; a flag not listed takes up to 2^53-1. */
const integerMaximums: Partial<Record<CliOptionName, number>> = {
  // The emulated adapter's bound (see docs/emulated.md for why).
  concurrency: maxConcurrency,
};

/** How each numeric flag is read; all are checked as the command line is parsed, before any work starts. */
const numericFlags: Partial<Record<CliOptionName, 'positiveInteger' | 'dollars' | 'duration'>> = {
  concurrency: 'positiveInteger',
  'max-cost': 'dollars',
  'poll-interval': 'duration',
  timeout: 'duration',
};

/** The longest duration a flag takes: Node fires a longer timer at once (a poll interval would become a busy loop). */
const maxDurationMs = 2_147_483_647;

/** A parsed command line with typed, validated accessors; every bad value is a {@link UsageError}. */
export class CommandLine {
  private constructor(
    readonly command: string,
    private readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>,
    readonly positionals: readonly string[],
  ) {}

  /**
   * Parses `argv` for `command`, accepting only `names` (plus `--help` and `--store`).
   * @throws UsageError on an unknown flag, a flag without its value, or a number or duration out of range.
   */
  static parse(command: string, argv: readonly string[], names: readonly CliOptionName[]): CommandLine {
    const accepted = new Set([...alwaysAccepted, ...names]);
    const options = Object.fromEntries(Object.entries(cliOptions).filter(([name]) => accepted.has(name as CliOptionName)));
    let line: CommandLine;
    try {
      const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
      line = new CommandLine(command, parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
    } catch (error) {
      throw new UsageError(describeParseError(error), command);
    }
    // A bad number fails here, not after a job was submitted (`--timeout` is read only when waiting).
    if (line.help) return line;
    for (const [name, read] of Object.entries(numericFlags) as [CliOptionName, 'positiveInteger' | 'dollars' | 'duration'][]) {
      if (accepted.has(name)) line[read](name);
    }
    return line;
  }

  get help(): boolean {
    return this.values['help'] === true;
  }

  flag(name: CliOptionName): boolean {
    return this.values[name] === true;
  }

  string(name: CliOptionName): string | undefined {
    const value = this.values[name];
    if (typeof value !== 'string') return undefined;
    if (value === '') throw new UsageError(`--${name} needs a value`, this.command);
    return value;
  }

  /** Every value of a repeatable option, in command-line order (`--metadata a=1 --metadata b=2`). */
  strings(name: CliOptionName): string[] {
    const value = this.values[name];
    if (Array.isArray(value)) return [...(value as readonly string[])];
    return typeof value === 'string' ? [value] : [];
  }

  choice<const T extends string>(name: CliOptionName, choices: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(choices as readonly string[]).includes(value)) {
      throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}`, this.command);
    }
    return value as T;
  }

  /** A whole number written in digits, from 1 to the flag's maximum (`--concurrency 64`). */
  positiveInteger(name: CliOptionName): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const max = integerMaximums[name] ?? Number.MAX_SAFE_INTEGER;
    const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < 1 || number > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? 'a positive whole number' : `a whole number from 1 to ${max.toLocaleString('en-US')}`;
      throw new UsageError(`--${name} must be ${range}; got ${JSON.stringify(value)}`, this.command);
    }
    return number;
  }

  /** A non-negative amount of US dollars written in digits (`--max-cost 5`, `--max-cost $5`, `--max-cost 0.50`). */
  dollars(name: CliOptionName): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    // Digits only: no exponent, hexadecimal, sign, NaN or Infinity, which Number() would take.
    const digits = /^\$?(\d+(?:\.\d*)?|\.\d+)$/.exec(value.trim());
    const number = digits ? Number(digits[1]) : Number.NaN;
    if (!Number.isFinite(number)) {
      throw new UsageError(`--${name} must be an amount in US dollars, like 5 or 0.50; got ${JSON.stringify(value)}`, this.command);
    }
    return number;
  }

  /** A duration (`500ms`, `5s`, `2m`, `1h`; a bare number is seconds) of whole milliseconds, from 1 ms to 2^31-1 ms (about 24.8 days). */
  duration(name: CliOptionName): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const milliseconds = parseDuration(value);
    if (milliseconds === undefined) {
      throw new UsageError(`--${name} must be a duration like 500ms, 5s or 2m; got ${JSON.stringify(value)}`, this.command);
    }
    if (!Number.isInteger(milliseconds)) {
      throw new UsageError(`--${name} must be a whole number of milliseconds (at least 1ms); got ${JSON.stringify(value)}`, this.command);
    }
    if (milliseconds > maxDurationMs) {
      throw new UsageError(`--${name} must be at most 596h (2^31-1 ms, the longest timer Node keeps); got ${JSON.stringify(value)}`, this.command);
    }
    return milliseconds;
  }

  /** Exactly `count` positional arguments, named in the message when missing. */
  expectPositionals(names: readonly string[]): string[] {
    if (this.positionals.length < names.length) {
      throw new UsageError(`missing ${names.slice(this.positionals.length).map((name) => `<${name}>`).join(' ')}`, this.command);
    }
    if (this.positionals.length > names.length) {
      throw new UsageError(`unexpected argument ${JSON.stringify(this.positionals[names.length])}`, this.command);
    }
    return [...this.positionals];
  }
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs messages carry a hint about `--` that does not help here; keep the first sentence.
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${(missing[1] ?? '').replace(/^-\w, /, '')} needs a value`;
  // `--concurrency -4`: parseArgs will not take a value that starts with a dash after a space.
  const ambiguous = /use '(--[\w-]+)=-XYZ'/.exec(message);
  if (ambiguous) return `option ${ambiguous[1]} needs a value; one that starts with - is written ${ambiguous[1]}=-VALUE`;
  const unexpected = /Unexpected argument '([^']+)'/.exec(message);
  if (unexpected) return `unexpected argument ${JSON.stringify(unexpected[1])}`;
  return message.split('. ')[0] ?? message;
}
