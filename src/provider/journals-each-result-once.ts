/**
 * Marks a provider whose runs hand every request exactly one terminal result through
 * `SubmitContext.recordResult` (the built-in emulated adapter). For such a provider the client
 * trusts the counts it kept while the run journaled, and skips re-reading the part's requests and
 * journal to find results that are missing. Internal: other adapters are always reconciled.
 */
export const journalsEachResultOnce: unique symbol = Symbol.for('llm-batch.journalsEachResultOnce');
