/**
 * What one swap attempt records as it goes, and the swap lock it holds: the base of `SwapTransaction`
 * (src/swap/transaction.ts), which drives the steps. Split from it along that seam: the steps decide,
 * this keeps the makings of the report (blockers, errors, effects, timings, the time of the attempt).
 * Kept small because a `swapAll` keeps every part's attempt alive until the whole call is over: each
 * list is made on its first entry (most parts fill none, or one effect list of seven) and the attempt
 * is the component's swap lock itself. Pinned by test/swap/report.test.ts and test/swap/swap-all.test.ts
 * (a stop during a `swapAll` waits for its lock).
 */
import { randomUUID } from 'node:crypto';
import type { Blocker, LinkRef } from '../../blockers/blocker.ts';
import type { ComponentCore, SwapLock } from '../../live/_internal/core.ts';
import type { EffectOutcomes, SwapPhase } from '../report.ts';
import { type EffectKind, effectOutcomes, type EffectSink, NONE, type SomeEffects } from './parts.ts';

/**
 * A fresh swap id, flat: `randomUUID()` returns a rope of some 14 concatenated pieces (~450 bytes);
 * reading a character makes V8 flatten it in place (~90 bytes), before 10,000 of them stay alive for
 * a whole `swapAll`.
 */
function swapId(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}

export abstract class SwapRecord implements SwapLock, EffectSink {
  readonly id = swapId();
  readonly core: ComponentCore;
  readonly targetNumber: number;
  readonly from: number;
  readonly timings: Partial<Record<SwapPhase, number>> = {};
  /** The phase that refused. */
  phase: SwapPhase | undefined;
  path: readonly LinkRef[] = NONE;
  #blockers: Blocker[] | undefined;
  /** Errors that did not stop the swap but belong in its report (after commit, journal). */
  #errors: string[] | undefined;
  #effects: SomeEffects | undefined;
  /** Wall-clock time of the attempt (ms since the epoch), formatted for the report. */
  readonly #at = Date.now();
  #locked = false;
  /** When the lock was taken, on the component's clock. */
  #lockedAt = 0;
  #done: Promise<void> | undefined;
  #resolveDone: (() => void) | undefined;

  constructor(core: ComponentCore, targetNumber: number) {
    this.core = core;
    this.targetNumber = targetNumber;
    this.from = core.version.version;
  }

  /** What refused the attempt (empty while nothing has). */
  get blockers(): readonly Blocker[] {
    return this.#blockers ?? NONE;
  }

  /** Adds a blocker without naming the phase (a `swapAll` refusing the parts that did not refuse on their own). */
  addBlocker(b: Blocker): void {
    (this.#blockers ??= []).push(b);
  }

  /** Records what happened to an effect (drain, verify, install, resume): it goes in the report if the swap commits. */
  effect(kind: EffectKind, id: string): void {
    const lists = (this.#effects ??= {});
    const list = lists[kind];
    if (list === undefined) lists[kind] = [id];
    else list.push(id);
  }

  /** Refused in `phase`: always false (a step's result). */
  protected refuse(phase: SwapPhase, blockers: readonly Blocker[]): false {
    this.phase = phase;
    this.#blockers = this.#blockers === undefined ? blockers.slice() : this.#blockers.concat(blockers);
    return false;
  }

  protected recordError(message: string): void {
    (this.#errors ??= []).push(message);
  }

  protected get errors(): readonly string[] | undefined {
    return this.#errors;
  }

  /** The report's effects: a refused swap carried, cancelled, adopted, aborted or revoked nothing. */
  protected outcomes(committed: boolean): EffectOutcomes {
    return effectOutcomes(committed ? this.#effects : undefined);
  }

  /** The report's `at` (ISO 8601). */
  protected get at(): string {
    return new Date(this.#at).toISOString();
  }

  /** Lets go of the lists once the report holds what it needs of them. */
  protected forgetLists(): void {
    this.#effects = this.#errors = undefined;
  }

  // ── the swap lock ({@link SwapLock}) ─────────────────────────────────────

  get target(): number {
    return this.targetNumber;
  }

  get since(): number {
    return this.#lockedAt;
  }

  /** Settles when the attempt has released the lock; made on the first ask (a `stop()` during the swap). */
  get done(): Promise<void> {
    if (!this.#locked) return Promise.resolve();
    return (this.#done ??= new Promise<void>((resolve) => (this.#resolveDone = resolve)));
  }

  /** Takes the component's swap lock (the plan checked it is free): this attempt is the lock. */
  protected takeLock(): void {
    this.#lockedAt = this.core.clock.now();
    this.#locked = true;
    this.core.lock(this);
  }

  /** Releases the lock, if held, and settles `done`. */
  protected releaseLock(): void {
    if (!this.#locked) return;
    this.core.unlock();
    this.#locked = false;
    this.#resolveDone?.();
    this.#resolveDone = undefined;
  }
}
