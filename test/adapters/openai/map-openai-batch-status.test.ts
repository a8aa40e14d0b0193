import { describe, expect, it } from 'vitest';
import { mapOpenAIBatchStatus } from '../../../src/adapters/openai/map-openai-batch-status.js';

describe('mapOpenAIBatchStatus', () => {
  it.each(['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled'] as const)(
    'keeps the documented status %s',
    (status) => {
      expect(mapOpenAIBatchStatus(status)).toBe(status);
    },
  );

  it('maps an unknown status to in_progress (not terminal)', () => {
    expect(mapOpenAIBatchStatus('paused_for_maintenance')).toBe('in_progress');
    expect(mapOpenAIBatchStatus('constructor')).toBe('in_progress');
  });
});
