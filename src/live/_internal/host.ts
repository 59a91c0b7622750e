/**
 * The effect host (registered in src/xstate/host-registry.ts): links an XState actor system to the live component hosting it, so `startTimer`
 * actions and tracked promises reach the component without closing over old code. Until its actor is
 * attached (the commit point) timer operations are staged, so a refused swap leaves the old timers as
 * they were (G2). Pinned by test/swap/swap-all.test.ts and test/live/timers.test.ts.
 */
import type { AnyActorRef } from 'xstate';
import type { EffectHost, PromiseArgs } from '../../xstate/host-registry.ts';
import type { EffectLedger } from '../../ledger/effect-ledger.ts';

/** What a host needs of its component: the actor events go to now, and its effect ledger. */
export interface HostedBy {
  readonly actor: AnyActorRef;
  readonly effects: EffectLedger;
}

/**
 * The effect host an actor's actions and promise actors reach. Until the actor is attached (the
 * commit point) its runtime-timer operations are staged, not applied: a refused swap must leave the
 * old version's timers as they were (G2). Promises are labelled with the version that runs them.
 */
export class ActorHost implements EffectHost {
  readonly #core: HostedBy;
  readonly #actor: AnyActorRef;
  readonly #version: number;
  #staged: (() => void)[] | undefined;

  constructor(core: HostedBy, actor: AnyActorRef, version: number) {
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
    if (this.#core.actor === this.#actor) this.#core.effects.startTimer(name, handler, delayMs, payload);
    else (this.#staged ??= []).push(() => this.#core.effects.startTimer(name, handler, delayMs, payload));
  }

  cancelTimer(name: string): void {
    if (this.#core.actor === this.#actor) this.#core.effects.cancelTimer(name);
    else (this.#staged ??= []).push(() => this.#core.effects.cancelTimer(name));
  }

  runPromise(src: string, args: PromiseArgs, creator: (args: PromiseArgs) => PromiseLike<unknown>): PromiseLike<unknown> {
    return this.#core.effects.trackPromise(src, args, creator, this.#version);
  }
}
