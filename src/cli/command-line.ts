import { parseArgs } from 'node:util';
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
  pricing: { type: 'string' },
  store: { type: 'string' },
  'poll-interval': { type: 'string' },
  timeout: { type: 'string' },
  status: { type: 'string' },
  detach: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliOptionName = keyof typeof cliOptions;

/** The flags every command accepts. */
const alwaysAccepted: readonly CliOptionName[] = ['help', 'store'];

/** A parsed command line with typed, validated accessors; every bad value is a {@link UsageError}. */
export class CommandLine {
  private constructor(
    readonly command: string,
    private readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>,
    readonly positionals: readonly string[],
  ) {}

  /**
   * Parses `argv` for `command`, accepting only `names` (plus `--help` and `--store`).
   * @throws UsageError on an unknown flag or a flag without its value.
   */
  static parse(command: string, argv: readonly string[], names: readonly CliOptionName[]): CommandLine {
    const accepted = new Set([...alwaysAccepted, ...names]);
    const options = Object.fromEntries(Object.entries(cliOptions).filter(([name]) => accepted.has(name as CliOptionName)));
    try {
      const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
      return new CommandLine(command, parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
    } catch (error) {
      throw new UsageError(describeParseError(error), command);
    }
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

  positiveInteger(name: CliOptionName): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) {
      throw new UsageError(`--${name} must be a positive whole number; got ${JSON.stringify(value)}`, this.command);
    }
    return number;
  }

  /** A non-negative amount of US dollars (`--max-cost 5`, `--max-cost $5`). */
  dollars(name: CliOptionName): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const number = Number(value.replace(/^\$/, ''));
    if (!Number.isFinite(number) || number < 0 || value.trim() === '') {
      throw new UsageError(`--${name} must be an amount in US dollars, like 5 or 0.50; got ${JSON.stringify(value)}`, this.command);
    }
    return number;
  }

  duration(name: CliOptionName): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const milliseconds = parseDuration(value);
    if (milliseconds === undefined) {
      throw new UsageError(`--${name} must be a duration like 500ms, 5s or 2m; got ${JSON.stringify(value)}`, this.command);
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
  const unexpected = /Unexpected argument '([^']+)'/.exec(message);
  if (unexpected) return `unexpected argument ${JSON.stringify(unexpected[1])}`;
  return message.split('. ')[0] ?? message;
}
