/**
 * `EffectLedger`: the one owner of a live component's records of started-and-unfinished work —
 * runtime timers, in-flight promises (and their adoption by a new version), leases and late results —
 * and of the rules about them: remaining time, what a root delay is, what may be carried. Writers use
 * its verbs; readers (the swap's quiesce and drain, `persist()`, `component.ledger()`) read its maps
 * as read-only views (no copy on the swap's pause) or take one plain snapshot. The live core holds
 * it; the swap asks it. Pinned by test/ledger/effect-ledger.test.ts, test/live/timers.test.ts,
 * test/live/borrow.test.ts and test/swap/policies.test.ts.
 */
import type { AnyActorRef, AnyStateMachine } from 'xstate';
import { type Clock, isTimerDelay, MAX_TIMER_MS, remainingMs } from '../clock/clock.ts';
import { HotswapError } from '../errors.ts';
import { delayedTransitions, type PendingDelay, pendingDelays, relaySealed } from '../xstate/adapter.ts';
import type { PromiseArgs } from '../xstate/host-registry.ts';
import type { LateResult, LedgerDelay, LedgerSnapshot } from './ledger.ts';
import { walkInFlight } from './_internal/walk.ts';

/** Records kept for inspection are capped: the newest {@link RECORD_LIMIT} stay. */
export const RECORD_LIMIT = 1000;

/** Appends to a capped record list (the newest {@link RECORD_LIMIT} stay). */
export function bounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > RECORD_LIMIT) list.splice(0, list.length - RECORD_LIMIT);
}

/** The one definition of remaining time (src/clock/clock.ts), the rule the ledger hands out. */
export { remainingMs };

/**
 * A root delay: scheduled by the root machine for itself (its `after`, a delayed `raise`). Only those
 * can be carried: a child machine is restored from its snapshot, which XState persists without its
 * timers, and a delay sent to another actor has no state to re-arm in.
 */
export function isRootDelay(d: PendingDelay): boolean {
  return d.fromRoot && d.selfTargeted;
}

/** A runtime timer started with `startTimer(...)`, pending. */
export interface RuntimeTimer {
  readonly name: string;
  readonly handler: string;
  readonly payload: unknown;
  readonly delayMs: number;
  readonly dueAt: number;
  handle: unknown;
}

/** The owner of an in-flight promise: the promise actor running it (after an adoption, the new one). */
export type PromiseOwner = { getSnapshot(): { status: string } };

/** An in-flight promise of a tracked promise actor. */
export interface InFlightEntry {
  readonly childId: string;
  readonly src: string;
  readonly startedAt: number;
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  /** The version whose code started it. */
  readonly version: number;
  owner: PromiseOwner;
  /** While an adoption is being installed: the old child, to hand the entry back if the install fails. */
  previousOwner: PromiseOwner | undefined;
  adopted: boolean;
  settled: boolean;
}

/** An outstanding borrow of a handle. */
export interface LeaseRecord {
  readonly id: number;
  readonly handle: string;
  readonly holder: string;
  readonly since: number;
  readonly transferable: boolean;
  readonly controller: AbortController;
  state: 'held' | 'released' | 'revoked';
}

/** A pending runtime timer or root delay as `persist()` writes it, with its remaining time. */
export type CarriedEffect =
  | { readonly kind: 'delay'; readonly id: string; readonly event: { readonly type: string }; readonly delayMs: number; readonly remainingMs: number }
  | { readonly kind: 'timer'; readonly id: string; readonly handler: string; readonly payload: unknown; readonly delayMs: number; readonly remainingMs: number };

/** What the ledger needs from the component that holds it. */
export interface LedgerHost {
  readonly clock: Clock;
  /** A record changed in a way a waiting swap may care about (a settlement, a release). */
  notifyChange(): void;
  /** A runtime timer fell due: the component turns it into an event of the version running then. */
  fireTimer(timer: RuntimeTimer): void;
}

let leaseIds = 0;

export class EffectLedger {
  readonly #host: LedgerHost;
  readonly #timers = new Map<string, RuntimeTimer>();
  readonly #inFlight = new Map<PromiseOwner, InFlightEntry>();
  readonly #adoptions = new Map<string, InFlightEntry>();
  readonly #leases = new Map<number, LeaseRecord>();
  readonly #late: LateResult[] = [];

  constructor(host: LedgerHost) {
    this.#host = host;
  }

  // ── readers: views, not copies (the swap reads them while the component is paused) ──

  /** Pending runtime timers by name. */
  get timers(): ReadonlyMap<string, Readonly<RuntimeTimer>> {
    return this.#timers;
  }
  /** Tracked in-flight promises by the promise actor running each. */
  get inFlight(): ReadonlyMap<PromiseOwner, Readonly<InFlightEntry>> {
    return this.#inFlight;
  }
  /** Outstanding leases by id. */
  get leases(): ReadonlyMap<number, Readonly<LeaseRecord>> {
    return this.#leases;
  }
  /** Late settlements of old work that no version received (G4: dropped and recorded). */
  get late(): readonly LateResult[] {
    return this.#late;
  }

  /** Pending XState delays of `actor` (from its scheduler, through the adapter). */
  delays(actor: AnyActorRef): PendingDelay[] {
    return pendingDelays(actor, this.#host.clock);
  }

  /** The plain-data snapshot of everything started and not finished, for `actor` running `machine`. */
  snapshot(actor: AnyActorRef, machine: AnyStateMachine): LedgerSnapshot {
    const now = this.#host.clock.now();
    const afters = delayedTransitions(machine);
    const delays: LedgerDelay[] = this.delays(actor).map((d) => ({
      kind: 'delay',
      id: d.id,
      event: d.event,
      state: afters.get(d.event.type)?.statePath,
      delayMs: d.delayMs,
      startedAt: d.startedAt,
      remainingMs: d.remainingMs,
      fromRoot: isRootDelay(d),
    }));
    const inFlight: LedgerSnapshot['inFlight'][number][] = [];
    walkInFlight(actor, this.#inFlight, this.#host.clock, (entry) => inFlight.push(entry), now);
    return {
      at: now,
      delays,
      timers: [...this.#timers.values()].map((t) => ({
        kind: 'timer',
        name: t.name,
        handler: t.handler,
        payload: t.payload,
        delayMs: t.delayMs,
        dueAt: t.dueAt,
        remainingMs: remainingMs(t.dueAt, now),
      })),
      inFlight,
      leases: [...this.#leases.values()].map((l) => ({
        kind: 'lease',
        id: l.id,
        handle: l.handle,
        holder: l.holder,
        since: l.since,
        heldMs: now - l.since,
        transferable: l.transferable,
      })),
      late: [...this.#late],
    };
  }

  /** What may be carried past a restart (`persist()`): the root's own delays and every runtime timer, with remaining time. */
  carried(actor: AnyActorRef): CarriedEffect[] {
    const now = this.#host.clock.now();
    const out: CarriedEffect[] = [];
    for (const d of this.delays(actor)) {
      if (isRootDelay(d)) out.push({ kind: 'delay', id: d.id, event: d.event, delayMs: d.delayMs, remainingMs: d.remainingMs });
    }
    for (const t of this.#timers.values()) {
      out.push({ kind: 'timer', id: t.name, handler: t.handler, payload: t.payload, delayMs: t.delayMs, remainingMs: remainingMs(t.dueAt, now) });
    }
    return out;
  }

  // ── runtime timers ─────────────────────────────────────────────────────

  /** Starts (or restarts) timer `name`; refuses a delay a Node timer cannot hold. */
  startTimer(name: string, handler: string, delayMs: number, payload: unknown): void {
    if (!isTimerDelay(delayMs)) {
      // past 2^31 − 1 ms Node fires a timer at once (TimeoutOverflowWarning): refuse rather than misfire
      throw new HotswapError('INVALID_ARGUMENT', `Expected the delay of timer '${name}' to be a number from 0 to ${MAX_TIMER_MS} ms, got \`${delayMs}\``);
    }
    this.cancelTimer(name);
    const { clock } = this.#host;
    const timer: RuntimeTimer = { name, handler, payload, delayMs, dueAt: clock.now() + delayMs, handle: undefined };
    timer.handle = clock.setTimeout(() => this.#host.fireTimer(timer), delayMs);
    this.#timers.set(name, timer);
  }

  cancelTimer(name: string): void {
    const t = this.#timers.get(name);
    if (t === undefined) return;
    this.#host.clock.clearTimeout(t.handle);
    this.#timers.delete(name);
  }

  cancelAllTimers(): void {
    for (const name of [...this.#timers.keys()]) this.cancelTimer(name);
  }

  /** True when `timer` is still the pending one of its name (a firing of a replaced timer is stale). */
  isPending(timer: RuntimeTimer): boolean {
    return this.#timers.get(timer.name) === timer;
  }

  /** A timer that fired and was handled (or refused): no longer pending. */
  timerDone(timer: RuntimeTimer): void {
    if (this.#timers.get(timer.name) === timer) this.#timers.delete(timer.name);
  }

  // ── late results ───────────────────────────────────────────────────────

  recordLate(result: LateResult): void {
    bounded(this.#late, result);
  }

  // ── promises ───────────────────────────────────────────────────────────

  /** The tracked promise of a promise actor, if any. */
  promiseOf(owner: PromiseOwner): Readonly<InFlightEntry> | undefined {
    return this.#inFlight.get(owner);
  }

  /** Runs a tracked promise actor's creator — or hands an adopted promise to its new child. */
  trackPromise(src: string, args: PromiseArgs, creator: (args: PromiseArgs) => PromiseLike<unknown>, version: number): PromiseLike<unknown> {
    const adopted = this.#adoptions.get(args.self.id);
    if (adopted !== undefined) {
      // The new child takes the promise over: it owns it from now on, and stopping it aborts it.
      this.#adoptions.delete(args.self.id);
      this.#inFlight.delete(adopted.owner);
      adopted.previousOwner = adopted.owner;
      adopted.owner = args.self;
      // `adopted` stays set until the commit: neither child's stop may abort it while the install can still fail
      this.#inFlight.set(args.self, adopted);
      args.signal.addEventListener('abort', () => adopted.owner === args.self && !adopted.adopted && adopted.controller.abort(args.signal.reason), { once: true });
      return adopted.promise;
    }
    const clock = this.#host.clock;
    const controller = new AbortController();
    const entry: InFlightEntry = {
      childId: args.self.id,
      src,
      startedAt: clock.now(),
      promise: undefined as unknown as Promise<unknown>,
      controller,
      version,
      owner: args.self,
      previousOwner: undefined,
      adopted: false,
      settled: false,
    };
    // XState aborts `signal` when the child stops; an adopted promise must survive its old owner.
    args.signal.addEventListener('abort', () => entry.owner === args.self && !entry.adopted && controller.abort(args.signal.reason), { once: true });
    (entry as { promise: Promise<unknown> }).promise = Promise.resolve(creator({ ...args, signal: controller.signal }));
    this.#inFlight.set(args.self, entry);
    const settle = (outcome: 'resolved' | 'rejected'): void => {
      entry.settled = true;
      if (this.#inFlight.get(entry.owner) === entry) this.#inFlight.delete(entry.owner);
      // a sealed owner (a swapAll committed past it, its retire still to come) receives nothing any more
      if (!entry.adopted && (entry.owner.getSnapshot().status !== 'active' || relaySealed(entry.owner))) {
        this.recordLate({ id: entry.childId, src, version: entry.version, outcome, at: clock.now() });
      }
      this.#host.notifyChange();
    };
    entry.promise.then(
      () => settle('resolved'),
      () => settle('rejected'),
    );
    return entry.promise;
  }

  /**
   * Offers promises to the version being installed: the new actor's tracked promise actor with the
   * same id takes each one over instead of starting it again. Returns the undo for a refused install,
   * which hands each promise back to its old child, tracking included.
   */
  offerAdoptions(entries: readonly Readonly<InFlightEntry>[]): () => void {
    if (entries.length === 0) return noop;
    const owners = new Map<InFlightEntry, PromiseOwner>();
    for (const e of entries) {
      const entry = e as InFlightEntry;
      entry.adopted = true;
      owners.set(entry, entry.owner);
      this.#adoptions.set(entry.childId, entry);
    }
    return () => {
      for (const [entry, owner] of owners) {
        this.#inFlight.delete(entry.owner);
        entry.adopted = false;
        entry.owner = owner;
        entry.previousOwner = undefined;
        this.#inFlight.set(owner, entry);
        this.#adoptions.delete(entry.childId);
      }
      owners.clear();
    };
  }

  /** The commit point: adopted promises belong to their new children now, like any promise. */
  adoptionsCommitted(entries: readonly Readonly<InFlightEntry>[]): void {
    for (const e of entries) (e as InFlightEntry).adopted = false;
  }

  /**
   * An actor was retired: forget the promises of its stopped children unless a new version adopted
   * them. A late settlement is still recorded (the settle callback holds the entry).
   */
  forgetStopped(): void {
    for (const [owner, entry] of this.#inFlight) {
      if (!entry.adopted && owner.getSnapshot().status !== 'active') this.#inFlight.delete(owner);
    }
  }

  // ── leases ─────────────────────────────────────────────────────────────

  /** Records a new lease of `handle` to `holder`. */
  lend(handle: string, holder: string, transferable: boolean): Readonly<LeaseRecord> {
    const record: LeaseRecord = {
      id: ++leaseIds,
      handle,
      holder,
      since: this.#host.clock.now(),
      transferable,
      controller: new AbortController(),
      state: 'held',
    };
    this.#leases.set(record.id, record);
    return record;
  }

  /** Ends a held lease: released by its holder, or revoked (its signal aborts). Idempotent. */
  endLease(lease: Readonly<LeaseRecord>, how: 'released' | 'revoked'): void {
    const record = lease as LeaseRecord;
    if (record.state !== 'held') return;
    record.state = how;
    this.#leases.delete(record.id);
    if (how === 'revoked') record.controller.abort(new HotswapError('LEASE_REVOKED', `Lease of '${record.handle}' held by '${record.holder}' was revoked`));
    this.#host.notifyChange();
  }

  revokeAll(): void {
    for (const lease of [...this.#leases.values()]) this.endLease(lease, 'revoked');
  }
}

const noop = (): void => undefined;
