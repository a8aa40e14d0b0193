import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The layers of src/, lowest first (docs/architecture.md draws them). A folder may import from its
// own folder and from the layers below its own, never from a sibling of its layer nor from above:
// the arrows point down, so no cycle can cross folders.
const adapters = readdirSync(new URL('./src/adapters', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `adapters/${entry.name}`);
const layers = [
  ['models'],
  ['errors'],
  ['validation'],
  ['jsonl', 'retry', 'http', 'provider', 'store', 'wire'],
  // stores: the stores that need a peer dependency (llm-batch/redis), beside the extension contract.
  ['extension', 'stores'],
  ['cost', 'structured-output', 'templates'],
  adapters,
  // distributed: the BullMQ runner (llm-batch/redis), an emulated adapter spread over workers.
  ['client', 'distributed'],
  ['testing'],
  ['cli'],
];
// A new folder must be placed in a layer before it can be linted.
const placed = new Set(layers.flat());
const unplaced = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'adapters' && !placed.has(entry.name))
  .map((entry) => `src/${entry.name}`);
if (unplaced.length > 0) throw new Error(`eslint.config.js: ${unplaced.join(', ')} is in no layer; add it to \`layers\``);

const layerZones = layers.flatMap((layer, level) =>
  layer.flatMap((folder) => {
    const forbidden = [...layer.filter((other) => other !== folder), ...layers.slice(level + 1).flat()];
    const allowed = layers.slice(0, level).flat();
    if (forbidden.length === 0) return [];
    return {
      target: `./src/${folder}`,
      from: forbidden.map((other) => `./src/${other}`),
      message: ` Layers point down: src/${folder} may import ${allowed.length === 0 ? 'nothing of ours' : `only from ${allowed.join(', ')}`} (see docs/architecture.md).`,
    };
  }),
);
// The entry files: the package's entries never load the test tools or the CLI; only the testing
// entry exports the testing folder.
const entryZones = [
  ...['index', 'openai', 'anthropic', 'gemini', 'redis'].map((entry) => ({
    target: `./src/${entry}.ts`,
    from: ['./src/testing', './src/cli'],
    message: ' The package entries never load the test tools or the CLI (see docs/architecture.md).',
  })),
  { target: './src/testing.ts', from: ['./src/cli'], message: ' The testing entry never loads the CLI.' },
  { target: './src/index.ts', from: ['./src/stores', './src/distributed'], message: ' The root entry never loads what needs ioredis or bullmq (it has its own subpath, llm-batch/redis).' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/node_modules/**', 'bench/results/**', 'coverage/**', '.llm-batch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads no .ts file it resolves, and so sees no cycle through one.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...entryZones] }],
      // A cycle of runtime imports, within a folder too (type-only imports are erased, and the rule
      // skips them; across folders the zones above refuse those as well).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The root entry and the client load a provider SDK only when a shorthand asks for it: their
    // way to an SDK-backed adapter is a dynamic import(), or a type.
    files: ['src/index.ts', 'src/client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/openai/**', '**/adapters/anthropic/**', '**/adapters/gemini/**'],
              allowTypeImports: true,
              message: 'Load an SDK-backed adapter with a dynamic import() (see src/client/resolve-provider.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
