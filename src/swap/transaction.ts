/**
 * One swap attempt on one live component, as the phases of docs/design.md §2. `swap()` runs one
 * transaction start to end; `swapAll()` runs several in lockstep so they commit all or none.
 */
import { randomUUID } from 'node:crypto';
import type { AnyActorRef } from 'xstate';
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import type { InFlightEntry, LeaseRecord } from '../ledger/effect-ledger.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { type AnyLineage, pathBetween, type PathStep } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { persistedSnapshotOf, persistState, restorable } from '../xstate/adapter.ts';
import { migrateAlong } from '../migrate/migrate.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { planDelays, type Rearm } from './_internal/delays.ts';
import { findBlocking } from './_internal/quiescence.ts';
import { abortReason, runPreconditions } from './_internal/preconditions.ts';
import { drain } from './_internal/drain.ts';
import { journalReport, type MutableEffects, NO_EFFECTS, unacceptedHeld } from './_internal/parts.ts';
import { DEFAULT_DEADLINE_MS, resolvePolicies, type SwapOptions, type SwapPolicies } from './options.ts';
import type { SwapJournal, SwapPhase, SwapReport } from './report.ts';

const MIGRATION_KINDS = new Set(['migration-threw', 'migration-mutated-input', 'migration-bad-output', 'irreversible']);
const µs = (from: number): number => Math.round((performance.now() - from) * 1000);


/** What one transaction is asked to do. */
export interface SwapRequest {
  readonly target: number | AnyVersion;
  readonly options?: SwapOptions | undefined;
  /** Where the attempt is recorded (G8). */
  readonly journal: SwapJournal;
  /** Undoes the component's last committed swap (its history entry comes off on commit). */
  readonly revert?: boolean;
}

export class SwapTransaction {
  readonly id = randomUUID();
  readonly core: ComponentCore;
  readonly targetNumber: number;
  readonly from: number;
  readonly policies: Required<SwapPolicies>;
  readonly options: SwapOptions;
  readonly lineage: AnyLineage;
  readonly #t0 = performance.now();
  readonly #at = new Date().toISOString();
  readonly timings: Partial<Record<SwapPhase, number>> = {};
  blockers: Blocker[] = [];
  phase: SwapPhase | undefined;
  path: LinkRef[] = [];
  #steps: PathStep[] = [];
  #target: AnyVersion | undefined;
  #locked = false;
  #pauseStart: number | undefined;
  /** The last timing mark (`performance.now()`): each phase ends with {@link SwapTransaction.#lap}. */
  #mark = 0;
  #pauseUs = 0;
  #held = 0;
  #deadlineAt = 0;
  /** When the attempt began on the runtime's clock: its deadline counts from here. */
  #startedAt = 0;
  #persisted: PersistedSnapshot | undefined;
  #migrated: PersistedSnapshot | undefined;
  #rearm: readonly Rearm[] = [];
  #cancelTimers: readonly string[] = [];
  #adopt: readonly Readonly<InFlightEntry>[] = [];
  #revoke: Readonly<LeaseRecord>[] = [];
  /** Hands adopted promises back to their old children: set while an install may still be refused. */
  #undoAdoptions: () => void = () => undefined;
  #newActor: AnyActorRef | undefined;
  #committed = false;
  /** The phase running now, for a report when something throws. */
  #at_phase: SwapPhase = 'plan';
  /** Errors that did not stop the swap but belong in its report (after commit, journal). */
  readonly errors: string[] = [];
  readonly effects: MutableEffects = { carried: [], restarted: [], cancelled: [], adopted: [], aborted: [], transferred: [], revoked: [] };
  #resolveDone!: () => void;

  readonly #expected: AnyVersion | undefined;
  readonly #journal: SwapJournal;
  /** Undoes the component's last committed swap: on commit, its history entry comes off instead of on. */
  readonly #revert: boolean;

  /**
   * `target` a version number, or a version object — which must then be that version of the lineage
   * used (checked in plan, whoever asks: `swap`, `swapOrThrow`, `revert` and `swapAll` share this path).
   */
  constructor(core: ComponentCore, { target, options = {}, revert = false, journal }: SwapRequest) {
    this.#journal = journal;
    this.#expected = typeof target === 'number' ? undefined : target;
    this.#revert = revert;
    this.core = core;
    this.targetNumber = typeof target === 'number' ? target : target.version;
    this.from = core.version.version;
    this.options = options;
    this.policies = resolvePolicies(options.policies);
    this.lineage = options.lineage ?? core.lineage;
    // The caller's signal, and the component's own: `stop()` cuts a swap in progress short.
    this.signal = options.signal === undefined ? core.stopSignal : AbortSignal.any([options.signal, core.stopSignal]);
    // One deadline for the whole attempt (preconditions, then quiesce), so a swap is bounded by it.
    this.#startedAt = core.clock.now();
    this.#deadlineAt = this.#startedAt + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  }

  /** Aborts the attempt before the commit point: the caller's signal, or the component stopping. */
  readonly signal: AbortSignal;

  get committed(): boolean {
    return this.#committed;
  }

  #refuse(phase: SwapPhase, blockers: readonly Blocker[]): false {
    this.phase = phase;
    this.blockers.push(...blockers);
    return false;
  }

  /** False (refused, phase `phase`) when the caller's signal has fired: checked between phases. */
  #notAborted(phase: SwapPhase): boolean {
    if (this.signal?.aborted !== true) return true;
    return this.#refuse(phase, [blocker('aborted', { reason: abortReason(this.signal) })]);
  }

  /**
   * Something threw inside the pipeline (a policy function, an invariant's dependency, XState): the
   * swap is refused with what threw, and — before the commit point — the old version resumes (G7).
   */
  crashed(error: unknown): void {
    const e = describeError(error);
    if (this.#committed) {
      this.errors.push(`after commit: ${e.name}: ${e.message}`);
      return;
    }
    this.#refuse(this.#at_phase, [blocker('aborted', { reason: `${this.#at_phase} threw ${e.name}: ${e.message}` })]);
    try {
      this.rollback();
    } catch (again) {
      this.errors.push(`rollback: ${describeError(again).message}`);
    }
  }

  // ── plan ─────────────────────────────────────────────────────────────────

  /** Checks the request and takes the component's swap lock. False (with blockers) when refused. */
  begin(): boolean {
    const t = performance.now();
    try {
      const { core } = this;
      if (core.mode === 'stopped') return this.#refuse('plan', [blocker('component-stopped', { component: core.id })]);
      if (core.swapping !== undefined) {
        const s = core.swapping;
        return this.#refuse('plan', [blocker('swap-in-progress', { swapId: s.id, target: s.target, since: s.since })]);
      }
      const l = this.lineage;
      if (l.name !== core.name || l.get(this.from) !== core.version) {
        return this.#refuse('plan', [blocker('lineage-mismatch', { expected: core.name, got: l.name, version: this.from })]);
      }
      if (!this.#notAborted('plan')) return false;
      const target = l.get(this.targetNumber);
      if (target === undefined) {
        return this.#refuse('plan', [blocker('unknown-version', { version: this.targetNumber, known: l.versions.map((v) => v.version) })]);
      }
      if (this.#expected !== undefined && target !== this.#expected) {
        return this.#refuse('plan', [
          blocker('aborted', { reason: `the version passed is not v${this.targetNumber} of lineage '${l.name}' (pass the lineage it belongs to as options.lineage)` }),
        ]);
      }
      if (target === core.version) return this.#refuse('plan', [blocker('same-version', { version: this.from })]);
      this.#steps = pathBetween(l, this.from, this.targetNumber) ?? [];
      this.path = this.#steps.map((s) => ({ from: s.from.version, to: s.to.version }));
      const irreversible = this.#steps.filter((s) => s.run === undefined);
      if (irreversible.length > 0) {
        return this.#refuse(
          'plan',
          irreversible.map((s) => blocker('irreversible', { link: { from: s.to.version, to: s.from.version } })),
        );
      }
      this.#target = target;
      const done = new Promise<void>((resolve) => (this.#resolveDone = resolve));
      core.lock({ id: this.id, target: this.targetNumber, since: core.clock.now(), done });
      this.#locked = true;
      return true;
    } finally {
      this.timings.plan = µs(t);
    }
  }

  /** Runs the caller's preconditions as live queries, before anything pauses (at once when there are none). */
  preconditions(): boolean | Promise<boolean> {
    const checks = this.options.preconditions;
    if (checks === undefined || checks === null || Object.keys(checks).length === 0) return true;
    return this.#runPreconditions(checks);
  }

  async #runPreconditions(checks: NonNullable<SwapOptions['preconditions']>): Promise<boolean> {
    const t = performance.now();
    const failures = await runPreconditions(this.core, checks, {
      from: this.from,
      to: this.targetNumber,
      deadlineAt: this.#deadlineAt,
      deadlineMs: this.options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      signal: this.signal,
    });
    this.timings.plan = (this.timings.plan ?? 0) + µs(t);
    return failures.length === 0 ? true : this.#refuse('plan', failures);
  }

  // ── quiesce ──────────────────────────────────────────────────────────────

  /** From here on, `send` holds events in the mailbox. */
  hold(deadlineAt = this.#deadlineAt): void {
    this.core.hold();
    this.#pauseStart = this.#mark = performance.now();
    this.#deadlineAt = deadlineAt;
  }

  /**
   * Waits, up to the deadline, until the component is quiescent. Synchronous when it already is (or
   * cannot become so): the common swap does not give up its turn between pausing and migrating.
   */
  quiesce(): boolean | Promise<boolean> {
    this.#at_phase = 'quiesce';
    // timed from `hold()`: the time this component has been held until it is quiescent
    let waiting = false;
    try {
      const { hard, soft, watch } = findBlocking(this.core, this.policies, this.#target!);
      if (hard.length === 0 && soft.length > 0) {
        waiting = true;
        return this.#waitQuiescent(soft, watch);
      }
      return hard.length > 0 ? this.#refuse('quiesce', [...hard, ...soft]) : this.#notAborted('quiesce');
    } finally {
      if (!waiting) this.timings.quiesce = this.#lap();
    }
  }

  async #waitQuiescent(blocking: Blocker[], watching: readonly AnyActorRef[]): Promise<boolean> {
    let soft = blocking;
    let watch = watching;
    try {
      for (;;) {
        const why = await this.core.waitForChange(this.#deadlineAt, this.signal, watch);
        if (why === 'aborted') return this.#refuse('quiesce', [blocker('aborted', { reason: abortReason(this.signal) }), ...soft]);
        if (why === 'deadline') {
          // Leases alone still block: under `revoke` the swap goes on, and they are revoked at the commit
          // point — a swap refused later (migrate, verify, install) leaves them held (G2).
          if (this.policies.leases === 'revoke' && soft.every((b) => b.kind === 'lease-outstanding')) {
            this.#revoke = [...this.core.effects.leases.values()].filter((l) => !l.transferable);
            return this.#notAborted('quiesce');
          }
          const still = findBlocking(this.core, this.policies, this.#target!);
          return this.#refuse('quiesce', [blocker('quiesce-timeout', { waitedMs: this.core.clock.now() - this.#startedAt }), ...still.hard, ...still.soft]);
        }
        const now = findBlocking(this.core, this.policies, this.#target!);
        if (now.hard.length > 0) return this.#refuse('quiesce', [...now.hard, ...now.soft]);
        if (now.soft.length === 0) return this.#notAborted('quiesce');
        soft = now.soft;
        watch = now.watch;
      }
    } finally {
      this.timings.quiesce = this.#lap();
    }
  }

  // ── drain, migrate, verify (synchronous: nothing runs between them) ─────

  prepare(): boolean {
    if (!this.#notAborted('drain')) return false;
    this.#at_phase = 'drain';
    const { core, policies } = this;
    const target = this.#target!;
    this.#mark = performance.now();
    const drained = drain(core, policies, target, this.effects);
    this.#cancelTimers = drained.cancelTimers;
    this.#adopt = drained.adopt;
    this.timings.drain = this.#lap();
    if (drained.blockers.length > 0) return this.#refuse('drain', drained.blockers);

    this.#at_phase = 'migrate';
    const persisted = persistState(core.actor);
    this.#persisted = persisted.snapshot;
    const r = migrateAlong(this.lineage, this.#steps, this.path, this.#persisted, this.from, this.targetNumber, persisted.actorRefs);
    this.timings.migrate = this.#lap();
    if (!r.ok) return this.#refuse(r.blockers.some((b) => MIGRATION_KINDS.has(b.kind)) ? 'migrate' : 'verify', r.blockers);
    this.#migrated = r.snapshot;

    this.#at_phase = 'verify';
    const plan = planDelays(drained.carryable, {
      lineage: this.lineage,
      steps: this.#steps,
      from: core.version,
      to: target,
      migratedValue: r.snapshot.value,
      policy: policies.delays,
    });
    const unaccepted = core.mailbox.size === 0 ? [] : unacceptedHeld(core.mailbox.items(), target);
    this.timings.verify = this.#lap();
    if (plan.blockers.length > 0 || unaccepted.length > 0) return this.#refuse('verify', [...plan.blockers, ...unaccepted]);
    this.#rearm = plan.rearm;
    for (const id of plan.carried) this.effects.carried.push(id);
    for (const id of plan.restarted) this.effects.restarted.push(id);
    for (const id of plan.cancelled) this.effects.cancelled.push(id);
    return true;
  }

  // ── install ──────────────────────────────────────────────────────────────

  install(): boolean {
    if (!this.#notAborted('install')) return false;
    this.#at_phase = 'install';
    this.#mark = performance.now();
    const { core } = this;
    const target = this.#target!;
    this.#undoAdoptions = core.effects.offerAdoptions(this.#adopt);
    // XState writes revived actor refs into the (frozen) objects holding their markers: thaw those paths
    const launched = core.launch(target, restorable(this.#migrated!), this.#rearm);
    this.timings.install = this.#lap();
    if (!launched.ok) {
      this.#undoAdoptions();
      return this.#refuse('install', [blocker('install-failed', { version: target.version, error: describeError(launched.error) })]);
    }
    this.#newActor = launched.actor;
    this.effects.adopted.push(...this.#adopt.map((e) => e.childId));
    return true;
  }

  // ── commit or roll back, then resume ─────────────────────────────────────

  /** The commit point: the new actor takes over; the old one stops without running old code. */
  commit(): void {
    this.#mark = performance.now();
    const { core } = this;
    for (const name of this.#cancelTimers) core.effects.cancelTimer(name);
    const old = core.actor;
    core.attach(this.#newActor!, this.#target!);
    core.committed(this.from, this.lineage, this.#revert);
    this.#committed = true;
    this.#at_phase = 'resume';
    core.effects.adoptionsCommitted(this.#adopt); // the new children own them now, like any promise
    for (const lease of this.#revoke) {
      core.effects.endLease(lease, 'revoked');
      this.effects.revoked.push(lease.handle);
    }
    core.emit(this.#newActor!.getSnapshot());
    this.#held = core.deliverHeld();
    this.#endPause();
    // Still synchronous with the commit: nothing of the old actor can run between attach and here.
    core.retire(old);
    this.timings.resume = this.#lap();
  }

  /** Before the commit point: the old actor resumes, untouched, and gets the held events in order (G2). */
  rollback(): void {
    if (this.#newActor !== undefined) {
      this.core.retire(this.#newActor);
      this.#newActor = undefined;
      this.#undoAdoptions();
    }
    if (this.#pauseStart !== undefined) {
      // the state the attempt leaves behind, before the held events move it on
      this.#persisted ??= persistedSnapshotOf(this.core.actor);
      if (this.core.mode !== 'stopped') this.#held = this.core.deliverHeld();
    }
    this.#endPause();
  }

  #endPause(): void {
    if (this.#pauseStart !== undefined) this.#pauseUs = µs(this.#pauseStart);
    this.#pauseStart = undefined;
  }

  /** µs since the last mark, and a new mark: one clock read per phase boundary. */
  #lap(): number {
    const now = performance.now();
    const us = Math.round((now - this.#mark) * 1000);
    this.#mark = now;
    return us;
  }

  /** Releases the lock, writes the journal entry (G8) and returns the report. Never throws. */
  async finish(): Promise<SwapReport> {
    const { core } = this;
    if (this.#locked) {
      core.unlock();
      this.#locked = false;
      this.#resolveDone();
    }
    const committed = this.#committed;
    const before = this.#persisted ?? persistedSnapshotOf(core.actor);
    return journalReport(core, this.#journal, {
      id: this.id,
      component: core.name,
      outcome: committed ? 'committed' : 'refused',
      from: this.from,
      to: this.targetNumber,
      path: this.path,
      ...(committed || this.phase === undefined ? {} : { phase: this.phase }),
      blockers: this.blockers,
      timings: this.timings,
      totalUs: µs(this.#t0),
      pauseUs: this.#pauseUs,
      held: this.#held,
      // a refused swap carried, cancelled, adopted, aborted or revoked nothing
      effects: committed ? this.effects : NO_EFFECTS,
      at: this.#at,
    }, before, committed ? this.#migrated : before, this.errors);
  }

}
