/**
 * The `startTimer` / `cancelTimer` actions: runtime timers that target a handler by name, never a
 * closure, so the ledger can list them and a swap can carry them into the version that defines the
 * handler (G4). Pinned by test/live/timers.test.ts and test/swap/policies.test.ts (`describe('runtime timers')`).
 */
import { HotswapError } from '../errors.ts';
import { hostOf } from '../xstate/host-registry.ts';

interface ActionArgsLike {
  readonly context: any;
  readonly event: any;
  readonly system: unknown;
}

type Computed<T> = T | ((args: { context: any; event: any }) => T);

/** Options of {@link startTimer}. */
export interface StartTimerOptions {
  /** Milliseconds until it fires, or a function of `{ context, event }`. */
  readonly delay: Computed<number>;
  /**
   * The name of the handler (in the version's `handlers`) that turns the firing into an event.
   * @defaultValue the timer's name
   */
  readonly handler?: string;
  /** Passed to the handler; plain data, so it can be persisted and carried. */
  readonly payload?: Computed<unknown>;
}

const resolve = <T>(v: Computed<T>, args: ActionArgsLike): T =>
  typeof v === 'function' ? (v as (a: ActionArgsLike) => T)(args) : v;

/**
 * An XState action that starts a **runtime timer** through the component's clock. The timer targets
 * a handler by name, never a closure, so the effect ledger can list it and a swap can carry it to the
 * new version (which must define a handler of that name). Starting a timer whose name is pending
 * replaces it.
 *
 * @example
 * const machine = setup({ actions: { arm: startTimer('complete_request', { delay: 120, payload: ({ context }) => context.id }) } })
 *   .createMachine({ … entry: 'arm' … });
 * const v1 = defineVersion({ version: 1, machine, handlers: { complete_request: (id) => ({ type: 'COMPLETE', id }) } });
 */
export function startTimer(name: string, options: StartTimerOptions): (args: ActionArgsLike) => void {
  return (args) => {
    const host = hostOf(args.system);
    if (host === undefined) {
      throw new HotswapError(
        'TIMER_OUTSIDE_RUNTIME',
        `startTimer('${name}') ran in an actor that no hotswap runtime hosts; start the machine with runtime.start()`,
      );
    }
    host.startTimer(name, options.handler ?? name, resolve(options.delay, args), resolve(options.payload, args));
  };
}

/** An XState action that cancels a pending runtime timer by name (a no-op when none is pending). */
export function cancelTimer(name: string): (args: ActionArgsLike) => void {
  return (args) => {
    hostOf(args.system)?.cancelTimer(name);
  };
}
