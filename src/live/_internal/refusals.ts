/**
 * The typed errors a live component throws when it refuses something — an event after it stopped or
 * with its mailbox full (G6), a borrow it cannot lend, a timer handler that returned no event — in
 * one place, each with its stable code and details. Pinned by test/live/mailbox.test.ts,
 * test/live/stop.test.ts, test/live/borrow.test.ts and test/live/timers.test.ts.
 */
import { HotswapError, shown } from '../../errors.ts';

/** An event sent to a component that stopped, or whose actor finished or failed (`status`). */
export function componentStopped(component: string, status: string, event: string): HotswapError {
  const why = status === 'active' || status === 'stopped' ? 'is stopped' : `has ${status === 'done' ? 'reached a final state' : 'failed'}`;
  return new HotswapError('COMPONENT_STOPPED', `Component '${component}' ${why}; event '${event}' was not accepted`, { details: { component, status, event } });
}

/** An event sent during a swap with the mailbox full (G6: refused, never dropped). */
export function mailboxFull(component: string, capacity: number, event: string): HotswapError {
  return new HotswapError('MAILBOX_FULL', `Mailbox of '${component}' is full (capacity ${capacity}) while a swap is in progress; event '${event}' was not accepted`, {
    details: { component, capacity, event },
  });
}

/** A borrow of a handle the running version does not declare, or of a non-transferable one mid-swap. */
export function borrowRefused(component: string, handle: string, why: { readonly version: number; readonly name: string } | { readonly swapId: string }): HotswapError {
  if ('swapId' in why) {
    return new HotswapError('BORROW_REFUSED', `'${component}' is swapping; handle '${handle}' cannot be borrowed until it ends`, { details: { handle, swapId: why.swapId } });
  }
  return new HotswapError('BORROW_REFUSED', `v${why.version} of '${why.name}' declares no handle '${handle}'`, { details: { handle, version: why.version } });
}

/** A runtime-timer handler that returned something other than an event. */
export function badTimerEvent(component: string, timer: { readonly name: string; readonly handler: string }, version: number, got: unknown): HotswapError {
  return new HotswapError('INVALID_ARGUMENT', `Expected handler '${timer.handler}' of v${version} to return an event \`{ type }\`, got ${shown(got)}`, {
    details: { component, timer: timer.name, handler: timer.handler, version },
  });
}
