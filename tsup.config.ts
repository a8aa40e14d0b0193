import { defineConfig } from 'tsup';

// The ESM output gets a real require() for the CommonJS packages bundled into it (the yaml parser
// of config files, loaded on first use): esbuild's stand-in throws 'Dynamic require of "process"'.
const esmRequire = "import { createRequire as __llmBatchCreateRequire } from 'node:module';\nconst require = __llmBatchCreateRequire(import.meta.url);";

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
    banner: ({ format }) => (format === 'esm' ? { js: esmRequire } : {}),
    external: ['openai', '@anthropic-ai/sdk', '@google/genai', 'ai', 'ioredis', 'bullmq', 'vitest'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: `#!/usr/bin/env node\n${esmRequire}` },
    external: ['openai', '@anthropic-ai/sdk', '@google/genai', 'ai', 'ioredis', 'bullmq', 'vitest', 'llm-batch/redis'],
  },
  {
    // The viewer's page (llm-batch ui): one browser script, served from dist/viewer/page.js (no CDN).
    entry: { 'viewer/page': 'src/cli/viewer/page/main.ts' },
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    dts: false,
    outExtension: () => ({ js: '.js' }),
    tsconfig: 'src/cli/viewer/page/tsconfig.json',
    // The bundled d3 modules' notice (ISC), kept by the minifier.
    banner: {
      js: '/*! Includes d3-scale, d3-shape, d3-array, d3-color, d3-format, d3-interpolate, d3-path, d3-time, d3-time-format and internmap: Copyright 2010-2026 Mike Bostock, ISC License (https://opensource.org/license/isc-license-txt) */',
    },
  },
]);
