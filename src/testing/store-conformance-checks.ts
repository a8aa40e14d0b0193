import { isDeepStrictEqual } from 'node:util';
import { StoreDamageError } from '../errors/store-damage-error.js';
import type { JobManifest } from '../models/batch-job.js';
import type { BatchRequest } from '../models/batch-request.js';
import type { BatchResult } from '../models/batch-result.js';
import type { RunEvent } from '../models/run-event.js';
import type { BatchStore, LeaseHolder, StoredRequest } from '../store/batch-store.js';

/** Options of {@link runStoreConformance} and {@link checkStoreConformance}. */
export interface StoreConformanceOptions {
  /** Names the suite (`store conformance: <name>`). @default 'store' */
  readonly name?: string;
  /**
   * A second client on the same data as `store` (another process's view: a new `fileStore` on the
   * same folder, a new Redis connection on the same prefix). With it, the suite also checks that
   * two clients appending, saving and leasing at once never lose an update. Without it those
   * checks run on one client only.
   */
  readonly openSecondClient?: (store: BatchStore) => BatchStore | Promise<BatchStore>;
  /**
   * Makes the manifest of `jobId` unreadable behind the store's back (garbage in the file or key),
   * so that the suite can check that `listJobs` reports it to `onDamaged` and still lists the others
   * and that `loadJob` throws a `StoreDamageError`. Without it that check is skipped.
   */
  readonly damageManifest?: (store: BatchStore, jobId: string) => void | Promise<void>;
  /** Called after each check with the store it made (close connections, remove folders). */
  readonly dispose?: (store: BatchStore) => void | Promise<void>;
  /**
   * The lease time the expiry checks use; they wait a little longer than this.
   * @default 300
   */
  readonly shortLeaseMs?: number;
  /** Per check. @default 20_000 */
  readonly timeoutMs?: number;
}

/** One property of the store contract, checked on a fresh store. */
export interface StoreConformanceCheck {
  readonly name: string;
  /** Why it is skipped with these options, if it is. */
  readonly skip?: string | undefined;
  run(store: BatchStore): Promise<void>;
}

/** A property the store does not have: what was expected and what it did. */
export class StoreConformanceViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConformanceViolation';
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StoreConformanceViolation(message);
}

function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new StoreConformanceViolation(`${what}: expected ${describe(expected)}, got ${describe(actual)}`);
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldToTimers = () => new Promise((resolve) => setImmediate(resolve));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

let sequence = 0;
/** A job id no other check uses (stores may be shared between checks). */
function jobId(label: string): string {
  sequence++;
  return `conf_${label}_${Date.now().toString(36)}_${sequence}`;
}

function manifest(id: string, version = 0, extra: Partial<JobManifest> = {}): JobManifest {
  const at = new Date(1_700_000_000_000 + version).toISOString();
  return {
    id,
    provider: 'conformance',
    mode: 'emulated',
    status: 'in_progress',
    // Every field carries the version: a manifest made of two writes shows two versions.
    counts: { total: 1000 + version, succeeded: version, failed: 0, cancelled: 0, expired: 0, pending: 1000 },
    createdAt: at,
    updatedAt: at,
    parts: [],
    metadata: { version: String(version), padding: 'x'.repeat(2_000 + (version % 7) * 500) },
    warnings: [`version ${version}`],
    ...extra,
  };
}

function request(index: number): BatchRequest {
  return { id: `req_${index}`, model: 'm', maxTokens: 8, messages: [{ role: 'user', content: `prompt ${index} ✓` }], metadata: { n: index } };
}

function result(id: string, writer = 'a'): BatchResult {
  return { id, status: 'succeeded', text: `answer ${id} by ${writer}`, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, model: 'm' };
}

function holder(id: string): LeaseHolder {
  // Another host: a store may treat a dead process of this host as gone, and this one never ran.
  return { id, host: `conformance-host-${id}`, pid: 1_000_000 + id.length };
}

/** The checks, in the order they run. */
export function storeConformanceChecks(options: StoreConformanceOptions = {}): StoreConformanceCheck[] {
  const shortLeaseMs = options.shortLeaseMs ?? 300;
  const second = async (store: BatchStore): Promise<BatchStore> => (options.openSecondClient ? options.openSecondClient(store) : store);

  return [
    {
      name: 'saveJob then loadJob gives the manifest back; an unknown job loads as undefined',
      async run(store) {
        const id = jobId('roundtrip');
        const saved = manifest(id, 1, { endedAt: new Date(0).toISOString(), costUsd: 0.25, retryOf: 'job_before' });
        await store.saveJob(saved);
        same(await store.loadJob(id), saved, 'loadJob after saveJob');
        same(await store.loadJob(jobId('missing')), undefined, 'loadJob of a job never saved');
      },
    },
    {
      name: 'the stored manifest is a copy: changing the saved or a loaded object changes nothing stored',
      async run(store) {
        const id = jobId('copy');
        const saved = manifest(id, 2);
        await store.saveJob(saved);
        saved.warnings.push('changed by the caller after saveJob');
        saved.counts.succeeded = 999;
        const loaded = await store.loadJob(id);
        check(loaded !== undefined, 'loadJob returned undefined for a saved job');
        loaded.metadata.version = 'changed by a reader';
        same(await store.loadJob(id), manifest(id, 2), 'the manifest after the caller changed its objects');
      },
    },
    {
      name: 'saveJob replaces the manifest whole, and a reader never sees a torn one while writers save',
      async run(store) {
        const id = jobId('torn');
        const other = await second(store);
        await store.saveJob(manifest(id, 0));
        const versions = 60;
        let writing = true;
        const writers = (async () => {
          for (let version = 1; version <= versions; version++) {
            await Promise.all([store.saveJob(manifest(id, version)), other.saveJob(manifest(id, version + 1_000))]);
          }
          writing = false;
        })();
        let reads = 0;
        try {
          while (writing || reads < 5) {
            const seen = await other.loadJob(id);
            reads++;
            // Lets timers run: a store whose reads never leave the microtask queue would starve the writers.
            await yieldToTimers();
            check(seen !== undefined, `loadJob returned undefined while the manifest was being replaced (read ${reads})`);
            const version = Number(seen.metadata.version);
            same(seen, manifest(id, version), `read ${reads} during saves`);
          }
        } finally {
          await writers;
        }
        const last = await store.loadJob(id);
        check(last !== undefined && [versions, versions + 1_000].includes(Number(last.metadata.version)), `after the saves the manifest is version ${last?.metadata.version}, not one of the last two saved`);
        same(last, manifest(id, Number(last.metadata.version)), 'the manifest after the saves');
      },
    },
    {
      name: 'listJobs lists every saved job, once, and no deleted one',
      async run(store) {
        const ids = [jobId('list_a'), jobId('list_b'), jobId('list_c')];
        for (const id of ids) await store.saveJob(manifest(id, 3));
        await store.saveJob(manifest(ids[0]!, 4));
        await store.deleteJob(ids[2]!);
        const listed = (await store.listJobs()).filter((job) => ids.includes(job.id));
        same(listed.map((job) => job.id).sort(), [ids[0]!, ids[1]!].sort(), 'the ids listJobs gave');
        same(listed.find((job) => job.id === ids[0]), manifest(ids[0]!, 4), 'the listed manifest of a job saved twice');
      },
    },
    {
      name: 'a damaged manifest: loadJob throws StoreDamageError, listJobs reports it to onDamaged and lists the rest',
      skip: options.damageManifest ? undefined : 'no damageManifest option',
      async run(store) {
        const good = jobId('good');
        const bad = jobId('damaged');
        await store.saveJob(manifest(good, 5));
        await store.saveJob(manifest(bad, 5));
        await options.damageManifest!(store, bad);
        let thrown: unknown;
        await store.loadJob(bad).catch((error: unknown) => (thrown = error));
        check(StoreDamageError.isInstance(thrown), `loadJob of a damaged manifest ${thrown === undefined ? 'did not throw' : `threw ${String(thrown)}`}, not a StoreDamageError`);
        check((thrown as StoreDamageError).jobId === bad, `the StoreDamageError names job ${(thrown as StoreDamageError).jobId}, not ${bad}`);
        const damaged: StoreDamageError[] = [];
        const listed = await store.listJobs({ onDamaged: (error) => damaged.push(error) });
        check(listed.some((job) => job.id === good), 'listJobs hid a good job because another one is damaged');
        check(!listed.some((job) => job.id === bad), 'listJobs listed a damaged manifest as a job');
        check(damaged.some((error) => error.jobId === bad), `listJobs did not hand the damaged job to onDamaged (it reported ${damaged.map((error) => error.jobId).join(', ') || 'nothing'})`);
      },
    },
    {
      name: 'deleteJob removes the manifest, the requests, the results, the lease and the cancel flag',
      async run(store) {
        const id = jobId('delete');
        await store.saveJob(manifest(id, 6));
        const writer = await store.createRequestWriter(id, 0);
        await writer.write({ index: 0, request: request(0) });
        await writer.close();
        await store.appendResults(id, [result('req_0')]);
        await store.acquireLease(id, holder('deleter'), 60_000);
        await store.requestCancel(id);
        await store.deleteJob(id);
        same(await store.loadJob(id), undefined, 'loadJob after deleteJob');
        same(await collect(store.readRequests(id, 0)), [], 'readRequests after deleteJob');
        same(await collect(store.readResults(id)), [], 'readResults after deleteJob');
        same(await store.cancelRequested(id), undefined, 'cancelRequested after deleteJob');
        const lease = await store.readLease(id);
        check(lease === undefined, `the lease of a deleted job is still there: ${describe(lease)}`);
        await store.deleteJob(jobId('never_saved'));
      },
    },
    {
      name: 'requests: read back in the order written, each part on its own, a part written again replaced',
      async run(store) {
        const id = jobId('requests');
        const count = 1_200;
        const first = await store.createRequestWriter(id, 0);
        for (let index = 0; index < count; index++) await first.write({ index, request: request(index) });
        await first.close();
        const secondPart = await store.createRequestWriter(id, 1);
        await secondPart.write({ index: count, request: request(count) });
        await secondPart.close();
        const read = await collect(store.readRequests(id, 0));
        check(read.length === count, `readRequests gave ${read.length} requests of ${count} written`);
        for (let index = 0; index < count; index++) same(read[index], { index, request: request(index) }, `request ${index} of part 0`);
        same(await collect(store.readRequests(id, 1)), [{ index: count, request: request(count) }], 'part 1');
        same(await collect(store.readRequests(id, 7)), [], 'a part never written');
        const again = await store.createRequestWriter(id, 1);
        await again.write({ index: 5, request: request(5) });
        await again.close();
        same(await collect(store.readRequests(id, 1)), [{ index: 5, request: request(5) }], 'part 1 written again');
      },
    },
    {
      name: 'requests: a writer with flush makes what it wrote readable before close, rejected items included',
      async run(store) {
        const id = jobId('request_flush');
        const writer = await store.createRequestWriter(id, 0);
        // Optional: a store without it cannot take a streaming intake, which says so.
        if (writer.flush === undefined) {
          await writer.close();
          return;
        }
        await writer.write({ index: 0, request: request(0) });
        await writer.write({ index: 1, request: { id: 'bad_1', messages: [] }, rejected: 'messages: expected an array' });
        await writer.flush();
        same(await collect(store.readRequests(id, 0)), [
          { index: 0, request: request(0) },
          { index: 1, request: { id: 'bad_1', messages: [] }, rejected: 'messages: expected an array' },
        ], 'the records after flush, before close');
        await writer.write({ index: 2, request: request(2) });
        await writer.close();
        same((await collect(store.readRequests(id, 0))).map((record) => record.index), [0, 1, 2], 'the records after close');
      },
    },
    {
      name: 'requests: the stored copy is the store\'s own (changing the written or a read object changes nothing)',
      async run(store) {
        const id = jobId('request_copy');
        const written: StoredRequest = { index: 0, request: request(0) };
        const writer = await store.createRequestWriter(id, 0);
        await writer.write(written);
        await writer.close();
        written.request.messages.push({ role: 'user', content: 'changed by the caller' });
        const [read] = await collect(store.readRequests(id, 0));
        read?.request.messages.push({ role: 'user', content: 'changed by a reader' });
        same(await collect(store.readRequests(id, 0)), [{ index: 0, request: request(0) }], 'the request after the changes');
      },
    },
    {
      name: 'the journal is read back in append order, each result whole, each job its own',
      async run(store) {
        const id = jobId('journal');
        const otherJob = jobId('journal_other');
        const expected: BatchResult[] = [];
        for (let batch = 0; batch < 40; batch++) {
          const results = Array.from({ length: 1 + (batch % 5) }, (_, index) => result(`item_${batch}_${index}`));
          expected.push(...results);
          await store.appendResults(id, results);
        }
        await store.appendResults(id, []);
        await store.appendResults(otherJob, [result('other_0')]);
        same(await collect(store.readResults(id)), expected, 'the journal');
        same(await collect(store.readResults(otherJob)), [result('other_0')], 'the journal of another job');
        same(await collect(store.readResults(jobId('no_journal'))), [], 'the journal of a job with no results');
        const failed: BatchResult = { id: 'failed_0', status: 'failed', error: { category: 'server', code: 'server_error', message: 'boom', retryable: true }, attempts: 2 };
        await store.appendResults(id, [failed]);
        same((await collect(store.readResults(id))).at(-1), failed, 'a failed result read back');
      },
    },
    {
      name: 'run events (when the store keeps them) are read back in order, apart from the results journal',
      async run(store) {
        if (store.appendRunEvents === undefined && store.readRunEvents === undefined) return;
        check(store.appendRunEvents !== undefined && store.readRunEvents !== undefined, 'a store keeps run events with both appendRunEvents and readRunEvents, or neither');
        const id = jobId('events');
        await store.appendResults(id, [result('events_0')]);
        const events: RunEvent[] = [
          { type: 'rate_limited', at: 1_700_000_000_000, category: 'rate_limit', retryAfterMs: 1_000 },
          { type: 'cooldown_started', at: 1_700_000_000_001, durationMs: 1_000, cause: 'headers' },
          { type: 'concurrency', at: 1_700_000_000_002, size: 4 },
        ];
        await store.appendRunEvents(id, events.slice(0, 2));
        await store.appendRunEvents(id, []);
        await store.appendRunEvents(id, events.slice(2));
        await store.appendRunEvents(id, [{ type: 'retry', at: 1_700_000_000_003, attempt: 1, category: 'server' }]);
        await store.appendResults(id, [result('events_1')]);
        same(await collect(store.readRunEvents(id)), [...events, { type: 'retry', at: 1_700_000_000_003, attempt: 1, category: 'server' }], 'the run events');
        same(await collect(store.readResults(id)), [result('events_0'), result('events_1')], 'the results journal of a job with run events');
        same(await collect(store.readRunEvents(jobId('no_events'))), [], 'the run events of a job with none');
        await store.deleteJob(id);
        same(await collect(store.readRunEvents(id)), [], 'the run events of a deleted job');
      },
    },
    {
      name: 'the journal read from a position (when the store can) is the journal past that many results',
      async run(store) {
        if (store.readResultsFrom === undefined) return;
        const id = jobId('journal_from');
        const expected: BatchResult[] = [];
        for (let batch = 0; batch < 5; batch++) {
          const results = Array.from({ length: 700 }, (_, index) => result(`from_${batch}_${index}`));
          expected.push(...results);
          await store.appendResults(id, results);
          // Read from a position as it grows: a store that indexes its journal extends the index.
          const position = Math.floor(expected.length * 0.9);
          same((await collect(store.readResultsFrom(id, position))).map((item) => item.id), expected.slice(position).map((item) => item.id), `the journal from ${position} of ${expected.length}`);
        }
        for (const position of [0, 1, 999, 1_000, 1_001, 2_000, 3_499, 3_500, 4_000]) {
          same((await collect(store.readResultsFrom(id, position))).map((item) => item.id), expected.slice(position).map((item) => item.id), `the journal from ${position}`);
        }
        same(await collect(store.readResultsFrom(id, 2_345)), expected.slice(2_345), 'the results read from 2,345, whole');
        same(await collect(store.readResultsFrom(jobId('no_journal_from'), 10)), [], 'a job with no results, from 10');
      },
    },
    {
      name: 'the journal keeps its own copy: changing an appended or a read result changes nothing stored',
      async run(store) {
        const id = jobId('journal_copy');
        const appended = result('copy_0');
        await store.appendResults(id, [appended]);
        (appended as { text: string }).text = 'changed by the caller';
        const [read] = await collect(store.readResults(id));
        if (read !== undefined) (read as { text: string }).text = 'changed by a reader';
        same(await collect(store.readResults(id)), [result('copy_0')], 'the journal after the changes');
      },
    },
    {
      name: 'concurrent appends, from one client and from two, never lose or tear a result',
      async run(store) {
        const id = jobId('appenders');
        const other = await second(store);
        const writers = 20;
        const perWriter = 15;
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            const client = writer % 2 === 0 ? store : other;
            for (let index = 0; index < perWriter; index++) await client.appendResults(id, [result(`w${writer}_${index}`, `w${writer}`)]);
          }),
        );
        const read = await collect(other.readResults(id));
        check(read.length === writers * perWriter, `the journal holds ${read.length} results after ${writers * perWriter} appends`);
        const ids = new Set(read.map((entry) => entry.id));
        check(ids.size === read.length, 'a result appears twice in the journal');
        for (let writer = 0; writer < writers; writer++) {
          const own = read.filter((entry) => entry.id.startsWith(`w${writer}_`));
          same(own.map((entry) => entry.id), Array.from({ length: perWriter }, (_, index) => `w${writer}_${index}`), `the order of writer ${writer}'s results`);
          for (const entry of own) same(entry, result(entry.id, `w${writer}`), `result ${entry.id}`);
        }
      },
    },
    {
      name: 'a reader during appends sees a prefix of the journal, never a torn or reordered result',
      async run(store) {
        const id = jobId('journal_reader');
        const other = await second(store);
        const expected = Array.from({ length: 150 }, (_, index) => result(`r_${index}`));
        let writing = true;
        const writer = (async () => {
          for (let index = 0; index < expected.length; index += 3) await store.appendResults(id, expected.slice(index, index + 3));
          writing = false;
        })();
        try {
          let reads = 0;
          while (writing || reads < 3) {
            const seen = await collect(other.readResults(id));
            reads++;
            await yieldToTimers();
            same(seen, expected.slice(0, seen.length), `read ${reads} during appends (${seen.length} results)`);
          }
        } finally {
          await writer;
        }
        same(await collect(other.readResults(id)), expected, 'the journal after the appends');
      },
    },
    {
      name: 'lease: a free lease is granted; a second holder is refused and told who holds it',
      async run(store) {
        const id = jobId('lease');
        const other = await second(store);
        await store.saveJob(manifest(id));
        const before = Date.now();
        const first = await store.acquireLease(id, holder('alpha'), 30_000);
        check(first.acquired, 'acquireLease of a free lease was refused');
        same(first.lease.holder, holder('alpha'), 'the holder of the granted lease');
        const expires = Date.parse(first.lease.expiresAt);
        check(expires >= before + 29_000 && expires <= Date.now() + 31_000, `a 30 s lease expires at ${first.lease.expiresAt}`);
        const refused = await other.acquireLease(id, holder('beta'), 30_000);
        check(!refused.acquired, 'a second holder was granted a lease in force');
        same(refused.lease.holder, holder('alpha'), 'the holder named to the refused one');
        same((await other.readLease(id))?.holder, holder('alpha'), 'readLease');
      },
    },
    {
      name: 'lease: many holders racing for a free lease, one wins',
      async run(store) {
        const id = jobId('race');
        const other = await second(store);
        await store.saveJob(manifest(id));
        const attempts = await Promise.all(Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? store : other).acquireLease(id, holder(`racer${index}`), 30_000)));
        const winners = attempts.filter((attempt) => attempt.acquired);
        check(winners.length === 1, `${winners.length} of 12 racing holders were granted the lease`);
        for (const attempt of attempts) same(attempt.lease.holder, winners[0]!.lease.holder, 'the holder every racer was told');
        same((await store.readLease(id))?.holder, winners[0]!.lease.holder, 'readLease after the race');
      },
    },
    {
      name: 'lease: its holder renews it (also by acquiring again); no one else can',
      async run(store) {
        const id = jobId('renew');
        const other = await second(store);
        const first = await store.acquireLease(id, holder('alpha'), 5_000);
        await sleep(20);
        check(await store.renewLease(id, holder('alpha'), 60_000), 'renewLease by its holder returned false');
        const renewed = await other.readLease(id);
        check(renewed !== undefined && Date.parse(renewed.expiresAt) > Date.parse(first.lease.expiresAt) + 40_000, `a lease renewed for 60 s expires at ${renewed?.expiresAt}`);
        check(!(await other.renewLease(id, holder('beta'), 60_000)), 'renewLease by someone who does not hold it returned true');
        same((await store.readLease(id))?.holder, holder('alpha'), 'the holder after a stranger tried to renew');
        const again = await store.acquireLease(id, holder('alpha'), 90_000);
        check(again.acquired, 'acquireLease by the holder itself was refused');
        check(Date.parse(again.lease.expiresAt) > Date.now() + 80_000, `acquiring again for 90 s gave a lease expiring at ${again.lease.expiresAt}`);
        check(!(await other.renewLease(jobId('no_lease'), holder('alpha'), 1_000)), 'renewLease of a job with no lease returned true');
      },
    },
    {
      name: 'lease: released by its holder only; then free for anyone',
      async run(store) {
        const id = jobId('release');
        const other = await second(store);
        await store.acquireLease(id, holder('alpha'), 30_000);
        await other.releaseLease(id, holder('beta'));
        same((await store.readLease(id))?.holder, holder('alpha'), 'the holder after a stranger released');
        await store.releaseLease(id, holder('alpha'));
        same(await other.readLease(id), undefined, 'readLease after its holder released it');
        check(!(await store.renewLease(id, holder('alpha'), 30_000)), 'renewLease of a released lease returned true');
        check((await other.acquireLease(id, holder('beta'), 30_000)).acquired, 'a released lease was refused to another holder');
        await store.releaseLease(jobId('no_lease'), holder('alpha'));
      },
    },
    {
      name: 'lease: an expired lease is taken over, and its old holder can no longer renew or release it',
      async run(store) {
        const id = jobId('expiry');
        const other = await second(store);
        check((await store.acquireLease(id, holder('alpha'), shortLeaseMs)).acquired, 'acquireLease of a free lease was refused');
        check(!(await other.acquireLease(id, holder('beta'), 30_000)).acquired, 'a lease in force was granted to another holder');
        await sleep(shortLeaseMs + 150);
        const lapsed = await other.readLease(id);
        check(lapsed === undefined || Date.parse(lapsed.expiresAt) <= Date.now(), `readLease of a lapsed lease says it expires at ${lapsed?.expiresAt}`);
        const takeover = await other.acquireLease(id, holder('beta'), 30_000);
        check(takeover.acquired, `an expired lease was not taken over (the store said ${describe(takeover.lease)})`);
        same(takeover.lease.holder, holder('beta'), 'the holder after the takeover');
        check(!(await store.renewLease(id, holder('alpha'), 30_000)), 'the old holder renewed a lease taken over from it');
        await store.releaseLease(id, holder('alpha'));
        same((await other.readLease(id))?.holder, holder('beta'), 'the holder after the old holder released');
        check(!(await store.acquireLease(id, holder('alpha'), 30_000)).acquired, 'the old holder took the lease back while the new one holds it');
      },
    },
    {
      name: 'lease: renewing keeps a lease past its first expiry',
      async run(store) {
        const id = jobId('kept');
        const other = await second(store);
        await store.acquireLease(id, holder('alpha'), shortLeaseMs);
        for (let index = 0; index < 4; index++) {
          await sleep(shortLeaseMs / 3);
          check(await store.renewLease(id, holder('alpha'), shortLeaseMs), `renewal ${index + 1} of a lease in force returned false`);
        }
        check(!(await other.acquireLease(id, holder('beta'), 30_000)).acquired, 'a renewed lease was taken over after its first expiry time');
      },
    },
    {
      name: 'cancel: the flag is per job, seen from any client, and keeps its first time',
      async run(store) {
        const id = jobId('cancel');
        const other = await second(store);
        await store.saveJob(manifest(id));
        same(await store.cancelRequested(id), undefined, 'cancelRequested before any request');
        await other.requestCancel(id);
        const first = await store.cancelRequested(id);
        check(typeof first === 'string' && Number.isFinite(Date.parse(first)), `cancelRequested after requestCancel gave ${describe(first)}, not an ISO time`);
        check(Math.abs(Date.parse(first) - Date.now()) < 60_000, `the cancel time ${first} is not now`);
        await sleep(15);
        await store.requestCancel(id);
        same(await other.cancelRequested(id), first, 'cancelRequested after a second request');
        same(await store.cancelRequested(jobId('not_cancelled')), undefined, 'cancelRequested of another job');
        same(await store.loadJob(id), manifest(id), 'the manifest after requestCancel');
      },
    },
  ];
}
