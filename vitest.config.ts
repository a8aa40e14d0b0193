import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples and tests import the package by name, as users do; here that name is the source.
    alias: [
      { find: /^llm-batch\/openai$/, replacement: source('./src/openai.ts') },
      { find: /^llm-batch\/anthropic$/, replacement: source('./src/anthropic.ts') },
      { find: /^llm-batch\/testing$/, replacement: source('./src/testing.ts') },
      { find: /^llm-batch$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['test/reliability/**', 'node_modules/**', 'dist/**', 'bench/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Source type errors are the typecheck script's job; here only the type tests count.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], ignoreSourceErrors: true },
  },
});
