/**
 * `ComponentCore`: one live component's state — the running actor and version, the mode events are
 * delivered in, the mailbox, the swap lock and history, the effect ledger — owned here and changed
 * only through its verbs. The public facade (`LiveComponent`, src/runtime) and the swap steps
 * (src/swap) drive it; it knows neither. Not exported from the package. Pinned by the tests in
 * test/live/ and every swap test.
 */
import type { AnyActorRef, EventObject, InspectionEvent, Subscription } from 'xstate';
import type { Clock } from '../../clock/clock.ts';
import { HotswapError } from '../../errors.ts';
import { bounded, EffectLedger, type LeaseRecord, type RuntimeTimer } from '../../ledger/effect-ledger.ts';
import type { LedgerSnapshot } from '../../ledger/ledger.ts';
import { createHostedActor } from '../../xstate/actor.ts';
import { failedRestore, scheduleDelay } from '../../xstate/adapter.ts';
import { hostOf, unregisterHost } from '../../xstate/host-registry.ts';
import type { AnyLineage } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';
import { Mailbox } from '../mailbox.ts';
import { ActorHost } from './host.ts';
import { reportAsync } from './records.ts';
import { badTimerEvent, borrowRefused, componentStopped, mailboxFull } from './refusals.ts';
import { waitForChange, waitUntil } from './waits.ts';

export type { InFlightEntry, LeaseRecord, RuntimeTimer } from '../../ledger/effect-ledger.ts';

/** How many committed swaps `revert()` can undo, one after another. */
export const HISTORY_MAX = 64;

/** How events reach the actor: straight through, held in the mailbox, or refused. */
export type Mode = 'running' | 'held' | 'draining' | 'stopped';

export type SnapshotObserver = {
  next?: (snapshot: any) => void;
  error?: (error: unknown) => void;
};

export interface CoreOptions {
  readonly id: string;
  readonly lineage: AnyLineage;
  readonly version: AnyVersion;
  readonly clock: Clock;
  readonly capacity: number;
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
  /** Called once by `stop()`, so the runtime forgets the component. */
  readonly onClose?: (() => void) | undefined;
}

/** The swap holding a component's swap lock. */
export interface SwapLock {
  readonly id: string;
  readonly target: number;
  readonly since: number;
  readonly done: Promise<unknown>;
}

/**
 * One live component's state, owned here: the running actor and version, the mode events are
 * delivered in, the mailbox, the swap lock and history, and the effect ledger. Members are read
 * through getters and changed through verbs (`hold`, `lock`, `attach`, `committed`, `stop`), so the
 * rules about them — who may write the mode, what a commit records — sit in one place.
 */
export class ComponentCore {
  readonly id: string;
  readonly clock: Clock;
  readonly inspect: ((event: InspectionEvent) => void) | undefined;
  /** Where errors from user code go (observers, timer handlers); never back into the runtime. */
  readonly onError: (error: unknown) => void;
  /** Everything this component has started and not finished, and the rules about it. */
  readonly effects: EffectLedger;
  readonly mailbox: Mailbox<EventObject>;
  readonly #undelivered: { readonly event: EventObject; readonly reason: string }[] = [];
  readonly #observers = new Set<SnapshotObserver>();
  #lineage: AnyLineage;
  #version: AnyVersion;
  #actor!: AnyActorRef;
  #mode: Mode = 'running';
  /** Set by `stop()`: the component is gone for good (an actor that finished only makes `mode` stopped). */
  #closed = false;
  #swapping: SwapLock | undefined;
  #lastError: unknown;
  readonly #onClose: (() => void) | undefined;
  readonly #stop = new AbortController();
  /**
   * The version this component ran before each committed swap, most recent last (what `revert()`
   * undoes); a committed revert takes its entry off. The last {@link HISTORY_MAX} are kept.
   */
  readonly #history: number[] = [];
  // Per actor, deleted when it is retired: at most the running actor and one being installed.
  readonly #subs = new Map<AnyActorRef, Subscription>();
  readonly #waiters = new Set<() => void>();

  constructor(options: CoreOptions) {
    this.id = options.id;
    this.#lineage = options.lineage;
    this.#version = options.version;
    this.clock = options.clock;
    this.inspect = options.inspect;
    this.onError = options.onError ?? reportAsync;
    this.#onClose = options.onClose;
    this.mailbox = new Mailbox(options.capacity);
    this.effects = new EffectLedger({ clock: this.clock, notifyChange: () => this.notifyChange(), fireTimer: (t) => this.#fireTimer(t) });
  }

  get name(): string {
    return this.#lineage.name;
  }
  get lineage(): AnyLineage {
    return this.#lineage;
  }
  get version(): AnyVersion {
    return this.#version;
  }
  get actor(): AnyActorRef {
    return this.#actor;
  }
  get mode(): Mode {
    return this.#mode;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get swapping(): SwapLock | undefined {
    return this.#swapping;
  }
  get lastError(): unknown {
    return this.#lastError;
  }
  /** Events accepted while the actor was alive that it could no longer take (it failed or finished meanwhile). */
  get undelivered(): readonly { readonly event: EventObject; readonly reason: string }[] {
    return this.#undelivered;
  }

  /** Adds a snapshot observer, kept across swaps; returns its removal. */
  observe(observer: SnapshotObserver): () => void {
    this.#observers.add(observer);
    return () => void this.#observers.delete(observer);
  }
  /** The version before the last committed swap (what `revert()` goes back to), if any. */
  get previousVersion(): number | undefined {
    return this.#history.at(-1);
  }
  /** Fires when `stop()` is called: a swap in progress is aborted before its commit point. */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  // ── swap lock and commit ─────────────────────────────────────────────────

  /** Takes the swap lock (the caller checked `swapping` is free). */
  lock(swap: SwapLock): void {
    this.#swapping = swap;
  }
  unlock(): void {
    this.#swapping = undefined;
  }
  /** From here on, `send` holds events in the mailbox. */
  hold(): void {
    this.#mode = 'held';
  }
  /** Until the hold ends, runtime timers falling due wait, then fire by the version running then (swapAll). */
  holdTimers(): void {
    this.#timersWait = true;
  }
  /** Records a committed swap from `from`: a revert takes its history entry off, a swap puts one on. */
  committed(from: number, lineage: AnyLineage, revert: boolean): void {
    this.#lineage = lineage;
    if (revert) this.#history.pop();
    else if (this.#history.push(from) > HISTORY_MAX) this.#history.shift();
  }

  /**
   * Stops the component for good: a swap in progress is aborted first (refused before its commit
   * point) and awaited; held events are delivered; runtime timers are cancelled, leases revoked.
   */
  async stop(): Promise<void> {
    if (this.#closed) return;
    if (this.#swapping !== undefined) {
      this.#stop.abort('the component is stopping');
      await this.#swapping.done;
    }
    // another stop() may have finished while this one waited
    if (this.#closed) return;
    this.#closed = true;
    if (this.#mode !== 'stopped') this.deliverHeld();
    this.effects.cancelAllTimers();
    this.effects.revokeAll();
    this.#mode = 'stopped';
    this.retire(this.#actor);
    this.#onClose?.();
  }

  // ── events ───────────────────────────────────────────────────────────────

  send(event: EventObject): void {
    if (this.mode === 'running') {
      this.actor.send(event);
      return;
    }
    if (this.mode === 'stopped') throw componentStopped(this.id, this.actor.getSnapshot().status, event.type);
    if (this.mode === 'draining') {
      // Sent from inside the actor's own processing while held events are delivered (an action that
      // sends to its component): refusing it would fail the action and kill the actor. It queues
      // behind the held events instead; the loop delivering them is bounded by what was held plus this.
      this.mailbox.force(event);
      return;
    }
    if (!this.mailbox.offer(event)) throw mailboxFull(this.id, this.mailbox.capacity, event.type);
  }

  /** Delivers every held event, in order, to the current actor; events sent meanwhile queue behind. */
  deliverHeld(): number {
    let n = 0;
    this.#mode = 'draining';
    for (let e = this.mailbox.shift(); e !== undefined; e = this.mailbox.shift()) {
      if (this.#finished()) bounded(this.#undelivered, { event: e, reason: `actor is '${this.actor.getSnapshot().status}'` });
      else this.actor.send(e);
      n++;
    }
    this.#mode = this.#finished() ? 'stopped' : 'running';
    this.#timersWait = false;
    if (this.#dueDuringHold.length > 0) for (const t of this.#dueDuringHold.splice(0)) this.#fireTimer(t);
    return n;
  }

  /** An actor that reached a final state or failed ignores events: the component then refuses them. */
  #finished(): boolean {
    return this.actor.getSnapshot().status !== 'active';
  }

  // ── actors ───────────────────────────────────────────────────────────────

  /**
   * Creates and starts an actor for `version` (not yet the one events go to) and arms `delays` on it.
   * XState reports restore and start failures as `status: 'error'`, not as a throw: both are caught
   * here, and a failed actor is retired before this returns.
   */
  launch(
    version: AnyVersion,
    snapshot: PersistedSnapshot | undefined,
    delays: readonly { readonly id: string; readonly event: EventObject; readonly delayMs: number }[],
    input?: unknown,
  ): { ok: true; actor: AnyActorRef } | { ok: false; error: unknown } {
    let actor: AnyActorRef | undefined;
    let failure: unknown;
    try {
      actor = createHostedActor(version.machine, { clock: this.clock, inspect: this.inspect, snapshot, input, host: (a) => new ActorHost(this, a, version.version) });
      // One subscription for the actor's whole life: before `attach` it catches start failures,
      // after it forwards to the component's observers.
      const self = actor;
      const sub = actor.subscribe({
        next: (snap) => {
          if (this.actor !== self) return;
          if (this.#observers.size > 0) this.emit(snap);
          // a final state: XState would ignore further events, so the component refuses them
          if (snap.status !== 'active' && this.#mode === 'running') this.#mode = 'stopped';
          this.notifyChange();
        },
        error: (error) => {
          if (this.actor !== self) {
            failure ??= error;
            return;
          }
          this.#lastError = error;
          if (this.#mode === 'running') this.#mode = 'stopped';
          for (const o of this.#observers) this.#guarded(() => o.error?.(error));
          this.notifyChange();
        },
      });
      this.#subs.set(actor, sub);
      // XState reports a child that failed to restore as its status, set in its constructor: looked at
      // before start, so a child that errors while starting (which the new version may handle) is not one
      if (snapshot !== undefined) failure = failedRestore(actor, snapshot);
      if (failure === undefined) actor.start();
      const status = actor.getSnapshot().status;
      if (failure === undefined && status !== 'active') failure = actor.getSnapshot().error ?? new Error(`the new actor is '${status}' after start`);
      if (failure === undefined) for (const d of delays) scheduleDelay(actor, d.event, d.delayMs, d.id);
    } catch (error) {
      failure ??= error;
    }
    if (failure === undefined) return { ok: true, actor: actor! };
    if (actor !== undefined) this.retire(actor);
    return { ok: false, error: failure };
  }

  /**
   * Hands a snapshot to every observer. An observer that throws must not corrupt the runtime (a swap
   * commits even so): its error is reported asynchronously, as XState reports unhandled errors.
   */
  emit(snapshot: unknown): void {
    for (const o of this.#observers) this.#guarded(() => o.next?.(snapshot));
  }

  #guarded(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onError(error);
    }
  }

  /** Makes `actor` (from {@link ComponentCore.launch}) the one events and observers go to. */
  attach(actor: AnyActorRef, version: AnyVersion): void {
    this.#actor = actor;
    this.#version = version;
    hostOf(actor.system)?.flush();
  }

  /** Stops an actor for good: unlinks it so nothing it left behind reaches this component. */
  retire(actor: AnyActorRef): void {
    this.#subs.get(actor)?.unsubscribe();
    this.#subs.delete(actor);
    actor.stop();
    // what it staged while stopping (exit actions) never runs
    hostOf(actor.system)?.discard();
    unregisterHost(actor.system);
    // Its children are stopped now: forget their promises unless a new version adopted them. A late
    // settlement is still recorded (the settle callback holds the entry), and nothing keeps old code here.
    this.effects.forgetStopped();
  }

  // ── waiting ──────────────────────────────────────────────────────────────

  notifyChange(): void {
    // on every snapshot of the running actor: nothing to copy unless a swap is waiting
    if (this.#waiters.size === 0) return;
    for (const w of [...this.#waiters]) w();
  }

  /**
   * Resolves on the next change (snapshot, settlement, release, or one of `watch` finishing), at
   * `deadlineAt`, or on abort.
   */
  waitForChange(deadlineAt: number, signal: AbortSignal | undefined, watch: readonly AnyActorRef[] = []): Promise<'changed' | 'deadline' | 'aborted'> {
    return waitForChange(this.clock, this.#waiters, deadlineAt, signal, watch);
  }

  /** A cancellable wait until `deadlineAt` on the component's clock (cancel the loser of every race). */
  waitForChangeless(deadlineAt: number, signal: AbortSignal | undefined): { promise: Promise<void>; cancel: () => void } {
    return waitUntil(this.clock, deadlineAt, signal);
  }

  // ── runtime timers firing ─────────────────────────────────────────────

  /**
   * The handler of the version running *now* turns the firing into an event (G4: never old code).
   * While events are held, the event joins them — within the mailbox's capacity: a firing that finds
   * the mailbox full stays pending, due, and fires when the hold ends (after the held events, by the
   * version then running), so a swap holds at most `mailboxCapacity` events however many timers fire.
   */
  #fireTimer(timer: RuntimeTimer): void {
    if (!this.effects.isPending(timer)) return;
    if (this.#mode === 'held' && (this.#timersWait || this.mailbox.size >= this.mailbox.capacity)) {
      timer.handle = undefined;
      this.#dueDuringHold.push(timer);
      return;
    }
    this.effects.timerDone(timer);
    const handler = this.version.handlers?.[timer.handler];
    if (handler === undefined || this.mode === 'stopped') {
      this.#timerRejected(timer);
      return;
    }
    let event: EventObject;
    try {
      event = handler(timer.payload);
    } catch (error) {
      this.#timerRejected(timer, error);
      return;
    }
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
      // sending it would fail the actor and stop the component: the firing is refused, the component serves on
      this.#timerRejected(timer, badTimerEvent(this.id, timer, this.#version.version, event));
      return;
    }
    if (this.mode === 'running') this.actor.send(event);
    else this.mailbox.force(event);
  }

  #timerRejected(timer: RuntimeTimer, error?: unknown): void {
    this.effects.recordLate({ id: timer.name, src: `timer:${timer.handler}`, version: this.version.version, outcome: 'rejected', at: this.clock.now() });
    if (error !== undefined) this.onError(error);
  }

  /** Timers that fell due while the mailbox was full (or timers wait) during a hold: fired, in due order, when it ends. */
  readonly #dueDuringHold: RuntimeTimer[] = [];
  #timersWait = false; // see holdTimers

  // ── leases ───────────────────────────────────────────────────────────────

  /** Lends a handle the running version declares; refused for unknown handles, and mid-swap unless transferable. */
  borrow(handle: string, holder: string): Readonly<LeaseRecord> {
    if (this.#mode === 'stopped') throw new HotswapError('COMPONENT_STOPPED', `Component '${this.id}' is stopped`);
    const def = this.#version.handles?.[handle];
    if (def === undefined) throw borrowRefused(this.id, handle, { version: this.#version.version, name: this.name });
    if (this.#swapping !== undefined && def.transferable !== true) throw borrowRefused(this.id, handle, { swapId: this.#swapping.id });
    return this.effects.lend(handle, holder, def.transferable === true);
  }

  /** The effect ledger as plain data, for the running actor. */
  ledger(): LedgerSnapshot {
    return this.effects.snapshot(this.#actor, this.#version.machine);
  }
}
