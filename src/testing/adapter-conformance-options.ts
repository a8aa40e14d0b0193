import type { BatchProvider } from '../provider/batch-provider.js';
import type { BatchStore } from '../store/batch-store.js';
import { memoryStore } from '../store/memory-store.js';

/** What an adapter under test can do; a check is skipped where a capability is absent. */
export interface AdapterCapabilities {
  /** Cancelling a running job. @default true */
  readonly cancel?: boolean;
  /** Reporting some items failed while others succeed. @default true */
  readonly partialFailure?: boolean;
  /** Resuming a job from a new client instance with a new adapter instance. @default true */
  readonly resume?: boolean;
}

/** Options of `runAdapterConformance` and `checkAdapterConformance`. */
export interface AdapterConformanceOptions {
  /** Shown in the suite's name. */
  readonly name: string;
  /**
   * Makes an adapter. Called once per check and again for the resume check's second client; every
   * instance must reach the same provider state (same server, same backend).
   */
  readonly createAdapter: () => BatchProvider | Promise<BatchProvider>;
  readonly capabilities?: AdapterCapabilities;
  /** The model of the test requests. @default 'test-model' */
  readonly model?: string;
  /**
   * Text that makes the backend fail a request (the backend must be set up to do so), for the
   * partial-failure checks. @default '[fail]'
   */
  readonly failMarker?: string;
  /** A fresh store per check. @default memoryStore() */
  readonly createStore?: () => BatchStore;
  /** Poll interval of the client and of the checks that call the adapter directly. @default 10 */
  readonly pollIntervalMs?: number;
  /** Per check; a batch that is not terminal by then fails the check. @default 60_000 */
  readonly timeoutMs?: number;
  /** Called before each check (reset the emulator, advance clocks ...). */
  readonly beforeEach?: () => void | Promise<void>;
}

/** The options with their defaults applied, as the checks read them. */
export interface ConformanceSettings {
  readonly name: string;
  readonly createAdapter: () => Promise<BatchProvider>;
  readonly capabilities: Required<AdapterCapabilities>;
  readonly model: string;
  readonly failMarker: string;
  readonly createStore: () => BatchStore;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  /** How long a check polls or waits before it gives up, inside `timeoutMs` so that its own message is the one shown. */
  readonly deadlineMs: number;
}

/** One check of the suite: `run` throws an Error whose message says what the adapter did wrong. */
export interface ConformanceCheck {
  readonly name: string;
  /** The capability the check needs; it is skipped when the adapter declares it absent. */
  readonly needs?: keyof AdapterCapabilities;
  run(): Promise<void>;
}

export function resolveConformanceSettings(options: AdapterConformanceOptions): ConformanceSettings {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    name: options.name,
    createAdapter: async () => options.createAdapter(),
    capabilities: { cancel: true, partialFailure: true, resume: true, ...options.capabilities },
    model: options.model ?? 'test-model',
    failMarker: options.failMarker ?? '[fail]',
    createStore: options.createStore ?? (() => memoryStore()),
    pollIntervalMs: options.pollIntervalMs ?? 10,
    timeoutMs,
    deadlineMs: Math.floor(timeoutMs * 0.9),
  };
}
