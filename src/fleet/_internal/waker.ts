/**
 * Sleeping until the store says work may be waiting, or a poll interval passes — without losing a
 * wake-up. A notification that arrives while its subscriber is busy (between a read that found
 * nothing and the sleep after it) is remembered, so the next sleep returns at once instead of
 * waiting out a whole poll. Agents and controllers both sleep this way.
 */
import type { FleetStore } from '../types.ts';

export interface Waker {
  /** Resolves after `ms`, on a notification (also one that came since the last sleep), or when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Ends a sleep in progress now (for a stop). */
  interrupt(): void;
  /** Stops listening to the store. */
  close(): void;
}

export function createWaker(store: Pick<FleetStore, 'subscribe'>): Waker {
  let signalled = false;
  let wake: (() => void) | undefined;
  const unsubscribe = store.subscribe(() => {
    signalled = true;
    wake?.();
  });
  return {
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signalled || signal?.aborted === true) {
          signalled = false;
          return resolve();
        }
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          wake = undefined;
          signalled = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    interrupt: () => wake?.(),
    close: unsubscribe,
  };
}
