import { describe, expect, it } from 'vitest';
import { emulated, type EmulatedEvent } from '../../../src/adapters/emulated/index.js';
import type { CallStrategy } from '../../../src/provider/call-strategy.js';
import { makeRequests, runToEnd } from './helpers.js';

describe('the events observers hear', () => {
  it('are the event with its time and run id after its own keys, a new object each', async () => {
    const events: EmulatedEvent[] = [];
    const call: CallStrategy = {
      name: 'in-process',
      call: async () => ({ text: 'ok', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, model: 'm' }),
    };
    const before = Date.now();
    await runToEnd(emulated({ call, concurrency: 2, observers: [(event) => void events.push(event)] }), makeRequests(3));
    const runIds = new Set(events.map((event) => event.runId));
    expect(runIds.size).toBe(1);
    expect([...runIds][0]).toMatch(/^emu_/);
    expect(events.map((event) => event.type).filter((type) => type === 'item.completed')).toHaveLength(3);
    expect(new Set(events).size).toBe(events.length);
    for (const event of events) {
      expect(event.timestamp).toBeGreaterThanOrEqual(before);
      expect(event.timestamp).toBeLessThanOrEqual(Date.now());
      const keys = Object.keys(event);
      expect(keys[0]).toBe('type');
      expect(keys.slice(-2)).toEqual(['timestamp', 'runId']);
    }
    const completed = events.find((event) => event.type === 'item.completed');
    expect(completed).toMatchObject({ type: 'item.completed', status: 'succeeded', attempts: 1 });
  });
});
