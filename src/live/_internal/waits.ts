/**
 * The waits of a live component, each with a deadline on the component's clock and an abort signal,
 * each cancelling its timer and listeners when it ends (cancel the loser of every race). Used by the
 * swap's quiesce step and its preconditions. Pinned by test/swap/policies.test.ts and
 * test/swap/abort.test.ts.
 */
import type { AnyActorRef, Subscription } from 'xstate';
import type { Clock } from '../../clock/clock.ts';

/**
 * Resolves on the next change (one of `waiters` called: a snapshot, settlement or release; or one of
 * `watch` finishing), at `deadlineAt`, or on abort.
 */
export function waitForChange(
  clock: Clock,
  waiters: Set<() => void>,
  deadlineAt: number,
  signal: AbortSignal | undefined,
  watch: readonly AnyActorRef[],
): Promise<'changed' | 'deadline' | 'aborted'> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('aborted');
    // a deadline already reached needs no timer (a ManualClock would fire it only on `advance`)
    if (deadlineAt - clock.now() <= 0) return resolve('deadline');
    const watched: Subscription[] = [];
    const finish = (why: 'changed' | 'deadline' | 'aborted'): void => {
      waiters.delete(onChange);
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const s of watched) s.unsubscribe();
      resolve(why);
    };
    const onChange = (): void => finish('changed');
    const onAbort = (): void => finish('aborted');
    const timer = clock.setTimeout(() => finish('deadline'), Math.max(0, deadlineAt - clock.now()));
    waiters.add(onChange);
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const actor of watch) watched.push(actor.subscribe({ complete: onChange, error: onChange }));
  });
}

/** A cancellable wait until `deadlineAt` on `clock`, or an abort. */
export function waitUntil(clock: Clock, deadlineAt: number, signal: AbortSignal | undefined): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    if (deadlineAt - clock.now() <= 0) return resolve();
    const timer = clock.setTimeout(resolve, deadlineAt - clock.now());
    const onAbort = (): void => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
    cancel = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
  });
  return { promise, cancel };
}
