import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

// The layer rule of eslint.config.js, shown failing where it must (docs/architecture.md says how to
// see the same by hand). `npm run lint` checks every file of src/ with it.

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
// The project's config as it is, but for the cycle rule, which would parse every module the probe
// reaches (seconds per probe); the cycle rule has its own test below.
const eslint = new ESLint({ cwd: repositoryRoot, overrideConfig: { files: ['src/**/*.ts'], rules: { 'import-x/no-cycle': 'off' } } });

/** The import rules' complaints about `code`, linted as if it were the file `path` of src/. */
async function importProblems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repositoryRoot, path) });
  return result!.messages
    .filter((message) => message.ruleId?.startsWith('import-x/') || message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => `${message.ruleId}: ${message.message}`);
}

describe('layers', () => {
  it('fails a file under src/models/ that imports from src/client/', async () => {
    const problems = await importProblems(
      'src/models/layer-probe.ts',
      "import { createBatchClient } from '../client/create-batch-client.js';\nexport const probe = createBatchClient;\n",
    );
    expect(problems).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*"\.\.\/client\/create-batch-client\.js".*src\/models may import nothing of ours/)]);
  });

  it.each([
    ['errors imports the store', 'src/errors/layer-probe.ts', "export type { BatchStore } from '../store/batch-store.js';"],
    ['cost imports the client', 'src/cost/layer-probe.ts', "export { planJob } from '../client/plan-job.js';"],
    ['an adapter imports another adapter', 'src/adapters/anthropic/layer-probe.ts', "export { openaiBatch } from '../openai/openai-batch-adapter.js';"],
    ['the client imports the test emulator', 'src/client/layer-probe.ts', "export { createMockProviderServer } from '../testing/mock-server/index.js';"],
    ['the client imports the CLI', 'src/client/layer-probe.ts', "export { runCli } from '../cli/run-cli.js';"],
    ['the root entry imports the test tools', 'src/index.ts', "export { createMockBatchProvider } from './testing/mock-batch-provider.js';"],
    ['the wire formats import an adapter', 'src/wire/openai/layer-probe.ts', "export { openaiModelRules } from '../../adapters/openai/openai-model-rules.js';"],
  ])('fails when %s', async (_case, path, code) => {
    const problems = await importProblems(path, `${code}\n`);
    expect(problems).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: /)]);
  });

  it('fails a static import of an SDK-backed adapter by the client, and lets a dynamic one and a type through', async () => {
    const staticImport = await importProblems('src/client/layer-probe.ts', "export { openaiBatch } from '../adapters/openai/index.js';\n");
    expect(staticImport).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*dynamic import\(\)/)]);
    const lazy = await importProblems(
      'src/client/layer-probe.ts',
      "import type { OpenAIBatchOptions } from '../adapters/openai/index.js';\n" +
        "export const load = async (options: OpenAIBatchOptions) => (await import('../adapters/openai/index.js')).openaiBatch(options);\n",
    );
    expect(lazy).toEqual([]);
  });

  it('lets imports that point down through', async () => {
    const problems = await importProblems(
      'src/client/layer-probe.ts',
      "export { fromOpenAIBatchLine } from '../wire/openai/openai-batch-line.js';\n" +
        "export { estimateCost } from '../cost/estimate-cost.js';\n" +
        "export { ValidationError } from '../errors/validation-error.js';\n",
    );
    expect(problems).toEqual([]);
  });
});

describe('import cycles', () => {
  let directory: string | undefined;
  afterAll(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it('fails two modules of one folder that import each other (type-only imports are erased and not counted)', async () => {
    // Real files (the rule follows imports on disk), in a folder of their own with the project's config.
    directory = await mkdtemp(join(tmpdir(), 'llm-batch-cycle-'));
    await mkdir(join(directory, 'src', 'client'), { recursive: true });
    await writeFile(join(directory, 'src', 'client', 'first.ts'), "import { second } from './second.js';\nexport const first = (): number => second() + 1;\n");
    await writeFile(join(directory, 'src', 'client', 'second.ts'), "import { first } from './first.js';\nexport const second = (): number => 0;\nexport const again = (): number => first();\n");
    const configFile = pathToFileURL(join(repositoryRoot, 'eslint.config.js')).href;
    const { default: config } = (await import(configFile)) as { default: Linter.Config[] };
    const linter = new ESLint({ cwd: directory, overrideConfigFile: true, overrideConfig: config });
    const [result] = await linter.lintFiles(['src/client/first.ts']);
    expect(result!.messages.map((message) => message.ruleId)).toEqual(['import-x/no-cycle']);
  });
});
