/**
 * The mutable heart of a live component, shared by the public facade (`LiveComponent`) and the
 * swap coordinator. Not exported from the package.
 */
import { type AnyActorRef, type AnyStateMachine, createActor, type EventObject, type InspectionEvent, type Subscription } from 'xstate';
import type { Clock } from '../../clock/clock.ts';
import { HotswapError, shown } from '../../errors.ts';
import type { LateResult, LedgerSnapshot } from '../../ledger/ledger.ts';
import { trackedMachine } from '../../ledger/_internal/tracked-machine.ts';
import { failedRestore, instrumentScheduler, scheduleDelay } from '../../ledger/_internal/xstate-adapter.ts';
import { readLedger } from '../../ledger/_internal/read-ledger.ts';
import type { AnyLineage } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import type { PersistedSnapshot } from '../../migrate/persisted.ts';
import type { Journal } from '../../journal/journal.ts';
import { Mailbox } from '../mailbox.ts';
import { borrowHandle, endLease, type LeaseRecord } from './leases.ts';
import { type InFlightEntry, trackPromise } from './promises.ts';
import { bounded, reportAsync } from './records.ts';
import { isTimerDelay, MAX_TIMER_MS } from '../../clock/clock.ts';

export type { InFlightEntry } from './promises.ts';
export type { LeaseRecord } from './leases.ts';
import { ActorHost, type EffectHost, hostOf, type PromiseArgs, registerHost, unregisterHost } from './host.ts';

/** How many committed swaps `revert()` can undo, one after another. */
export const HISTORY_MAX = 64;

/** How events reach the actor: straight through, held in the mailbox, or refused. */
export type Mode = 'running' | 'held' | 'draining' | 'stopped';

export interface RuntimeTimer {
  readonly name: string;
  readonly handler: string;
  readonly payload: unknown;
  readonly delayMs: number;
  readonly dueAt: number;
  handle: unknown;
}

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
  readonly journal: Journal;
  readonly inspect?: ((event: InspectionEvent) => void) | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
}





export class ComponentCore implements EffectHost {
  readonly id: string;
  readonly clock: Clock;
  readonly journal: Journal;
  readonly inspect: ((event: InspectionEvent) => void) | undefined;
  /** Where errors from user code go (observers, timer handlers); never back into the runtime. */
  readonly onError: (error: unknown) => void;
  lineage: AnyLineage;
  version: AnyVersion;
  actor!: AnyActorRef;
  mode: Mode = 'running';
  /** Set by `stop()`: the component is gone for good (an actor that finished only makes `mode` stopped). */
  closed = false;
  readonly #stop = new AbortController();
  /** Fires when `stop()` is called: a swap in progress is aborted before its commit point. */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }
  /** Aborts a swap in progress (the component is stopping). */
  abortSwaps(): void {
    this.#stop.abort('the component is stopping');
  }
  /** Called once by `stop()`, so the runtime forgets the component. */
  onClose: (() => void) | undefined;
  readonly mailbox: Mailbox<EventObject>;
  readonly observers = new Set<SnapshotObserver>();
  readonly timers = new Map<string, RuntimeTimer>();
  readonly inFlight = new Map<InFlightEntry['owner'], InFlightEntry>();
  readonly adoptions = new Map<string, InFlightEntry>();
  readonly leases = new Map<number, LeaseRecord>();
  readonly late: LateResult[] = [];
  /** Events accepted while the actor was alive that it could no longer take (it failed or finished meanwhile). */
  readonly undelivered: { readonly event: EventObject; readonly reason: string }[] = [];
  swapping: { readonly id: string; readonly target: number; readonly since: number; readonly done: Promise<unknown> } | undefined;
  /**
   * The version this component ran before each committed swap, most recent last (what `revert()`
   * undoes); a committed revert takes its entry off. The last {@link HISTORY_MAX} are kept.
   */
  readonly history: number[] = [];
  lastError: unknown;
  // Per actor, deleted when it is retired: at most the running actor and one being installed.
  readonly #subs = new Map<AnyActorRef, Subscription>();
  readonly #waiters = new Set<() => void>();

  constructor(options: CoreOptions) {
    this.id = options.id;
    this.lineage = options.lineage;
    this.version = options.version;
    this.clock = options.clock;
    this.journal = options.journal;
    this.inspect = options.inspect;
    this.onError = options.onError ?? reportAsync;
    this.mailbox = new Mailbox(options.capacity);
  }

  get name(): string {
    return this.lineage.name;
  }

  // ── events ───────────────────────────────────────────────────────────────

  send(event: EventObject): void {
    if (this.mode === 'running') {
      this.actor.send(event);
      return;
    }
    if (this.mode === 'stopped') {
      const status = this.actor.getSnapshot().status;
      const why = status === 'active' || status === 'stopped' ? 'is stopped' : `has ${status === 'done' ? 'reached a final state' : 'failed'}`;
      throw new HotswapError('COMPONENT_STOPPED', `Component '${this.id}' ${why}; event '${event.type}' was not accepted`, {
        details: { component: this.id, status, event: event.type },
      });
    }
    if (this.mode === 'draining') {
      // Sent from inside the actor's own processing while held events are delivered (an action that
      // sends to its component): refusing it would fail the action and kill the actor. It queues
      // behind the held events instead; the loop delivering them is bounded by what was held plus this.
      this.mailbox.force(event);
      return;
    }
    if (!this.mailbox.offer(event)) {
      throw new HotswapError(
        'MAILBOX_FULL',
        `Mailbox of '${this.id}' is full (capacity ${this.mailbox.capacity}) while a swap is in progress; event '${event.type}' was not accepted`,
        { details: { component: this.id, capacity: this.mailbox.capacity, event: event.type } },
      );
    }
  }

  /** Delivers every held event, in order, to the current actor; events sent meanwhile queue behind. */
  deliverHeld(): number {
    let n = 0;
    this.mode = 'draining';
    for (let e = this.mailbox.shift(); e !== undefined; e = this.mailbox.shift()) {
      if (this.#finished()) bounded(this.undelivered, { event: e, reason: `actor is '${this.actor.getSnapshot().status}'` });
      else this.actor.send(e);
      n++;
    }
    this.mode = this.#finished() ? 'stopped' : 'running';
    if (this.#dueDuringHold.length > 0) for (const t of this.#dueDuringHold.splice(0)) this.#fireTimer(t);
    return n;
  }

  /** An actor that reached a final state or failed ignores events: the component then refuses them. */
  #finished(): boolean {
    return this.actor.getSnapshot().status !== 'active';
  }

  // ── actors ───────────────────────────────────────────────────────────────

  /** Creates (not starts) an actor for `version`, instrumented and linked to this component. */
  createActor(version: AnyVersion, snapshot: PersistedSnapshot | undefined, input?: unknown): AnyActorRef {
    const machine: AnyStateMachine = trackedMachine(version.machine);
    const options: { clock: Clock; inspect?: (event: InspectionEvent) => void; snapshot?: unknown; input?: unknown } = { clock: this.clock };
    if (this.inspect !== undefined) options.inspect = this.inspect;
    if (snapshot !== undefined) options.snapshot = snapshot;
    if (input !== undefined) options.input = input;
    const actor = createActor(machine, options as never);
    instrumentScheduler(actor, this.clock);
    registerHost(actor.system, new ActorHost(this, actor, version.version));
    return actor;
  }

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
      actor = this.createActor(version, snapshot, input);
      // One subscription for the actor's whole life: before `attach` it catches start failures,
      // after it forwards to the component's observers.
      const self = actor;
      const sub = actor.subscribe({
        next: (snap) => {
          if (this.actor !== self) return;
          if (this.observers.size > 0) this.emit(snap);
          // a final state: XState would ignore further events, so the component refuses them
          if (snap.status !== 'active' && this.mode === 'running') this.mode = 'stopped';
          this.notifyChange();
        },
        error: (error) => {
          if (this.actor !== self) {
            failure ??= error;
            return;
          }
          this.lastError = error;
          if (this.mode === 'running') this.mode = 'stopped';
          for (const o of this.observers) this.#guarded(() => o.error?.(error));
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
    for (const o of this.observers) this.#guarded(() => o.next?.(snapshot));
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
    this.actor = actor;
    this.version = version;
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
    for (const [owner, entry] of this.inFlight) {
      if (!entry.adopted && owner.getSnapshot().status !== 'active') this.inFlight.delete(owner);
    }
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
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve('aborted');
      // a deadline already reached needs no timer (a ManualClock would fire it only on `advance`)
      if (deadlineAt - this.clock.now() <= 0) return resolve('deadline');
      const watched: Subscription[] = [];
      const finish = (why: 'changed' | 'deadline' | 'aborted'): void => {
        this.#waiters.delete(onChange);
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        for (const s of watched) s.unsubscribe();
        resolve(why);
      };
      const onChange = (): void => finish('changed');
      const onAbort = (): void => finish('aborted');
      const timer = this.clock.setTimeout(() => finish('deadline'), Math.max(0, deadlineAt - this.clock.now()));
      this.#waiters.add(onChange);
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const actor of watch) watched.push(actor.subscribe({ complete: onChange, error: onChange }));
    });
  }

  /** A cancellable wait until `deadlineAt` on the component's clock (cancel the loser of every race). */
  waitForChangeless(deadlineAt: number, signal: AbortSignal | undefined): { promise: Promise<void>; cancel: () => void } {
    let cancel = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      if (deadlineAt - this.clock.now() <= 0) return resolve();
      const timer = this.clock.setTimeout(resolve, deadlineAt - this.clock.now());
      const onAbort = (): void => resolve();
      signal?.addEventListener('abort', onAbort, { once: true });
      cancel = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
    });
    return { promise, cancel };
  }

  // ── effect host: runtime timers ──────────────────────────────────────────

  startTimer(name: string, handler: string, delayMs: number, payload: unknown): void {
    if (!isTimerDelay(delayMs)) {
      // past 2^31 − 1 ms Node fires a timer at once (TimeoutOverflowWarning): refuse rather than misfire
      throw new HotswapError('INVALID_ARGUMENT', `Expected the delay of timer '${name}' to be a number from 0 to ${MAX_TIMER_MS} ms, got \`${delayMs}\``);
    }
    this.cancelTimer(name);
    const timer: RuntimeTimer = { name, handler, payload, delayMs, dueAt: this.clock.now() + delayMs, handle: undefined };
    timer.handle = this.clock.setTimeout(() => this.#fireTimer(timer), delayMs);
    this.timers.set(name, timer);
  }

  cancelTimer(name: string): void {
    const t = this.timers.get(name);
    if (t === undefined) return;
    this.clock.clearTimeout(t.handle);
    this.timers.delete(name);
  }

  /**
   * The handler of the version running *now* turns the firing into an event (G4: never old code).
   * While events are held, the event joins them — within the mailbox's capacity: a firing that finds
   * the mailbox full stays pending, due, and fires when the hold ends (after the held events, by the
   * version then running), so a swap holds at most `mailboxCapacity` events however many timers fire.
   */
  #fireTimer(timer: RuntimeTimer): void {
    if (this.timers.get(timer.name) !== timer) return;
    if (this.mode === 'held' && this.mailbox.size >= this.mailbox.capacity) {
      timer.handle = undefined;
      this.#dueDuringHold.push(timer);
      return;
    }
    this.timers.delete(timer.name);
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
      const got = shown(event);
      this.#timerRejected(timer, new HotswapError('INVALID_ARGUMENT', `Expected handler '${timer.handler}' of v${this.version.version} to return an event \`{ type }\`, got ${got}`, {
        details: { component: this.id, timer: timer.name, handler: timer.handler, version: this.version.version },
      }));
      return;
    }
    if (this.mode === 'running') this.actor.send(event);
    else this.mailbox.force(event);
  }

  #timerRejected(timer: RuntimeTimer, error?: unknown): void {
    bounded(this.late, { id: timer.name, src: `timer:${timer.handler}`, version: this.version.version, outcome: 'rejected', at: this.clock.now() });
    if (error !== undefined) this.onError(error);
  }

  /** Timers that fell due while the mailbox was full during a hold: fired, in due order, when it ends. */
  readonly #dueDuringHold: RuntimeTimer[] = [];

  // ── effect host: promises ────────────────────────────────────────────────

  runPromise(
    src: string,
    args: PromiseArgs,
    creator: (args: PromiseArgs) => PromiseLike<unknown>,
    version = this.version.version,
  ): PromiseLike<unknown> {
    return trackPromise(this, src, args, creator, version);
  }

  // ── leases ───────────────────────────────────────────────────────────────

  borrow(handle: string, holder: string): LeaseRecord {
    return borrowHandle(this, handle, holder);
  }

  endLease(record: LeaseRecord, how: 'released' | 'revoked'): void {
    endLease(this, record, how);
  }

  // ── ledger ───────────────────────────────────────────────────────────────

  ledger(): LedgerSnapshot {
    return readLedger(this);
  }
}
