import { validateDisplayCurrency, type DisplayCurrency } from '../cost/currency.js';
import { ValidationError } from '../errors/validation-error.js';
import type { CliIo } from './cli-io.js';
import type { CommandLine } from './command-line.js';
import { UsageError } from './usage-error.js';

/**
 * The currency to show costs in: `--currency EUR:0.92` (the code, and how many units of it one
 * US dollar buys), else the environment's `LLM_BATCH_CURRENCY` in the same form, else none (USD).
 * Prices and stored costs stay in USD; only what is printed changes.
 */
export function displayCurrencyOf(line: CommandLine, io: CliIo): DisplayCurrency | undefined {
  const flag = line.string('currency');
  const text = flag ?? io.env['LLM_BATCH_CURRENCY'];
  if (text === undefined || text === '') return undefined;
  const source = flag === undefined ? 'LLM_BATCH_CURRENCY' : '--currency';
  const match = /^([A-Za-z]{3})[:=](\d+(?:\.\d+)?)$/.exec(text.trim());
  const currency = match ? { code: match[1]!.toUpperCase(), perUsd: Number(match[2]) } : undefined;
  try {
    if (currency === undefined) throw new ValidationError([{ index: 0, field: '', reason: 'malformed' }]);
    validateDisplayCurrency(source, currency);
  } catch {
    throw new UsageError(`${source} must be CODE:UNITS_PER_USD, like EUR:0.92; got ${JSON.stringify(text)}`, line.command);
  }
  return currency;
}
