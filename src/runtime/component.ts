/**
 * `LiveComponent`: the public face of one running instance — send, observe, borrow, read the
 * ledger, swap, revert, persist, stop — over the internal `ComponentCore`. Pinned by the tests in
 * test/live/ (stop, persist, borrow, timers) and every swap test.
 */
import type { ActorSystem, AnyActorLogic, AnyEventObject, EventObject, InteropSubscribable, Observer, Readable, Snapshot, Subscription } from 'xstate';
import { type ErrorData, HotswapError, refusalOf } from '../errors.ts';
import type { LateResult, LedgerSnapshot } from '../ledger/ledger.ts';
import { persistedSnapshotOf } from '../xstate/adapter.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { Journal } from '../journal/journal.ts';
import { createEnvelope, type Envelope } from '../store/envelope.ts';
import type { SwapOptions } from '../swap/options.ts';
import { committedOrThrow, type SwapReport } from '../swap/report.ts';
import { runSwap } from '../swap/swap.ts';
import type { ShadowRing } from '../swap/_internal/replay.ts';
import { type Rehearsal, type RehearseOptions, rehearse } from '../swap/rehearse.ts';
import { checkProbationOptions, type ProbationStatus, revertOnProbation } from './probation.ts';
import { Probations } from './_internal/probations.ts';
import type { RehearsalPool } from '../swap/_internal/rehearse-pool.ts';
import { type PoolRehearseOptions, type PooledRehearsal, rehearseInPool } from '../swap/rehearse-pool.ts';
import type { ComponentCore, LeaseRecord } from '../live/_internal/core.ts';
import { EmittedRelay, selectFrom, snapshotObserver, symbolObservable, tagSnapshot, toObserver } from './actor-api.ts';

/** The result of {@link LiveComponent.tryPersist}. */
export type PersistResult = { readonly ok: true; readonly envelope: Envelope } | { readonly ok: false; readonly error: ErrorData };

/** A borrowed handle: access to a resource the component owns, until `release()`. */
export interface Lease {
  readonly id: number;
  readonly handle: string;
  readonly holder: string;
  readonly since: number;
  /** `held` until released, or revoked by a swap whose lease policy is `revoke`. */
  readonly state: 'held' | 'released' | 'revoked';
  /** Aborted when the lease is revoked. */
  readonly signal: AbortSignal;
  /** The resource, from the version holding the lease now (after a transfer, the new one). */
  get(): unknown;
  release(): void;
}

// The core behind each component, for the package's own worker entry (src/worker), which drives a
// handover from inside the worker; not exported from the package.
const cores = new WeakMap<LiveComponent<any>, ComponentCore>();

/** @internal The core of a component started by a runtime. */
export function coreOf(component: LiveComponent<any>): ComponentCore {
  const core = cores.get(component);
  if (core === undefined) throw new HotswapError('INVALID_ARGUMENT', 'Expected a component started by `runtime.start(...)`');
  return core;
}

/**
 * One running instance of a component: the current version's actor, a bounded mailbox and an effect
 * ledger. Create it with `runtime.start(lineage, …)`. It speaks XState's actor API across swaps
 * (`getSnapshot`, `subscribe`, `select`, `on`, `Symbol.observable`), so XState's `waitFor` and
 * `toPromise` take it: `TSnapshot` is the union of the lineage's versions' snapshots (narrow it by
 * `version`), `TEmitted` what they emit.
 */
export class LiveComponent<TEvent extends EventObject = AnyEventObject, TSnapshot = any, TEmitted extends EventObject = EventObject> {
  readonly #core: ComponentCore;
  readonly #journal: Journal;
  #emitted: EmittedRelay | undefined;
  /** The shadow recording (`runtime.start(…, { shadow })`), if any. */
  readonly #shadow: ShadowRing | undefined;
  /** The runtime's rehearsal pool, for `rehearseInPool`. */
  readonly #pool: RehearsalPool | undefined;
  /** The swap on probation and those arming (`swap(…, { probation })`). */
  readonly #probations = new Probations();

  /** @internal */
  constructor(core: ComponentCore, journal: Journal, shadow?: ShadowRing, pool?: RehearsalPool) {
    this.#core = core;
    this.#journal = journal;
    this.#shadow = shadow;
    this.#pool = pool;
    cores.set(this, core);
  }

  /** The instance id. */
  get id(): string {
    return this.#core.id;
  }
  /** The component (lineage) name. */
  get name(): string {
    return this.#core.name;
  }
  /** The running version's number. */
  get version(): number {
    return this.#core.version.version;
  }
  /** The running version's definition. */
  get definition(): AnyVersion {
    return this.#core.version;
  }
  get lineage(): AnyLineage {
    return this.#core.lineage;
  }
  /**
   * `running` (events go straight to the actor), `swapping` (events are held: from the start of
   * quiesce to the resume — not while a swap plans and runs its preconditions, when events still go
   * straight through), or `stopped` (by `stop()`, or its actor finished or failed).
   */
  get status(): 'running' | 'swapping' | 'stopped' {
    const mode = this.#core.mode;
    return mode === 'running' ? 'running' : mode === 'stopped' ? 'stopped' : 'swapping';
  }
  /** The XState session id of the actor running now; it changes at every committed swap. */
  get sessionId(): string {
    return this.#core.actor.sessionId;
  }
  /** Events held in the mailbox right now. */
  get held(): number {
    return this.#core.mailbox.size;
  }
  /** Late settlements of old work that were dropped and recorded (G4). */
  get late(): readonly LateResult[] {
    return this.#core.effects.late;
  }
  /**
   * Events accepted into the mailbox during a swap that the actor could no longer take because it
   * failed or reached a final state meanwhile: recorded, never silently lost.
   */
  get undelivered(): readonly { readonly event: EventObject; readonly reason: string }[] {
    return this.#core.undelivered;
  }

  /**
   * Sends an event. Outside a swap it goes straight to the actor; during one it is held and delivered,
   * in order, to whichever version wins. Throws `MAILBOX_FULL` when the mailbox is full and
   * `COMPONENT_STOPPED` after `stop()`: an event is never dropped silently.
   */
  send(event: TEvent): void {
    const core = this.#core;
    // the common case in a few bytes, so V8 inlines it; holding, refusing and draining live in core.send
    if (core.mode === 'running' && this.#shadow === undefined && this.#probations.idle) core.actor.send(event);
    else this.#sendObserved(event);
  }

  /** `send` with a shadow recording (the event, and a checkpoint when a segment opens) or a probation log. */
  #sendObserved(event: EventObject): void {
    const core = this.#core;
    const running = core.mode === 'running';
    const shadow = this.#shadow;
    if (running && shadow !== undefined) shadow.record(core.actor.sessionId, event, () => persistedSnapshotOf(core.actor));
    if (running) core.actor.send(event);
    else core.send(event); // throws when refused: then the event was not accepted
    this.#probations.accepted(event, running);
  }

  /**
   * {@link LiveComponent.send} as a result: `{ ok: true }` when the event was accepted, else
   * `{ ok: false, error }` (`MAILBOX_FULL`, `COMPONENT_STOPPED`, …) and the event was not accepted.
   * `send` is the one member where the plain verb throws: it is XState's `ActorRef.send` (returns
   * `void`), so the component stays assignable to XState's actor types, and a refusal that returned
   * data would be dropped silently by every caller written for XState.
   */
  trySend(event: TEvent): { ok: true } | { ok: false; error: ErrorData } {
    try {
      this.send(event);
      return { ok: true };
    } catch (error) {
      return refusalOf(error);
    }
  }

  /** The current version's live snapshot, tagged with its `version` (narrow the union by it). */
  getSnapshot(): TSnapshot {
    const core = this.#core;
    return tagSnapshot(core.actor.getSnapshot(), core.version.version);
  }

  /**
   * Observes snapshots across swaps: after a swap, the observer sees the new version's snapshots.
   * `complete` runs once when the component's actor reaches a final state.
   */
  subscribe(observer: Observer<TSnapshot>): Subscription;
  subscribe(next: (snapshot: TSnapshot) => void, error?: (error: any) => void, complete?: () => void): Subscription;
  subscribe(nextOrObserver: Observer<TSnapshot> | ((snapshot: TSnapshot) => void), error?: (error: any) => void, complete?: () => void): Subscription {
    const core = this.#core;
    const o = snapshotObserver(toObserver(nextOrObserver, error, complete), () => core.version.version);
    return { unsubscribe: core.observe(o) };
  }

  /** XState's `select`: a derived value of the snapshots, notified when it changes (`equalityFn`, default `Object.is`). */
  select<TSelected>(selector: (snapshot: TSnapshot) => TSelected, equalityFn?: (a: TSelected, b: TSelected) => boolean): Readable<TSelected> {
    return selectFrom<TSnapshot, TSelected>(this, selector, equalityFn);
  }

  /** The interop observable (under `Symbol.observable`, else `'@@observable'`, as XState spells it): the component itself. */
  [symbolObservable](): InteropSubscribable<TSnapshot> {
    return this;
  }

  /**
   * Listens to events the running version emits (XState `emit`), across swaps: the listener moves to
   * the new version at the commit. `'*'` listens to every emitted event.
   */
  on<TType extends TEmitted['type'] | '*'>(type: TType, handler: (emitted: TEmitted & (TType extends '*' ? unknown : { type: TType })) => void): Subscription {
    const core = this.#core;
    this.#emitted ??= new EmittedRelay(() => core.actor, (o) => core.observe(o));
    return this.#emitted.on(type, handler as (event: EventObject) => void);
  }

  /** XState's `start()`: a live component is started by `runtime.start`, so this does nothing. */
  start(): void {}

  /** The running version's persisted snapshot (XState's `getPersistedSnapshot`); `persist()` adds the timers. */
  getPersistedSnapshot(): Snapshot<unknown> {
    return persistedSnapshotOf(this.#core.actor) as unknown as Snapshot<unknown>;
  }

  /** The running actor's XState system (it changes at every committed swap). */
  get system(): ActorSystem<any> {
    return this.#core.actor.system;
  }

  /** The running actor's logic (its version's machine). */
  get src(): string | AnyActorLogic {
    return this.#core.actor.src;
  }

  /**
   * Borrows a handle the running version declares in `handles`. Non-transferable leases hold back a
   * swap (policy `wait`), are revoked (`revoke`) or refuse it (`block`); transferable ones are rebound.
   */
  borrow(handle: string, holder: string): Lease {
    const core = this.#core;
    const record: Readonly<LeaseRecord> = core.borrow(handle, holder);
    return {
      id: record.id,
      handle,
      holder,
      since: record.since,
      get state() {
        return record.state;
      },
      signal: record.controller.signal,
      get: () => {
        if (record.state !== 'held') {
          throw new HotswapError('LEASE_REVOKED', `Lease of '${handle}' held by '${holder}' is ${record.state}`);
        }
        const snap = core.actor.getSnapshot() as { value: unknown; context: unknown };
        return core.version.handles?.[handle]?.resource?.({ value: snap.value, context: snap.context });
      },
      release: () => core.effects.endLease(record, 'released'),
    };
  }

  /** Everything the instance has started and not finished: delays, timers, in-flight actors, leases. */
  ledger(): LedgerSnapshot {
    return this.#core.ledger();
  }

  /**
   * Swaps to another version of the lineage (up or down), as docs/design.md §2. Resolves to a report;
   * refusal is data, never a throw (G7). The old version keeps serving when refused. Misuse — a
   * target that is no version, options of the wrong kind, a `deadlineMs` past 2^31 − 1 ms — rejects
   * with a `HotswapError` `INVALID_ARGUMENT` (so do `swapOrThrow` and `revert`).
   */
  swap(target: number | AnyVersion, options: SwapOptions = {}): Promise<SwapReport> {
    // a swap asked for during a probation runs after its rollback when it failed already, and makes it
    // permanent when it takes the lock — not before: refused at plan, it changes nothing (both found
    // by the swap-safety property with probation)
    const rollback = this.#probations.rollingBack();
    if (rollback !== undefined) return rollback.then(() => this.swap(target, options));
    const onLocked = (): void => this.#probations.makePermanent();
    if (options?.probation === undefined) return runSwap(this.#core, { target, options, journal: this.#journal, shadow: this.#shadow, onLocked });
    const misuse = checkProbationOptions(options.probation);
    return misuse === undefined ? this.#probations.swap({ core: this.#core, journal: this.#journal, shadow: this.#shadow }, target, options, onLocked) : Promise.reject(misuse);
  }

  /**
   * The swap on probation, from its commit until it is over (`swap(target, { probation })`): `settled` resolves
   * to `permanent` or `rolled-back` (with the cause and the journal entry). Undefined otherwise — so
   * a probation that failed at once may be gone when `swap()` resolves: `probation.onSettled` is the
   * way to hear every outcome.
   */
  get probation(): ProbationStatus | undefined {
    return this.#probations.status;
  }

  /**
   * Rehearses a swap to `target` on a copy of the current state, without pausing the component: the
   * swap's own plan, drain decision, migrate and verify steps, and (`replay: true`) a shadow replay of
   * the recorded events. Result-first: `ok`, or the phase and blockers the swap would refuse with.
   */
  rehearse(target: number | AnyVersion, options: RehearseOptions = {}): Rehearsal {
    return rehearse(this.#core, target, options, this.#shadow);
  }

  /**
   * {@link LiveComponent.rehearse} with its state half (migrate, verify, replay) in the runtime's worker
   * pool, for large states: the pool worker loads the lineage from `options.module`. When it cannot
   * (the lineage is not that module's export, the state cannot be copied), it runs inline and
   * `inlineReason` says why. Rejects with `POOL_CLOSED` once the runtime is stopped.
   */
  rehearseInPool(target: number | AnyVersion, options: PoolRehearseOptions): Promise<PooledRehearsal> {
    const pool = this.#pool;
    if (pool === undefined) return Promise.reject(new HotswapError('POOL_CLOSED', 'This component has no rehearsal pool (it was not started by `runtime.start`)'));
    return rehearseInPool(this.#core, target, options, this.#shadow, () => pool);
  }

  /** {@link LiveComponent.swap} for scripts: throws `SWAP_REFUSED` (report in `details`) when refused. */
  async swapOrThrow(target: number | AnyVersion, options: SwapOptions = {}): Promise<SwapReport> {
    return committedOrThrow(await this.swap(target, options));
  }

  /**
   * Undoes the last committed swap: back to the version this component ran before it, through the
   * lineage's links (`down` migrations after an upgrade; refused as `irreversible` without one).
   * Reverts undo swaps one after another, most recent first (the last 64); a component with no swap
   * to undo — fresh, or restored from an envelope — goes to the version below its own.
   */
  revert(options: SwapOptions = {}): Promise<SwapReport> {
    if (options?.probation !== undefined) return Promise.reject(revertOnProbation());
    const rollback = this.#probations.rollingBack();
    if (rollback !== undefined) return rollback.then(() => this.revert(options));
    const core = this.#core;
    return runSwap(core, { target: core.previousVersion ?? core.version.version - 1, options, revert: true, journal: this.#journal, onLocked: () => this.#probations.makePermanent() });
  }

  /** {@link LiveComponent.revert} for scripts: throws `SWAP_REFUSED` (report in `details`) when refused. */
  async revertOrThrow(options: SwapOptions = {}): Promise<SwapReport> {
    return committedOrThrow(await this.revert(options));
  }

  /**
   * A hashed envelope of the persisted state plus the root machine's pending delays and the runtime
   * timers, each with its remaining time, for `runtime.start(lineage, { envelope })` or a file store.
   * In-flight promises are re-invoked on restore (XState's behaviour); leases are not persisted.
   * Throws `PERSIST_REFUSED` during a swap: while events are held, the state is not at rest.
   * {@link LiveComponent.tryPersist} is the result form.
   */
  persist(): Envelope {
    const core = this.#core;
    if (core.swapping !== undefined) {
      throw new HotswapError('PERSIST_REFUSED', `'${core.id}' is swapping; events are held in its mailbox, so its state is not at rest — persist after the swap`, {
        details: { swapId: core.swapping.id },
      });
    }
    return createEnvelope({
      component: core.name,
      version: core.version.version,
      snapshot: persistedSnapshotOf(core.actor),
      timers: core.effects.carried(core.actor),
    });
  }

  /**
   * {@link LiveComponent.persist} as a result: `{ ok: true, envelope }`, or `{ ok: false, error }` with
   * the coded error `persist` would throw (`PERSIST_REFUSED` during a swap). The component keeps running either way.
   *
   * @example
   * const r = driver.tryPersist();
   * if (r.ok) await store.save(r.envelope); else retryLater(r.error.code);
   */
  tryPersist(): PersistResult {
    try {
      return { ok: true, envelope: this.persist() };
    } catch (error) {
      return refusalOf(error);
    }
  }

  /**
   * Stops the instance. A swap in progress is aborted (refused, unless already past its commit point)
   * and finishes first; events still held are delivered before the actor stops (XState's own `stop()`
   * would drop them). Runtime timers are cancelled, leases revoked.
   */
  stop(): Promise<void> {
    return this.#core.stop();
  }

}
