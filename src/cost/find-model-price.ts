import type { ModelPrice, PricingTable } from './pricing-table.js';

/** A model's price with the table entry it was found under. */
export interface ResolvedModelPrice extends Required<Omit<ModelPrice, 'provider'>> {
  /** The id in the pricing table the model resolved to. */
  readonly pricedAs: string;
  readonly provider?: string;
}

// Only date-like or `latest` suffixes fall back to the base id: `gpt-5.4-pro` must not be priced as `gpt-5.4`.
const snapshotSuffix = /^-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest|v\d+(?::\d+)?)$/;

/**
 * Finds a model's price: exact id, alias, then a dated snapshot of a known id
 * (`claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`), case-insensitively. A vendor prefix
 * such as `openai/` or `anthropic.` is ignored. Returns undefined for an unknown model, never a zero price.
 *
 * @example
 * findModelPrice(defaultPricing, 'claude-sonnet-4-5-20250929')?.input // 3
 */
export function findModelPrice(pricing: PricingTable, model: string): ResolvedModelPrice | undefined {
  // Looked up once per table, model and entries: the estimate of a job asks for every request's
  // model, and rebuilding the table's maps each time cost about 4 µs a request. The key
  // holds the entries' objects, so a table whose `models` or `aliases` is replaced is looked up afresh.
  let cache = lookups.get(pricing);
  if (cache === undefined || cache.models !== pricing.models || cache.aliases !== pricing.aliases) {
    cache = { models: pricing.models, aliases: pricing.aliases, found: new Map() };
    lookups.set(pricing, cache);
  }
  let found: ResolvedModelPrice | undefined;
  if (cache.found.has(model)) found = cache.found.get(model);
  else {
    found = findModelPriceUncached(pricing, model);
    if (cache.found.size < 10_000) cache.found.set(model, found);
  }
  // A copy: a caller that changes its price must not change the next caller's.
  return found === undefined ? undefined : { ...found };
}

const lookups = new WeakMap<PricingTable, { models: PricingTable['models']; aliases: PricingTable['aliases']; found: Map<string, ResolvedModelPrice | undefined> }>();

function findModelPriceUncached(pricing: PricingTable, model: string): ResolvedModelPrice | undefined {
  const models = new Map(Object.entries(pricing.models).map(([id, price]) => [id.toLowerCase(), { id, price }]));
  const aliases = new Map(Object.entries(pricing.aliases ?? {}).map(([alias, id]) => [alias.toLowerCase(), id.toLowerCase()]));
  const lookup = (candidate: string): { id: string; price: ModelPrice } | undefined => {
    const direct = models.get(candidate);
    if (direct) return direct;
    const aliased = aliases.get(candidate);
    return aliased === undefined ? undefined : models.get(aliased);
  };
  const names = [model.toLowerCase()];
  const bare = model.toLowerCase().replace(/^(?:[a-z0-9_-]+\/|(?:anthropic|openai|us|eu)\.)+/, '');
  if (bare !== names[0]) names.push(bare);
  for (const name of names) {
    const found = lookup(name) ?? lookupSnapshot(name, lookup, [...models.keys(), ...aliases.keys()]);
    if (found) return resolve(found.id, found.price);
  }
  return undefined;
}

function lookupSnapshot(
  name: string,
  lookup: (candidate: string) => { id: string; price: ModelPrice } | undefined,
  known: string[],
): { id: string; price: ModelPrice } | undefined {
  let best: string | undefined;
  for (const id of known) {
    if (!name.startsWith(id) || !snapshotSuffix.test(name.slice(id.length))) continue;
    if (best === undefined || id.length > best.length) best = id;
  }
  return best === undefined ? undefined : lookup(best);
}

function resolve(id: string, price: ModelPrice): ResolvedModelPrice {
  return {
    pricedAs: id,
    ...(price.provider === undefined ? {} : { provider: price.provider }),
    input: price.input,
    cachedInput: price.cachedInput ?? price.input,
    cacheWrite: price.cacheWrite ?? price.input,
    output: price.output,
    batchDiscount: price.batchDiscount ?? 0.5,
  };
}
