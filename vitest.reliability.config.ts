import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The reliability suite: long, loud runs (fault soaks, kill -9 loops, jobs at the providers' size
// limits, bad input, malformed provider output, secret scan) kept out of the normal suite, which
// must stay under 90 s. `npm run test:reliability`; docs/reliability.md says what each proves.
export default defineConfig({
  // The same package-name aliases as the normal suite.
  resolve: base.resolve,
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Two cores: one file at a time keeps the soak and the kill loop from starving each other.
    fileParallelism: false,
    // Counts are printed from afterAll hooks; keep them in CI logs.
    silent: false,
  },
});
