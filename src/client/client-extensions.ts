import type { ClientExtension } from './client-extension.js';

/** The extensions every client runs, in order. */
export const clientExtensions: readonly ClientExtension[] = [];
