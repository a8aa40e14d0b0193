import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples and tests import the package by name, as users do; here that name is the source.
    alias: [
      { find: /^llm-batch\/openai$/, replacement: source('./src/openai.ts') },
      { find: /^llm-batch\/anthropic$/, replacement: source('./src/anthropic.ts') },
      { find: /^llm-batch\/gemini$/, replacement: source('./src/gemini.ts') },
      { find: /^llm-batch\/testing$/, replacement: source('./src/testing.ts') },
      { find: /^llm-batch\/ai-sdk$/, replacement: source('./src/ai-sdk.ts') },
      { find: /^llm-batch\/redis$/, replacement: source('./src/redis.ts') },
      { find: /^llm-batch\/viewer$/, replacement: source('./src/viewer.ts') },
      { find: /^llm-batch$/, replacement: source('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'examples/**/*.test.ts'],
    // The long runs (big jobs, fault soaks, kill -9 loops) are the reliability suite's
    // (vitest.reliability.config.ts, `npm run test:reliability`); docs/reliability.md lists them.
    exclude: ['test/reliability/**', 'node_modules/**', 'dist/**', 'bench/**'],
    // One child process per worker. Vitest's default is one worker less than the cores, so a single
    // worker on a 2-core machine; many test files wait on child processes, local HTTP and timers,
    // so use every core, and at least two workers.
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism()),
    // A worker runs its test files one after another in one module graph instead of a fresh process
    // each: the SDKs and src/ load once per worker, not once per file, which more than halves the
    // CPU time of the unit tests. So a test file must leave no global state behind: restore what it
    // stubs (vi.stubEnv / vi.unstubAllEnvs, fake timers, globalThis.fetch, process.env) and close
    // its servers in afterAll/afterEach.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Source type errors are the typecheck script's job; here only the type tests count.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], ignoreSourceErrors: true },
  },
});
