import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/errors/parse-retry-after.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('returns undefined without headers', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });

  it('reads retry-after-ms as float milliseconds, rounded up', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150.2' }))).toBe(151);
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '20', 'retry-after': '5' }))).toBe(20);
  });

  it('reads retry-after as float seconds', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0' }))).toBe(0);
  });

  it('reads retry-after as an HTTP date relative to now', () => {
    const headers = new Headers({ 'retry-after': new Date(now + 7_000).toUTCString() });
    expect(parseRetryAfter(headers, now)).toBe(7_000);
  });

  it('treats an HTTP date in the past as zero', () => {
    const headers = new Headers({ 'retry-after': new Date(now - 60_000).toUTCString() });
    expect(parseRetryAfter(headers, now)).toBe(0);
  });

  it('ignores negative, empty and garbage values', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '-5' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': 'abc' }))).toBeUndefined();
  });

  it('falls back to retry-after when retry-after-ms is unparseable', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': 'nope', 'retry-after': '2' }))).toBe(2_000);
  });

  it('accepts a plain header record with any casing and array values', () => {
    expect(parseRetryAfter({ 'Retry-After': '3' })).toBe(3_000);
    expect(parseRetryAfter({ 'retry-after-ms': ['40', '50'] })).toBe(40);
    expect(parseRetryAfter({ 'retry-after': undefined })).toBeUndefined();
  });
});
