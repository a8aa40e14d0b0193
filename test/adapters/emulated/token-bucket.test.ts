import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/adapters/emulated/token-bucket.js';

describe('TokenBucket', () => {
  it('admits a burst up to its capacity, then refills at the per-minute rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ perMinute: 600, capacity: 10, now: () => now });
    for (let index = 0; index < 10; index++) expect(bucket.tryTake(1)).toBe(true);
    expect(bucket.tryTake(1)).toBe(false);
    expect(bucket.waitMs(1)).toBe(100);
    now += 100;
    expect(bucket.tryTake(1)).toBe(true);
  });

  it('admits a request larger than the capacity once the bucket is full, leaving a debt', () => {
    let now = 0;
    const bucket = new TokenBucket({ perMinute: 6000, capacity: 100, now: () => now });
    expect(bucket.tryTake(250)).toBe(true);
    expect(bucket.available).toBe(-150);
    expect(bucket.waitMs(1)).toBe(1510);
    now += 3000;
    expect(bucket.available).toBe(100);
  });

  it('gives back over-estimated tokens and never exceeds its capacity', () => {
    const bucket = new TokenBucket({ perMinute: 1000, capacity: 100, now: () => 0 });
    bucket.tryTake(80);
    bucket.adjust(30);
    expect(bucket.available).toBe(50);
    bucket.adjust(500);
    expect(bucket.available).toBe(100);
  });

  it('lowers its fill to what the server reports, but never raises it', () => {
    const bucket = new TokenBucket({ perMinute: 600, capacity: 100, now: () => 0 });
    bucket.clampTo(5);
    expect(bucket.available).toBe(5);
    bucket.clampTo(50);
    expect(bucket.available).toBe(5);
  });

  it('rejects a non-positive rate with a TypeError', () => {
    expect(() => new TokenBucket({ perMinute: 0 })).toThrow(TypeError);
  });
});
