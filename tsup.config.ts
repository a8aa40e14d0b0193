import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      openai: 'src/openai.ts',
      anthropic: 'src/anthropic.ts',
      gemini: 'src/gemini.ts',
      testing: 'src/testing.ts',
      'ai-sdk': 'src/ai-sdk.ts',
      redis: 'src/redis.ts',
      viewer: 'src/viewer.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: true,
    treeshake: true,
    external: ['openai', '@anthropic-ai/sdk', '@google/genai', 'ai', 'ioredis', 'bullmq', 'vitest'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external: ['openai', '@anthropic-ai/sdk', '@google/genai', 'ai', 'ioredis', 'bullmq', 'vitest', 'llm-batch/redis'],
  },
]);
