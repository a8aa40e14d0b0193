import { afterEach } from 'vitest';
import { createMockProviderServer, type MockProviderServer, type MockProviderServerOptions } from '../../src/testing/mock-server/index.js';

/** The emulators of a test file, one or more per test, each closed after its test. */
export interface EmulatorPerTest {
  /** Starts an emulator for the running test (closed after it). */
  start(options?: MockProviderServerOptions): Promise<MockProviderServer>;
  /** The last one started in the running test, if any. */
  current(): MockProviderServer | undefined;
}

/**
 * Registers the `afterEach` that closes what {@link EmulatorPerTest.start} started: call it once at
 * the top level of a test file, instead of a `let server` and an `afterEach` of its own.
 *
 * @example
 * const emulators = emulatorPerTest();
 * it('...', async () => {
 *   const server = await emulators.start({ batch: { clock: 'manual' } });
 * });
 */
export function emulatorPerTest(): EmulatorPerTest {
  const started: MockProviderServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0).reverse()) await server.close();
  });
  return {
    async start(options = {}) {
      const server = await createMockProviderServer(options);
      started.push(server);
      return server;
    },
    current: () => started.at(-1),
  };
}
