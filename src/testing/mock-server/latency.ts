/**
 * Simulated latency: fixed or lognormal from a median and a 99th percentile, drawn from the seeded source.
 */
import { generationEndpoints, type LatencySpec, type MockEndpoint, type MockProviderServerOptions } from './options.js';
import type { RandomSource } from './random.js';

/** z-score of the 99th percentile of the standard normal distribution. */
const z99 = 2.3263478740408408;

function validateSpec(spec: LatencySpec, name: string): void {
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec) || spec < 0) throw new TypeError(`Option ${name} must be a non-negative number of milliseconds, got ${String(spec)}`);
    return;
  }
  if (!(spec.p50 >= 0) || !(spec.p99 >= spec.p50)) {
    throw new TypeError(`Option ${name} needs 0 <= p50 <= p99, got ${JSON.stringify(spec)}`);
  }
}

function isSpec(value: unknown): value is LatencySpec {
  return typeof value === 'number' || (typeof value === 'object' && value !== null && 'p50' in value);
}

export class LatencyModel {
  private readonly byEndpoint = new Map<MockEndpoint, LatencySpec>();
  private readonly fallback: LatencySpec | undefined;

  constructor(option: MockProviderServerOptions['latency'], private readonly random: RandomSource) {
    if (option === undefined) return;
    if (isSpec(option)) {
      validateSpec(option, 'latency');
      for (const endpoint of generationEndpoints) this.byEndpoint.set(endpoint, option);
      return;
    }
    for (const [key, spec] of Object.entries(option)) {
      if (spec === undefined) continue;
      validateSpec(spec, `latency.${key}`);
      if (key === 'default') this.fallback = spec;
      else this.byEndpoint.set(key as MockEndpoint, spec);
    }
  }

  /** Milliseconds to wait before answering a request to `endpoint`. */
  sample(endpoint: MockEndpoint): number {
    const spec = this.byEndpoint.get(endpoint) ?? this.fallback;
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return spec;
    if (spec.p50 === 0) return 0;
    const sigma = spec.p99 > spec.p50 ? Math.log(spec.p99 / spec.p50) / z99 : 0;
    // Box-Muller transform; 1 - u keeps the logarithm finite.
    const normal = Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
    return spec.p50 * Math.exp(sigma * normal);
  }
}
