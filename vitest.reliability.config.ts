import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The reliability suite: long, loud runs (fault soak, kill -9 loops, bad input, malformed provider
// output, secret scan) kept out of the normal suite. `npm run test:reliability`.
export default defineConfig({
  resolve: {
    // Tests import the package by name, as users do; here that name is the source.
    alias: [
      { find: /^llm-batch\/openai$/, replacement: source('./src/openai.ts') },
      { find: /^llm-batch\/anthropic$/, replacement: source('./src/anthropic.ts') },
      { find: /^llm-batch\/testing$/, replacement: source('./src/testing.ts') },
      { find: /^llm-batch$/, replacement: source('./src/index.ts') },
    ],
  },
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
