import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModelPrice } from '../../src/cost/find-model-price.js';
import { loadPricing } from '../../src/cost/load-pricing.js';
import { defaultPricing } from '../../src/cost/pricing-table.js';

describe('pricing', () => {
  it('ships a dated, sourced table', () => {
    expect(defaultPricing.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(defaultPricing.source.length).toBeGreaterThan(10);
    expect(findModelPrice(defaultPricing, 'gpt-5.4-mini')).toMatchObject({ input: 0.75, cachedInput: 0.075, output: 4.5, batchDiscount: 0.5 });
  });

  it('resolves aliases, dated snapshots and vendor prefixes to the base model', () => {
    expect(findModelPrice(defaultPricing, 'claude-sonnet-4-5-20250929')?.pricedAs).toBe('claude-sonnet-4-5');
    expect(findModelPrice(defaultPricing, 'claude-sonnet-4.5')?.pricedAs).toBe('claude-sonnet-4-5');
    expect(findModelPrice(defaultPricing, 'gpt-5.4-mini-2026-03-17')?.pricedAs).toBe('gpt-5.4-mini');
    expect(findModelPrice(defaultPricing, 'openai/gpt-5.4')?.pricedAs).toBe('gpt-5.4');
    expect(findModelPrice(defaultPricing, 'claude-haiku-4-5')?.cacheWrite).toBe(1.25);
  });

  it('does not price an unknown variant as its shorter neighbour', () => {
    expect(findModelPrice(defaultPricing, 'gpt-5.4-pro')).toBeUndefined();
    expect(findModelPrice(defaultPricing, 'claude-sonnet-4-5-extended')).toBeUndefined();
  });

  it('merges an override object into the shipped table and marks the date as overridden', async () => {
    const pricing = await loadPricing({ models: { 'my-llama': { input: 0.1, output: 0.2 } } });
    expect(findModelPrice(pricing, 'my-llama')).toMatchObject({ input: 0.1, cachedInput: 0.1, output: 0.2, batchDiscount: 0.5 });
    expect(findModelPrice(pricing, 'gpt-5.4')).toBeDefined();
    expect(pricing.asOf).toContain('overridden');
  });

  it('reads a pricing file and names the file when it is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pricing-'));
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ asOf: '2026-10-01', source: 'contract', replace: true, models: { m: { input: 1, output: 2 } } }));
    const pricing = await loadPricing(good);
    expect(Object.keys(pricing.models)).toEqual(['m']);
    expect(pricing.asOf).toBe('2026-10-01');
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ models: { m: { input: 'cheap', output: 2 } } }));
    await expect(loadPricing(bad)).rejects.toThrow(/bad\.json.*models\.m\.input/);
  });
});
