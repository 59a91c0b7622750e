/**
 * The host registry: which live component hosts an XState actor system. Actions (`startTimer`) and
 * tracked promise actors find their component through the system they run in — never through a
 * closure over old code — so a swap can route them to the version running now (G4). Part of the
 * XState boundary because it writes onto XState's actor system object. Pinned by
 * test/live/timers.test.ts and test/swap/swap-all.test.ts.
 */

/** What XState passes a `fromPromise` creator. */
export interface PromiseArgs {
  readonly input: unknown;
  readonly system: unknown;
  readonly self: { readonly id: string; getSnapshot(): { status: string } };
  readonly signal: AbortSignal;
  readonly emit: (event: unknown) => void;
}

/**
 * Links an XState actor system to the live component hosting it, so actions (runtime timers) and
 * tracked promise actors can reach the component's effect ledger without closures over old code.
 */
export interface EffectHost {
  startTimer(name: string, handler: string, delayMs: number, payload: unknown): void;
  cancelTimer(name: string): void;
  runPromise(src: string, args: PromiseArgs, creator: (args: PromiseArgs) => PromiseLike<unknown>): PromiseLike<unknown>;
  /** Applies the timer operations staged until the actor was attached (the commit point), once. */
  flush(): void;
  /** Forgets what was staged (the actor is retired). */
  discard(): void;
}

// A symbol-keyed property on the actor system rather than a WeakMap: one is created per actor, so per
// swap, and a property costs less than a WeakMap entry on the swap's pause. A registered symbol
// (`Symbol.for`), so an action from another copy of this module finds the host too: a plugin loaded
// through the plugin loader imports its own copy of hotswap when it imports it by path.
const HOST = Symbol.for('hotswap.host');

export function registerHost(system: object, host: EffectHost): void {
  (system as { [HOST]?: EffectHost })[HOST] = host;
}

export function unregisterHost(system: object): void {
  (system as { [HOST]?: EffectHost })[HOST] = undefined;
}

export function hostOf(system: unknown): EffectHost | undefined {
  return typeof system === 'object' && system !== null ? (system as { [HOST]?: EffectHost })[HOST] : undefined;
}
