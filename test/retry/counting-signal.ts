type AddListener = AbortSignal['addEventListener'];
type RemoveListener = AbortSignal['removeEventListener'];

/**
 * Wraps an AbortSignal so that a test can see how many abort listeners are still attached: a
 * long-lived signal must not collect one listener per wait or per attempt.
 */
export function countingSignal(signal: AbortSignal = new AbortController().signal): {
  signal: AbortSignal;
  activeListeners: () => number;
} {
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal) as (...parameters: unknown[]) => void;
  const remove = signal.removeEventListener.bind(signal) as (...parameters: unknown[]) => void;
  const addEventListener = (type: string, listener: unknown, options?: unknown): void => {
    if (type === 'abort') {
      listeners.add(listener);
      // `once` listeners drop themselves when fired.
      if (typeof options === 'object' && options !== null && (options as { once?: boolean }).once === true) {
        add('abort', () => listeners.delete(listener), { once: true });
      }
    }
    add(type, listener, options);
  };
  const removeEventListener = (type: string, listener: unknown, options?: unknown): void => {
    if (type === 'abort') listeners.delete(listener);
    remove(type, listener, options);
  };
  const counted = Object.assign(signal, {
    addEventListener: addEventListener as AddListener,
    removeEventListener: removeEventListener as RemoveListener,
  });
  return { signal: counted, activeListeners: () => listeners.size };
}
