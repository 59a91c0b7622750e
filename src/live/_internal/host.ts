/**
 * Links an XState actor system to the live component hosting it, so actions (runtime timers) and
 * tracked promise actors can reach the component's effect ledger without closures over old code.
 */
export interface EffectHost {
  startTimer(name: string, handler: string, delayMs: number, payload: unknown): void;
  cancelTimer(name: string): void;
  runPromise(src: string, args: PromiseArgs, creator: (args: PromiseArgs) => PromiseLike<unknown>): PromiseLike<unknown>;
}

/** What XState passes a `fromPromise` creator. */
export interface PromiseArgs {
  readonly input: unknown;
  readonly system: unknown;
  readonly self: { readonly id: string; getSnapshot(): { status: string } };
  readonly signal: AbortSignal;
  readonly emit: (event: unknown) => void;
}

// A symbol-keyed property on the actor system rather than a WeakMap: one is created per actor, so per
// swap, and a property costs less than a WeakMap entry on the swap's pause.
const HOST = Symbol('hotswap.host');

export function registerHost(system: object, host: EffectHost): void {
  (system as { [HOST]?: EffectHost })[HOST] = host;
}

export function unregisterHost(system: object): void {
  (system as { [HOST]?: EffectHost })[HOST] = undefined;
}

export function hostOf(system: unknown): EffectHost | undefined {
  return typeof system === 'object' && system !== null ? (system as { [HOST]?: EffectHost })[HOST] : undefined;
}
