/**
 * Wraps an AbortSignal so that a test can see how many abort listeners are still attached: a
 * long-lived signal must not collect one listener per wait or per attempt.
 */
export function countingSignal(signal: AbortSignal = new AbortController().signal): {
  signal: AbortSignal;
  activeListeners: () => number;
} {
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  const counted = Object.assign(signal, {
    addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: AddEventListenerOptions | boolean) {
      if (type === 'abort') {
        listeners.add(listener);
        // `once` listeners drop themselves when fired.
        if (typeof options === 'object' && options.once === true) {
          add('abort', () => listeners.delete(listener), { once: true });
        }
      }
      add(type, listener, options);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: EventListenerOptions | boolean) {
      if (type === 'abort') listeners.delete(listener);
      remove(type, listener, options);
    },
  });
  return { signal: counted, activeListeners: () => listeners.size };
}
