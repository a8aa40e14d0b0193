import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '../../src/testing/run-store-conformance.js';
import type { BatchStore } from '../../src/store/batch-store.js';
import { fileStore } from '../../src/store/file-store.js';
import { memoryStore } from '../../src/store/memory-store.js';

// The shared store suite against the two built-in stores (the Redis store runs it in test/redis/).

const folders = new Map<BatchStore, string>();

await runStoreConformance(
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-batch-store-conformance-'));
    const store = fileStore({ dir });
    folders.set(store, dir);
    return store;
  },
  {
    name: 'fileStore',
    // Another process's view: a second fileStore on the same folder.
    openSecondClient: (store) => fileStore({ dir: folders.get(store)! }),
    damageManifest: async (store, jobId) => writeFile(join(folders.get(store)!, jobId, 'job.json'), '{"id": "half a manif'),
    dispose: async (store) => {
      await rm(folders.get(store)!, { recursive: true, force: true });
      folders.delete(store);
    },
  },
);

await runStoreConformance(() => memoryStore(), { name: 'memoryStore' });
