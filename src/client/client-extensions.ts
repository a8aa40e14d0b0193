import { costExtension } from '../cost/cost-extension.js';
import { structuredOutputExtension } from '../structured-output/structured-output-extension.js';
import type { ClientExtension } from '../extension/client-extension.js';

/**
 * The extensions every client runs, in order. Structured output comes first so that results failed
 * by validation are priced like any other billed result.
 */
export const clientExtensions: readonly ClientExtension[] = [structuredOutputExtension, costExtension];
