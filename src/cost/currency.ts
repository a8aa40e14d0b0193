import type { BatchAggregate } from '../models/batch-aggregate.js';
import type { CostEstimate } from '../models/cost-estimate.js';
import { failOption } from '../validation/check-options.js';

/**
 * A currency to show costs in. Prices, budgets and stored costs stay in USD; this converts what
 * is shown: `perUsd` units of the currency buy one US dollar.
 *
 * @example
 * createBatchClient({ provider: 'openai', currency: { code: 'EUR', perUsd: 0.92 } });
 */
export interface DisplayCurrency {
  /** An ISO 4217 code: `EUR`, `GBP`, `JPY` ... */
  readonly code: string;
  /** How many units of the currency one USD is worth (0.92 for EUR at 1 EUR = 1.087 USD). */
  readonly perUsd: number;
}

/** An estimate with its `converted` figures in `currency` (none without a currency). */
export function convertEstimate(estimate: CostEstimate, currency: DisplayCurrency | undefined): CostEstimate {
  if (currency === undefined) return estimate;
  const { code, perUsd } = currency;
  return {
    ...estimate,
    converted: { currency: code, perUsd, cost: estimate.costUsd * perUsd, syncCost: estimate.syncCostUsd * perUsd, savings: estimate.savingsUsd * perUsd },
  };
}

/** An aggregate with its cost `converted` into `currency` (none without a currency or a known cost). */
export function convertAggregate<A extends BatchAggregate<unknown>>(aggregate: A, currency: DisplayCurrency | undefined): A {
  if (currency === undefined || aggregate.costUsd === undefined) return aggregate;
  return { ...aggregate, converted: { currency: currency.code, perUsd: currency.perUsd, cost: aggregate.costUsd * currency.perUsd } };
}

/** Checks a `currency` option; a `ValidationError` names the field. */
export function validateDisplayCurrency(where: string, currency: DisplayCurrency | undefined, name = 'currency'): void {
  if (currency === undefined) return;
  if (typeof currency !== 'object' || currency === null || Array.isArray(currency)) failOption(where, name, 'an object { code, perUsd }', currency);
  const unknown = Object.keys(currency).filter((key) => key !== 'code' && key !== 'perUsd');
  if (unknown.length > 0) failOption(where, `${name}.${unknown[0]}`, 'left out (a currency has code and perUsd)', (currency as unknown as Record<string, unknown>)[unknown[0]!]);
  if (typeof currency.code !== 'string' || !/^[A-Z]{3}$/.test(currency.code)) failOption(where, `${name}.code`, 'a three-letter ISO 4217 code such as "EUR"', currency.code);
  if (typeof currency.perUsd !== 'number' || !Number.isFinite(currency.perUsd) || currency.perUsd <= 0) {
    failOption(where, `${name}.perUsd`, 'a positive number (units of the currency per USD)', currency.perUsd);
  }
}

/** `amountUsd` in the currency. */
export function convertUsd(amountUsd: number, currency: DisplayCurrency): number {
  return amountUsd * currency.perUsd;
}

/**
 * An amount of USD as text, in `currency` when one is given: `$3.12`, `€2.87`, `¥480`. Two decimals
 * from 1 up (and for zero), four below, so that small jobs do not read as free.
 *
 * @example
 * formatCost(3.39, { code: 'EUR', perUsd: 0.92 }); // '€3.12'
 */
export function formatCost(amountUsd: number, currency?: DisplayCurrency): string {
  const code = currency?.code ?? 'USD';
  const amount = currency === undefined ? amountUsd : convertUsd(amountUsd, currency);
  const digits = amount >= 1 || amount === 0 ? 2 : 4;
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code, minimumFractionDigits: digits, maximumFractionDigits: digits });
  return format.format(amount);
}
