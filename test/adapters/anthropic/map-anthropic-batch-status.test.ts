import { describe, expect, it } from 'vitest';
import { mapAnthropicBatchStatus, type AnthropicMessageBatch } from '../../../src/adapters/anthropic/map-anthropic-batch-status.js';

const batch = (overrides: Partial<AnthropicMessageBatch> = {}): AnthropicMessageBatch => ({
  id: 'msgbatch_1',
  processing_status: 'in_progress',
  request_counts: { processing: 4, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
  created_at: '2026-01-01T00:00:00Z',
  expires_at: '2026-01-02T00:00:00Z',
  ended_at: null,
  cancel_initiated_at: null,
  results_url: null,
  ...overrides,
});

describe('mapAnthropicBatchStatus', () => {
  it('reports a running batch as in_progress with everything pending', () => {
    expect(mapAnthropicBatchStatus(batch())).toMatchObject({
      status: 'in_progress',
      rawStatus: 'in_progress',
      counts: { succeeded: 0, failed: 0, cancelled: 0, expired: 0, pending: 4 },
      reference: { id: 'msgbatch_1', expiresAt: '2026-01-02T00:00:00Z' },
    });
  });

  it('reports canceling as cancelling', () => {
    expect(mapAnthropicBatchStatus(batch({ processing_status: 'canceling', cancel_initiated_at: '2026-01-01T00:01:00Z' })).status).toBe('cancelling');
  });

  it('reports an ended batch as completed, with errored requests counted as failed', () => {
    const result = mapAnthropicBatchStatus(
      batch({
        processing_status: 'ended',
        ended_at: '2026-01-01T00:30:00Z',
        results_url: 'https://api.example/v1/messages/batches/msgbatch_1/results',
        request_counts: { processing: 0, succeeded: 3, errored: 1, canceled: 0, expired: 0 },
      }),
    );
    expect(result).toMatchObject({
      status: 'completed',
      counts: { succeeded: 3, failed: 1, pending: 0 },
      reference: { endedAt: '2026-01-01T00:30:00Z', resultsUrl: 'https://api.example/v1/messages/batches/msgbatch_1/results' },
    });
  });

  it('reports an ended batch after a cancel as cancelled', () => {
    const ended = batch({
      processing_status: 'ended',
      cancel_initiated_at: '2026-01-01T00:01:00Z',
      request_counts: { processing: 0, succeeded: 1, errored: 0, canceled: 3, expired: 0 },
    });
    expect(mapAnthropicBatchStatus(ended).status).toBe('cancelled');
  });

  it('reports an ended batch with expired requests as expired', () => {
    const ended = batch({ processing_status: 'ended', request_counts: { processing: 0, succeeded: 2, errored: 0, canceled: 0, expired: 2 } });
    expect(mapAnthropicBatchStatus(ended).status).toBe('expired');
  });

  it('keeps an unknown processing status as in_progress with the raw value', () => {
    const result = mapAnthropicBatchStatus(batch({ processing_status: 'archiving' as AnthropicMessageBatch['processing_status'] }));
    expect(result).toMatchObject({ status: 'in_progress', rawStatus: 'archiving' });
  });
});
