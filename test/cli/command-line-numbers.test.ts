import { describe, expect, it } from 'vitest';
import { CommandLine } from '../../src/cli/command-line.js';
import { UsageError } from '../../src/cli/usage-error.js';

function parse(...argv: string[]): CommandLine {
  return CommandLine.parse('run', argv, ['concurrency', 'max-cost', 'poll-interval', 'timeout']);
}

/** The usage error a read of the flag throws, or undefined. */
function usageError(read: () => unknown): UsageError | undefined {
  try {
    read();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  return undefined;
}

describe('--concurrency', () => {
  it('says how to write a value that starts with a dash', () => {
    expect(usageError(() => parse('--concurrency', '-4'))?.message).toBe('option --concurrency needs a value; one that starts with - is written --concurrency=-VALUE');
  });

  it.each(['NaN', 'Infinity', '-4', '0', '2.5', '1e3', '0x10', '20001', '1000000', 'eight'])('refuses %s, naming the flag and showing the value as written', (value) => {
    const error = usageError(() => parse(`--concurrency=${value}`).positiveInteger('concurrency'));
    expect(error?.message).toBe(`--concurrency must be a whole number from 1 to 20,000; got ${JSON.stringify(value)}`);
  });

  it('takes a whole number from 1 to 20,000', () => {
    expect(parse('--concurrency', '1').positiveInteger('concurrency')).toBe(1);
    expect(parse('--concurrency', '20000').positiveInteger('concurrency')).toBe(20_000);
  });
});

describe('--max-cost', () => {
  it.each(['NaN', 'Infinity', '-1', '1e3', '0x10', '$', '5 dollars'])('refuses %s, naming the flag and showing the value as written', (value) => {
    const error = usageError(() => parse(`--max-cost=${value}`).dollars('max-cost'));
    expect(error?.message).toBe(`--max-cost must be an amount in US dollars, like 5 or 0.50; got ${JSON.stringify(value)}`);
  });

  it('takes amounts in digits, with or without a dollar sign', () => {
    expect(parse('--max-cost', '5').dollars('max-cost')).toBe(5);
    expect(parse('--max-cost', '$0.50').dollars('max-cost')).toBe(0.5);
    expect(parse('--max-cost', '.25').dollars('max-cost')).toBe(0.25);
    expect(parse('--max-cost', '0').dollars('max-cost')).toBe(0);
  });
});

describe('durations', () => {
  it.each(['NaN', 'Infinity', '-5s', '0', '0s', '1e3ms', 'soon'])('refuses %s as a duration', (value) => {
    const error = usageError(() => parse(`--poll-interval=${value}`).duration('poll-interval'));
    expect(error?.message).toBe(`--poll-interval must be a duration like 500ms, 5s or 2m; got ${JSON.stringify(value)}`);
  });

  it('refuses a fraction of a millisecond', () => {
    expect(usageError(() => parse('--poll-interval', '0.5ms').duration('poll-interval'))?.message).toBe(
      '--poll-interval must be a whole number of milliseconds (at least 1ms); got "0.5ms"',
    );
  });

  it('refuses a duration past the longest timer Node keeps (it would fire at once)', () => {
    expect(usageError(() => parse('--timeout', '597h').duration('timeout'))?.message).toBe(
      '--timeout must be at most 596h (2^31-1 ms, the longest timer Node keeps); got "597h"',
    );
    expect(usageError(() => parse('--timeout', '99999999999999999999h').duration('timeout'))).toBeDefined();
  });

  it('takes durations from 1ms to 596h', () => {
    expect(parse('--poll-interval', '1ms').duration('poll-interval')).toBe(1);
    expect(parse('--poll-interval', '1.5s').duration('poll-interval')).toBe(1_500);
    expect(parse('--timeout', '596h').duration('timeout')).toBe(596 * 3_600_000);
  });
});

describe('when numbers are checked', () => {
  it('as the command line is parsed, so a bad --timeout fails before a job is submitted', () => {
    expect(() => parse('--timeout', '1000h')).toThrow(UsageError);
    expect(() => parse('--concurrency=-1')).toThrow('--concurrency must be a whole number from 1 to 20,000; got "-1"');
  });

  it('not with --help, which wins', () => {
    expect(parse('--help', '--timeout', '1000h').help).toBe(true);
  });
});
