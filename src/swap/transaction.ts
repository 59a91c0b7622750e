/**
 * One swap attempt on one live component: the seven steps of docs/design.md §2 (src/swap/plan.ts …
 * resume.ts), composed — each step takes typed input and returns its result, and the transaction
 * keeps only what a later step needs, the lock, the timings and the report. `swap()` runs one
 * transaction start to end; `swapAll()` runs several in lockstep so they commit all or none.
 */
import { randomUUID } from 'node:crypto';
import type { AnyActorRef } from 'xstate';
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import type { LeaseRecord } from '../ledger/effect-ledger.ts';
import type { AnyLineage, PathStep } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { persistedSnapshotOf } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { abortReason, runPreconditions } from './_internal/preconditions.ts';
import { journalReport, type MutableEffects, NO_EFFECTS } from './_internal/parts.ts';
import { drain, type Drained } from './drain.ts';
import { install } from './install.ts';
import { migrateStep } from './migrate.ts';
import { DEFAULT_DEADLINE_MS, resolvePolicies, type SwapOptions, type SwapPolicies } from './options.ts';
import { plan } from './plan.ts';
import { quiesce, type QuiesceResult } from './quiesce.ts';
import type { SwapJournal, SwapPhase, SwapReport } from './report.ts';
import { resume } from './resume.ts';
import { verify } from './verify.ts';
import type { ShadowRing } from './_internal/replay.ts';
import { rehearsePlanned } from './rehearse.ts';

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);
const noop = (): void => undefined;

/** What one transaction is asked to do. */
export interface SwapRequest {
  readonly target: number | AnyVersion;
  readonly options?: SwapOptions | undefined;
  /** Where the attempt is recorded (G8). */
  readonly journal: SwapJournal;
  /** Undoes the component's last committed swap (its history entry comes off on commit). */
  readonly revert?: boolean;
  /** Called at the commit point with the old version's state then (a probation keeps it). */
  readonly onCommit?: ((before: PersistedSnapshot) => void) | undefined;
  /** The component's recorded events, for a rehearsal's shadow replay. */
  readonly shadow?: ShadowRing | undefined;
}

export class SwapTransaction {
  readonly id = randomUUID();
  readonly core: ComponentCore;
  readonly targetNumber: number;
  readonly from: number;
  readonly policies: Required<SwapPolicies>;
  readonly options: SwapOptions;
  readonly lineage: AnyLineage;
  /** Aborts the attempt before the commit point: the caller's signal, or the component stopping. */
  readonly signal: AbortSignal;
  readonly timings: Partial<Record<SwapPhase, number>> = {};
  readonly blockers: Blocker[] = [];
  /** Errors that did not stop the swap but belong in its report (after commit, journal). */
  readonly errors: string[] = [];
  readonly effects: MutableEffects = { carried: [], restarted: [], cancelled: [], adopted: [], aborted: [], transferred: [], revoked: [] };
  /** The phase that refused. */
  phase: SwapPhase | undefined;
  path: readonly LinkRef[] = [];
  readonly #t0 = performance.now();
  readonly #at = new Date().toISOString();
  readonly #journal: SwapJournal;
  /** The version object the caller passed (checked in plan), and whether this undoes the last swap. */
  readonly #expected: AnyVersion | undefined;
  readonly #revert: boolean;
  readonly #shadow: ShadowRing | undefined;
  readonly #onCommit: ((before: PersistedSnapshot) => void) | undefined;
  /** When the attempt began on the component's clock (its deadline counts from here), and its deadline. */
  readonly #startedAt: number;
  #deadlineAt: number;
  // what later steps need of earlier ones
  #steps: readonly PathStep[] = [];
  #target: AnyVersion | undefined;
  #drained: Drained | undefined;
  #revoke: readonly Readonly<LeaseRecord>[] = [];
  #before: PersistedSnapshot | undefined;
  #migrated: PersistedSnapshot | undefined;
  #rearm: Parameters<typeof install>[1]['rearm'] = [];
  #newActor: AnyActorRef | undefined;
  #undoAdoptions: () => void = noop;
  // lock, phase and timing
  #resolveDone: (() => void) | undefined;
  #committed = false;
  /** The phase running now, for a report when something throws. */
  #running: SwapPhase = 'plan';
  #pauseStart: number | undefined;
  /** The last timing mark (`performance.now()`): each phase ends with {@link SwapTransaction.#lap}. */
  #mark = 0;
  #pauseUs = 0;
  #held = 0;

  /**
   * `target` a version number, or a version object — which must then be that version of the lineage
   * used (checked in plan, whoever asks: `swap`, `swapOrThrow`, `revert` and `swapAll` share this path).
   */
  constructor(core: ComponentCore, request: SwapRequest) {
    const { target, options = {}, revert = false, journal } = request;
    this.core = core;
    this.#journal = journal;
    this.#expected = typeof target === 'number' ? undefined : target;
    this.#revert = revert;
    this.#shadow = request.shadow;
    this.#onCommit = request.onCommit;
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
    if (!this.signal.aborted) return true;
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
    this.#refuse(this.#running, [blocker('aborted', { reason: `${this.#running} threw ${e.name}: ${e.message}` })]);
    try {
      this.rollback();
    } catch (again) {
      this.errors.push(`rollback: ${describeError(again).message}`);
    }
  }

  // ── plan ─────────────────────────────────────────────────────────────────

  /** The plan step, then the component's swap lock. False (with blockers) when refused. */
  plan(): boolean {
    const t = performance.now();
    try {
      const planned = plan(this.core, { lineage: this.lineage, target: this.targetNumber, expected: this.#expected, signal: this.signal });
      this.path = planned.path;
      if (!planned.ok) return this.#refuse('plan', planned.blockers);
      this.#steps = planned.steps;
      this.#target = planned.target;
      const done = new Promise<void>((resolve) => (this.#resolveDone = resolve));
      this.core.lock({ id: this.id, target: this.targetNumber, since: this.core.clock.now(), done });
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

  /** `options.rehearse`: the rehearsal of this planned swap, before anything pauses; its blockers refuse it. */
  rehearse(): boolean {
    const asked = this.options.rehearse;
    if (asked === undefined) return true;
    const t = performance.now();
    const options = asked === true ? {} : asked;
    const r = rehearsePlanned(this.core, { lineage: this.lineage, steps: this.#steps, path: this.path, target: this.#target!, policies: this.policies, options, shadow: this.#shadow });
    this.timings.plan = (this.timings.plan ?? 0) + µs(t);
    return r.ok || this.#refuse('plan', r.blockers);
  }

  // ── quiesce ──────────────────────────────────────────────────────────────

  /** From here on, `send` holds events in the mailbox: the pause begins. */
  hold(deadlineAt = this.#deadlineAt): void {
    this.core.hold();
    this.#pauseStart = this.#mark = performance.now();
    this.#deadlineAt = deadlineAt;
  }

  /** The quiesce step, timed from `hold()`. Synchronous when nothing must be waited for. */
  quiesce(): boolean | Promise<boolean> {
    this.#running = 'quiesce';
    let r: QuiesceResult | Promise<QuiesceResult>;
    try {
      r = quiesce(this.core, { policies: this.policies, target: this.#target!, startedAt: this.#startedAt, deadlineAt: this.#deadlineAt, signal: this.signal });
    } catch (error) {
      this.timings.quiesce = this.#lap(); // a check that throws is timed too
      throw error;
    }
    if (!(r instanceof Promise)) return this.#quiesced(r);
    return r.then(
      (q) => this.#quiesced(q),
      (error: unknown) => {
        this.timings.quiesce = this.#lap();
        throw error;
      },
    );
  }

  #quiesced(r: QuiesceResult): boolean {
    this.timings.quiesce = this.#lap();
    if (!r.ok) return this.#refuse('quiesce', r.blockers);
    this.#revoke = r.revoke;
    return true;
  }

  // ── drain, migrate, verify (synchronous: nothing runs between them) ─────

  drain(): boolean {
    if (!this.#notAborted('drain')) return false;
    this.#running = 'drain';
    this.#mark = performance.now();
    const drained = (this.#drained = drain(this.core, this.policies, this.#target!, this.effects));
    this.timings.drain = this.#lap();
    return drained.ok || this.#refuse('drain', drained.blockers);
  }

  migrate(): boolean {
    this.#running = 'migrate';
    const r = migrateStep(this.core, { lineage: this.lineage, steps: this.#steps, path: this.path, from: this.from, to: this.targetNumber });
    this.#before = r.before;
    this.timings.migrate = this.#lap();
    if (!r.ok) return this.#refuse(r.phase, r.blockers);
    this.#migrated = r.migrated;
    return true;
  }

  verify(): boolean {
    this.#running = 'verify';
    const { core } = this;
    const r = verify({
      lineage: this.lineage,
      steps: this.#steps,
      from: core.version,
      to: this.#target!,
      migratedValue: this.#migrated!.value,
      delays: this.#drained!.carryable,
      delayPolicy: this.policies.delays,
      held: core.mailbox.size === 0 ? undefined : core.mailbox.items(),
    });
    this.timings.verify = this.#lap();
    if (!r.ok) return this.#refuse('verify', r.blockers);
    this.#rearm = r.rearm;
    for (const id of r.carried) this.effects.carried.push(id);
    for (const id of r.restarted) this.effects.restarted.push(id);
    for (const id of r.cancelled) this.effects.cancelled.push(id);
    return true;
  }

  // ── install ──────────────────────────────────────────────────────────────

  install(): boolean {
    if (!this.#notAborted('install')) return false;
    this.#running = 'install';
    this.#mark = performance.now();
    const adopt = this.#drained!.adopt;
    const r = install(this.core, { target: this.#target!, snapshot: this.#migrated, rearm: this.#rearm, adopt });
    this.timings.install = this.#lap();
    if (!r.ok) return this.#refuse('install', r.blockers);
    this.#newActor = r.actor;
    this.#undoAdoptions = r.undo;
    for (const e of adopt) this.effects.adopted.push(e.childId);
    return true;
  }

  // ── resume (the commit point), or roll back ──────────────────────────────

  /** The commit point and the resume: the new actor takes over; the old one stops without running old code. */
  resume(): void {
    this.#mark = performance.now();
    const r = resume(this.core, {
      actor: this.#newActor!,
      target: this.#target!,
      lineage: this.lineage,
      from: this.from,
      revert: this.#revert,
      cancelTimers: this.#drained!.cancelTimers,
      adopt: this.#drained!.adopt,
      revoke: this.#revoke,
      effects: this.effects,
      onCommit: () => {
        this.#committed = true;
        this.#running = 'resume';
        this.#onCommit?.(this.#before!);
      },
    });
    this.#held = r.held;
    this.#endPause(r.resumedAt);
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
      this.#before ??= persistedSnapshotOf(this.core.actor);
      if (this.core.mode !== 'stopped') this.#held = this.core.deliverHeld();
    }
    this.#endPause(performance.now());
  }

  #endPause(at: number): void {
    if (this.#pauseStart !== undefined) this.#pauseUs = Math.round((at - this.#pauseStart) * 1000);
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
    if (this.#resolveDone !== undefined) {
      core.unlock();
      this.#resolveDone();
      this.#resolveDone = undefined;
    }
    const committed = this.#committed;
    const before = this.#before ?? persistedSnapshotOf(core.actor);
    const report = {
      id: this.id,
      component: core.name,
      outcome: committed ? ('committed' as const) : ('refused' as const),
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
    };
    return journalReport(core, this.#journal, report, before, committed ? this.#migrated : before, this.errors);
  }
}
