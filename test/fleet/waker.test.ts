/**
 * Agents and controllers sleep until the store notifies them or a poll passes. A notification that
 * arrives while they are busy — after a read found nothing, before the sleep — must not be lost:
 * under load the fleet's relisten test waited out a whole one-minute poll because of exactly that.
 */
import { describe, expect, it } from 'vitest';
import { createWaker } from '../../src/fleet/_internal/waker.ts';

function fakeStore() {
  const listeners = new Set<() => void>();
  return {
    subscribe(l: () => void) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    notify: () => listeners.forEach((l) => l()),
    get listening() {
      return listeners.size;
    },
  };
}

describe('waker', () => {
  it('remembers a notification that came while nobody slept: the next sleep returns at once', async () => {
    const store = fakeStore();
    const waker = createWaker(store);
    store.notify(); // busy: between a claim that found nothing and the sleep
    const t0 = performance.now();
    await waker.sleep(60_000);
    expect(performance.now() - t0).toBeLessThan(30_000);
    waker.close();
  });

  it('wakes a sleep in progress on a notification, and sleeps its time out without one', async () => {
    const store = fakeStore();
    const waker = createWaker(store);
    const woken = waker.sleep(60_000);
    store.notify();
    await woken;
    let done = false;
    const timed = waker.sleep(20).then(() => (done = true)); // the earlier notification was used up
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    await timed;
    waker.close();
    expect(store.listening).toBe(0);
  });

  it('ends a sleep on interrupt and on an aborted signal', async () => {
    const waker = createWaker(fakeStore());
    const s = waker.sleep(60_000);
    waker.interrupt();
    await s;
    const ac = new AbortController();
    const t = waker.sleep(60_000, ac.signal);
    ac.abort();
    await t;
    await waker.sleep(60_000, ac.signal); // already aborted: returns at once
    waker.close();
  });
});
