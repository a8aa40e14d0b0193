import { describe, expect, it } from 'vitest';
import { StoreDamageError } from '../../src/errors/store-damage-error.js';
import type { JobManifest } from '../../src/models/batch-job.js';
import type { BatchResult } from '../../src/models/batch-result.js';
import type { BatchStore, JobLease } from '../../src/store/batch-store.js';
import { memoryStore } from '../../src/store/memory-store.js';
import { checkStoreConformance } from '../../src/testing/run-store-conformance.js';
import { storeConformanceChecks, type StoreConformanceOptions } from '../../src/testing/store-conformance-checks.js';

// Each store below is memoryStore with one bug planted; the suite must fail the named check.

const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

interface PlantedBug {
  readonly bug: string;
  /** Part of the name of the check that must fail. */
  readonly check: string;
  readonly plant: (store: BatchStore) => BatchStore;
}

/** A memory store that can hold a damaged manifest, as a store over files or keys can. */
function withDamage(store: BatchStore): BatchStore & { damaged: Set<string> } {
  const damaged = new Set<string>();
  return {
    ...store,
    damaged,
    async loadJob(jobId) {
      if (damaged.has(jobId)) throw new StoreDamageError(jobId, `memory:${jobId}`, 'planted damage');
      return store.loadJob(jobId);
    },
    async listJobs(options = {}) {
      const jobs = await store.listJobs();
      for (const id of damaged) options.onDamaged?.(new StoreDamageError(id, `memory:${id}`, 'planted damage'));
      return jobs.filter((job) => !damaged.has(job.id));
    },
  };
}

const bugs: PlantedBug[] = [
  {
    bug: 'saveJob keeps the caller\'s object',
    check: 'the stored manifest is a copy',
    plant: (store) => {
      const kept = new Map<string, JobManifest>();
      return { ...store, saveJob: async (job) => void kept.set(job.id, job), loadJob: async (id) => kept.get(id), listJobs: async () => [...kept.values()] };
    },
  },
  {
    bug: 'saveJob writes the manifest in two steps (a torn manifest is visible)',
    check: 'never sees a torn one',
    plant: (store) => ({
      ...store,
      async saveJob(job) {
        const previous = await store.loadJob(job.id);
        await store.saveJob({ ...(previous ?? job), metadata: job.metadata });
        await pause();
        await store.saveJob(job);
      },
    }),
  },
  {
    bug: 'listJobs hides damaged manifests without a word',
    check: 'a damaged manifest',
    plant: (store) => {
      const damaged = withDamage(store);
      return { ...damaged, listJobs: async () => (await store.listJobs()).filter((job) => !damaged.damaged.has(job.id)) };
    },
  },
  {
    bug: 'deleteJob leaves the journal behind',
    check: 'deleteJob removes',
    plant: (store) => {
      const journals = new Map<string, BatchResult[]>();
      return {
        ...store,
        appendResults: async (id, results) => void journals.set(id, [...(journals.get(id) ?? []), ...structuredClone(results)]),
        readResults: async function* (id) {
          yield* structuredClone(journals.get(id) ?? []);
        },
      };
    },
  },
  {
    bug: 'readRequests gives the requests in reverse',
    check: 'requests: read back in the order written',
    plant: (store) => ({
      ...store,
      readRequests: async function* (id, part) {
        const all = [];
        for await (const record of store.readRequests(id, part)) all.push(record);
        yield* all.reverse();
      },
    }),
  },
  {
    bug: 'readResults gives the journal newest first',
    check: 'the journal is read back in append order',
    plant: (store) => ({
      ...store,
      readResults: async function* (id) {
        const all = [];
        for await (const result of store.readResults(id)) all.push(result);
        yield* all.reverse();
      },
    }),
  },
  {
    bug: 'appendResults is a read-modify-write that loses concurrent appends',
    check: 'concurrent appends',
    plant: (store) => {
      const journals = new Map<string, string>();
      return {
        ...store,
        async appendResults(id, results) {
          const before = journals.get(id) ?? '[]';
          await pause();
          journals.set(id, JSON.stringify([...(JSON.parse(before) as BatchResult[]), ...results]));
        },
        readResults: async function* (id) {
          yield* JSON.parse(journals.get(id) ?? '[]') as BatchResult[];
        },
        deleteJob: async (id) => void journals.delete(id),
      };
    },
  },
  {
    bug: 'acquireLease grants a lease in force to a second holder',
    check: 'a second holder is refused',
    plant: (store) => ({
      ...store,
      async acquireLease(id, holder, ttlMs) {
        await store.releaseLease(id, (await store.readLease(id))?.holder ?? holder);
        return store.acquireLease(id, holder, ttlMs);
      },
    }),
  },
  {
    bug: 'acquireLease checks then sets with a pause between (two racers both win)',
    check: 'many holders racing',
    plant: (store) => {
      const leases = new Map<string, JobLease>();
      return {
        ...store,
        async acquireLease(id, holder, ttlMs) {
          const current = leases.get(id);
          if (current && current.holder.id !== holder.id && Date.parse(current.expiresAt) > Date.now()) return { acquired: false, lease: current };
          await pause();
          const lease = { holder, acquiredAt: new Date().toISOString(), expiresAt: new Date(Date.now() + ttlMs).toISOString() };
          leases.set(id, lease);
          return { acquired: true, lease };
        },
        readLease: async (id) => leases.get(id),
      };
    },
  },
  {
    bug: 'renewLease says yes to anyone',
    check: 'no one else can',
    plant: (store) => ({ ...store, renewLease: async (id, holder, ttlMs) => (await store.renewLease(id, holder, ttlMs)) || true }),
  },
  {
    bug: 'releaseLease releases whoever holds it',
    check: 'released by its holder only',
    plant: (store) => ({
      ...store,
      async releaseLease(id) {
        const lease = await store.readLease(id);
        if (lease) await store.releaseLease(id, lease.holder);
      },
    }),
  },
  {
    bug: 'a lease never expires',
    check: 'an expired lease is taken over',
    plant: (store) => ({ ...store, acquireLease: (id, holder) => store.acquireLease(id, holder, 3_600_000) }),
  },
  {
    bug: 'renewLease does not extend the lease',
    check: 'renewing keeps a lease',
    plant: (store) => ({ ...store, renewLease: async (id, holder) => (await store.readLease(id))?.holder.id === holder.id }),
  },
  {
    bug: 'requestCancel overwrites the first request\'s time',
    check: 'cancel: the flag',
    plant: (store) => {
      const times = new Map<string, string>();
      return {
        ...store,
        requestCancel: async (id) => void times.set(id, new Date().toISOString()),
        cancelRequested: async (id) => times.get(id),
      };
    },
  },
];

describe('the store conformance suite catches planted bugs', () => {
  const options: StoreConformanceOptions = { damageManifest: (store, id) => void (store as ReturnType<typeof withDamage>).damaged.add(id), shortLeaseMs: 150 };

  it('passes memoryStore as it is (the baseline of the bugs below)', async () => {
    const report = await checkStoreConformance(() => withDamage(memoryStore()), options);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
  });

  for (const planted of bugs) {
    it(`fails a store where ${planted.bug}`, async () => {
      // Only the check that must catch it runs here (the baseline above runs them all).
      const checks = storeConformanceChecks(options).filter((check) => check.name.includes(planted.check));
      expect(checks).toHaveLength(1);
      const failure = await checks[0]!.run(planted.plant(withDamage(memoryStore()))).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure, `the check "${checks[0]!.name}" passed`).toBeInstanceOf(Error);
      expect((failure as Error).name).toBe('StoreConformanceViolation');
    });
  }
});
