import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defaultPricing, modelPriceSchema, pricingTableSchema, type ModelPrice, type PricingTable } from './pricing-table.js';

/**
 * Changes to the shipped prices: entries of `models` replace (or add) whole models, `aliases` are
 * added. With `replace: true` the shipped models are dropped and only yours remain.
 */
export interface PricingOverride {
  readonly asOf?: string;
  readonly source?: string;
  readonly models?: Readonly<Record<string, ModelPrice>>;
  readonly aliases?: Readonly<Record<string, string>>;
  /** Use only these models, not the shipped ones. @default false */
  readonly replace?: boolean;
}

/** A pricing table, changes to the shipped one, or the path of a JSON file holding either. */
export type PricingSource = PricingTable | PricingOverride | string;

const pricingOverrideSchema = z.strictObject({
  asOf: z.string().min(1).optional(),
  source: z.string().min(1).optional(),
  currency: z.literal('USD').optional(),
  unit: z.string().optional(),
  models: z.record(z.string(), modelPriceSchema).optional(),
  aliases: z.record(z.string(), z.string()).optional(),
  replace: z.boolean().optional(),
});

/**
 * The pricing in force: the shipped table, or it merged with an override given as an object or as
 * the path of a JSON file (`--pricing FILE`). A bad file or object is a TypeError naming the problem.
 *
 * @example
 * const pricing = await loadPricing({ models: { 'my-llama': { input: 0.1, output: 0.2 } }, asOf: '2026-10-01', source: 'our contract' });
 */
export async function loadPricing(source?: PricingSource): Promise<PricingTable> {
  if (source === undefined) return defaultPricing;
  if (typeof source === 'string') {
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new TypeError(`pricing: cannot read the pricing file ${JSON.stringify(source)}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new TypeError(`pricing: the pricing file ${JSON.stringify(source)} is not valid JSON: ${(error as Error).message}`);
    }
    return resolvePricing(parsed, `the pricing file ${JSON.stringify(source)}`);
  }
  return resolvePricing(source, 'option "pricing"');
}

/** The synchronous part of {@link loadPricing}: an object (table or override) to a table. */
export function resolvePricing(value: unknown, subject = 'option "pricing"'): PricingTable {
  if (value === undefined) return defaultPricing;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`pricing: ${subject} must be a pricing table object or a file path, got ${JSON.stringify(value)}`);
  }
  const parsed = pricingOverrideSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') ?? '';
    throw new TypeError(`pricing: ${subject} is invalid at "${where}": ${issue?.message ?? 'unknown problem'}`);
  }
  const override = parsed.data;
  const base: PricingTable = override.replace ? { asOf: '', source: '', models: {} } : defaultPricing;
  const changed = override.models !== undefined && Object.keys(override.models).length > 0;
  const table: PricingTable = {
    // A table with changed prices is no longer the shipped one: without a new date it says so.
    asOf: override.asOf ?? (changed ? `${base.asOf || 'unknown'} (overridden)` : base.asOf || 'unknown'),
    source: override.source ?? (changed ? `${base.source || 'user'} + user override` : base.source || 'user'),
    currency: 'USD',
    models: { ...base.models, ...override.models },
    aliases: { ...base.aliases, ...override.aliases },
  };
  return pricingTableSchema.parse(table);
}
