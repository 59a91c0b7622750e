/**
 * The effect host: links an XState actor system to the live component hosting it, so `startTimer`
 * actions and tracked promises reach the component without closing over old code. Until its actor is
 * attached (the commit point) timer operations are staged, so a refused swap leaves the old timers as
 * they were (G2). Pinned by test/swap/swap-all.test.ts and test/live/timers.test.ts.
 */
import type { AnyActorRef } from 'xstate';
import type { ComponentCore } from './core.ts';

/**
 * Links an XState actor system to the live component hosting it, so actions (runtime timers) and
 * tracked promise actors can reach the component's effect ledger without closures over old code.
 */
export interface EffectHost {
  startTimer(name: string, handler: string, delayMs: number, payload: unknown): void;
  cancelTimer(name: string): void;
  runPromise(src: string, args: PromiseArgs, creator: (args: PromiseArgs) => PromiseLike<unknown>): PromiseLike<unknown>;
}

/**
 * The effect host an actor's actions and promise actors reach. Until the actor is attached (the
 * commit point) its runtime-timer operations are staged, not applied: a refused swap must leave the
 * old version's timers as they were (G2). Promises are labelled with the version that runs them.
 */
export class ActorHost implements EffectHost {
  readonly #core: ComponentCore;
  readonly #actor: AnyActorRef;
  readonly #version: number;
  #staged: (() => void)[] | undefined;

  constructor(core: ComponentCore, actor: AnyActorRef, version: number) {
    this.#core = core;
    this.#actor = actor;
    this.#version = version;
  }

  /** Applies what was staged (the actor is attached now), once. */
  flush(): void {
    const staged = this.#staged;
    this.#staged = undefined;
    for (const op of staged ?? []) op();
  }

  /** Forgets what was staged (the actor is retired). */
  discard(): void {
    this.#staged = undefined;
  }

  startTimer(name: string, handler: string, delayMs: number, payload: unknown): void {
    if (this.#core.actor === this.#actor) this.#core.startTimer(name, handler, delayMs, payload);
    else (this.#staged ??= []).push(() => this.#core.startTimer(name, handler, delayMs, payload));
  }

  cancelTimer(name: string): void {
    if (this.#core.actor === this.#actor) this.#core.cancelTimer(name);
    else (this.#staged ??= []).push(() => this.#core.cancelTimer(name));
  }

  runPromise(src: string, args: PromiseArgs, creator: (args: PromiseArgs) => PromiseLike<unknown>): PromiseLike<unknown> {
    return this.#core.runPromise(src, args, creator, this.#version);
  }
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
// swap, and a property costs less than a WeakMap entry on the swap's pause. A registered symbol
// (`Symbol.for`), so an action from another copy of this module finds the host too: a plugin loaded
// through the plugin loader imports its own copy of hotswap when it imports it by path.
const HOST = Symbol.for('hotswap.host');

export function registerHost(system: object, host: ActorHost): void {
  (system as { [HOST]?: ActorHost })[HOST] = host;
}

export function unregisterHost(system: object): void {
  (system as { [HOST]?: ActorHost })[HOST] = undefined;
}

export function hostOf(system: unknown): ActorHost | undefined {
  return typeof system === 'object' && system !== null ? (system as { [HOST]?: ActorHost })[HOST] : undefined;
}
