import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'tsup';

const repositoryRoot = resolve(import.meta.dirname, '../..');

/** Builds the viewer page as the package build does (tsup.config.ts), into a temporary folder. */
export async function buildViewerPage(): Promise<{ assetDir: string; dispose: () => Promise<void> }> {
  const base = join(repositoryRoot, 'node_modules', '.cache', 'llm-batch-viewer-test');
  await mkdir(base, { recursive: true });
  const outDir = await mkdtemp(join(base, 'page-'));
  await build({
    entry: { page: join(repositoryRoot, 'src/cli/viewer/page/main.ts') },
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    outDir,
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    clean: false,
    outExtension: () => ({ js: '.js' }),
    tsconfig: join(repositoryRoot, 'src/cli/viewer/page/tsconfig.json'),
  });
  return { assetDir: outDir, dispose: () => rm(outDir, { recursive: true, force: true }) };
}
