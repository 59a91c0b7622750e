/**
 * One swap attempt on one live component: the seven steps of docs/design.md §2 (src/swap/plan.ts …
 * resume.ts), composed — each step takes typed input and returns its result, and the transaction
 * keeps only what a later step needs, the lock, the timings and the report. `swap()` runs one
 * transaction start to end; `swapAll()` runs several in lockstep so they commit all or none.
 */
import type { AnyActorRef } from 'xstate';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import type { LeaseRecord } from '../ledger/effect-ledger.ts';
import type { AnyLineage, PathStep } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { persistedSnapshotOf } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { abortReason, runPreconditions } from './_internal/preconditions.ts';
import { appendReport, movedSince, NONE, stateHashes, withHashes, type Writable } from './_internal/parts.ts';
import { SwapRecord } from './_internal/record.ts';
import { drain, type Drained } from './drain.ts';
import { install } from './install.ts';
import { migrateStep } from './migrate.ts';
import { DEFAULT_DEADLINE_MS, resolvePolicies, type SwapOptions, type SwapPolicies } from './options.ts';
import { plan } from './plan.ts';
import { precopy, type PrecopyOutcome } from './precopy.ts';
import { quiesce, type QuiesceResult } from './quiesce.ts';
import type { SwapJournal, SwapPhase, SwapReport } from './report.ts';
import type { SwapRequest } from './request.ts';
import { resume } from './resume.ts';
import { PhaseClock, Stretch, turn } from './_internal/stretch.ts';
import { verify } from './verify.ts';
import { rehearsePlanned } from './rehearse.ts';

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);
const noop = (): void => undefined;
/** The policies of every swap that names none: resolved once, shared (nothing writes to them). */
const DEFAULT_POLICIES: Required<SwapPolicies> = Object.freeze(resolvePolicies(undefined));

/**
 * A swap whose synchronous stretch already took longer than this yields to the event loop before
 * hashing its states: what queued up during the pause (requests, a worker's event batches) is served
 * first. A tiny swap (tens of µs) does not wait; one of a few-KB state (~0.5–1 ms) splits in two.
 */
const YIELD_AFTER_MS = 0.25;

/** One swap attempt: the steps; what it records, and its lock, are its {@link SwapRecord}'s. */
export class SwapTransaction extends SwapRecord {
  readonly policies: Required<SwapPolicies>;
  readonly options: SwapOptions;
  readonly lineage: AnyLineage;
  /** Aborts the attempt before the commit point: the caller's signal, or the component stopping. */
  readonly signal: AbortSignal;
  readonly #journal: SwapJournal;
  /** The version object the caller passed (checked in plan), and whether this undoes the last swap. */
  readonly #expected: AnyVersion | undefined;
  readonly #revert: boolean;
  /** What was asked that is read later (not the whole request: a `swapAll` keeps 10,000 transactions). */
  readonly #onLocked: SwapRequest['onLocked'];
  readonly #onCommit: SwapRequest['onCommit'];
  readonly #shadow: SwapRequest['shadow'];
  /** When the attempt began on the component's clock (its deadline counts from here), and its deadline. */
  readonly #startedAt: number;
  #deadlineAt: number;
  // what later steps need of earlier ones
  #steps: readonly PathStep[] = NONE;
  #target: AnyVersion | undefined;
  #drained: Drained | undefined;
  #revoke: readonly Readonly<LeaseRecord>[] = NONE;
  #before: PersistedSnapshot | undefined;
  #migrated: PersistedSnapshot | undefined;
  #rearm: Parameters<typeof install>[1]['rearm'] = NONE;
  #newActor: AnyActorRef | undefined;
  /** The old and new actors' snapshots, and how many events were held, when install finished (see {@link SwapTransaction.unmoved}). */
  #installed: { readonly old: unknown; readonly fresh: unknown; readonly held: number } | undefined;
  #undoAdoptions: () => void = noop;
  // phase and timing
  #committed = false;
  /** The phase running now, for a report when something throws. */
  #running: SwapPhase = 'plan';
  readonly #clock = new PhaseClock();
  /** The pre-copy's wall time (µs), when it walked anything. */
  #precopyUs: number | undefined;
  #held = 0;
  /** The synchronous stretches: the longest is the report's `blockUs`. */
  readonly #stretch = new Stretch();

  constructor(core: ComponentCore, request: SwapRequest) {
    const { target, options = {}, revert = false, journal, groupSignal, onLocked } = request;
    super(core, typeof target === 'number' ? target : target.version);
    this.#journal = journal;
    this.#expected = typeof target === 'number' ? undefined : target;
    this.#revert = revert;
    this.#onLocked = onLocked;
    this.#onCommit = request.onCommit;
    this.#shadow = request.shadow;
    this.options = options;
    this.policies = options.policies === undefined ? DEFAULT_POLICIES : resolvePolicies(options.policies);
    this.lineage = options.lineage ?? core.lineage;
    // The caller's signal, and the component's own: `stop()` cuts a swap in progress short.
    this.signal = groupSignal ?? (options.signal === undefined ? core.stopSignal : AbortSignal.any([options.signal, core.stopSignal]));
    // One deadline for the whole attempt (preconditions, then quiesce), so a swap is bounded by it.
    this.#startedAt = core.clock.now();
    this.#deadlineAt = this.#startedAt + (options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  }

  get committed(): boolean {
    return this.#committed;
  }

  /** False (refused, phase `phase`) when the caller's signal has fired: checked between phases. */
  #notAborted(phase: SwapPhase): boolean {
    if (!this.signal.aborted) return true;
    return this.refuse(phase, [blocker('aborted', { reason: abortReason(this.signal) })]);
  }

  /**
   * Something threw inside the pipeline (a policy function, an invariant's dependency, XState): the
   * swap is refused with what threw, and — before the commit point — the old version resumes (G7).
   */
  crashed(error: unknown): void {
    const e = describeError(error);
    if (this.#committed) {
      this.recordError(`after commit: ${e.name}: ${e.message}`);
      return;
    }
    this.refuse(this.#running, [blocker('aborted', { reason: `${this.#running} threw ${e.name}: ${e.message}` })]);
    try {
      this.rollback();
    } catch (again) {
      this.recordError(`rollback: ${describeError(again).message}`);
    }
  }

  // ── plan ─────────────────────────────────────────────────────────────────

  /** The plan step, then the component's swap lock. False (with blockers) when refused. */
  plan(): boolean {
    const t = performance.now();
    try {
      const planned = plan(this.core, { lineage: this.lineage, target: this.targetNumber, expected: this.#expected, signal: this.signal });
      this.path = planned.path;
      if (!planned.ok) return this.refuse('plan', planned.blockers);
      this.#steps = planned.steps;
      this.#target = planned.target;
      this.takeLock();
      this.#onLocked?.();
      return true;
    } finally {
      this.timings.plan = µs(t);
    }
  }

  /** Runs the caller's preconditions as live queries, before anything pauses (at once when there are none). */
  preconditions(): boolean | Promise<boolean> {
    const checks = this.options.preconditions;
    if (checks === undefined || checks === null || Object.keys(checks).length === 0) return true;
    const t = performance.now();
    const o = { from: this.from, to: this.targetNumber, deadlineAt: this.#deadlineAt, deadlineMs: this.options.deadlineMs ?? DEFAULT_DEADLINE_MS, signal: this.signal };
    return this.#stretch.wait(runPreconditions(this.core, checks, o)).then((failures) => {
      this.timings.plan = (this.timings.plan ?? 0) + µs(t);
      return failures.length === 0 ? true : this.refuse('plan', failures);
    });
  }

  /** `options.rehearse`: the rehearsal of this planned swap, before anything pauses; its blockers refuse it. */
  rehearse(): boolean {
    const asked = this.options.rehearse;
    if (asked === undefined) return true;
    const t = performance.now();
    const options = asked === true ? {} : asked;
    const r = rehearsePlanned(this.core, { lineage: this.lineage, steps: this.#steps, path: this.path, target: this.#target!, policies: this.policies, options, shadow: this.#shadow });
    this.timings.plan = (this.timings.plan ?? 0) + µs(t);
    return r.ok || this.refuse('plan', r.blockers);
  }

  // ── quiesce ──────────────────────────────────────────────────────────────

  /** The pre-copy (src/swap/precopy.ts): before the pause, in slices; its time does not count against the quiesce deadline. */
  precopy(): boolean | Promise<boolean> {
    this.#running = 'quiesce';
    const r = precopy(this.core, { signal: this.signal, deadlineMs: this.options.deadlineMs ?? DEFAULT_DEADLINE_MS, stretch: this.#stretch });
    return r instanceof Promise ? r.then((o) => this.#precopied(o)) : this.#precopied(r);
  }

  #precopied(r: PrecopyOutcome): boolean {
    this.#deadlineAt += r.clockMs;
    if (!r.ok) return this.refuse('quiesce', r.blockers);
    if (r.rounds > 0) this.#precopyUs = r.us;
    return true;
  }

  /** From here on, `send` holds events in the mailbox: the pause begins. */
  hold(deadlineAt = this.#deadlineAt): void {
    this.core.hold();
    this.#clock.pauseBegins();
    this.#deadlineAt = deadlineAt;
  }

  /** The quiesce step, timed from `hold()`. Synchronous when nothing must be waited for. */
  quiesce(): boolean | Promise<boolean> {
    this.#running = 'quiesce';
    let r: QuiesceResult | Promise<QuiesceResult>;
    try {
      r = quiesce(this.core, { policies: this.policies, target: this.#target!, startedAt: this.#startedAt, deadlineAt: this.#deadlineAt, signal: this.signal });
    } catch (error) {
      this.timings.quiesce = this.#clock.lap(); // a check that throws is timed too
      throw error;
    }
    if (!(r instanceof Promise)) return this.#quiesced(r);
    this.#stretch.waits();
    return r.then(
      (q) => {
        this.#stretch.resumes();
        return this.#quiesced(q);
      },
      (error: unknown) => {
        this.timings.quiesce = this.#clock.lap();
        throw error;
      },
    );
  }

  #quiesced(r: QuiesceResult): boolean {
    this.timings.quiesce = this.#clock.lap();
    if (!r.ok) return this.refuse('quiesce', r.blockers);
    this.#revoke = r.revoke;
    return true;
  }

  // ── drain, migrate, verify (synchronous: nothing runs between them) ─────

  drain(): boolean {
    if (!this.#notAborted('drain')) return false;
    this.#running = 'drain';
    this.#clock.mark();
    const drained = (this.#drained = drain(this.core, this.policies, this.#target!, this));
    this.timings.drain = this.#clock.lap();
    return drained.ok || this.refuse('drain', drained.blockers);
  }

  migrate(): boolean {
    this.#running = 'migrate';
    const r = migrateStep(this.core, { lineage: this.lineage, steps: this.#steps, path: this.path, from: this.from, to: this.targetNumber });
    this.#before = r.before;
    this.timings.migrate = this.#clock.lap();
    if (!r.ok) return this.refuse(r.phase, r.blockers);
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
    this.timings.verify = this.#clock.lap();
    if (!r.ok) return this.refuse('verify', r.blockers);
    this.#rearm = r.rearm;
    for (const id of r.carried) this.effect('carried', id);
    for (const id of r.restarted) this.effect('restarted', id);
    for (const id of r.cancelled) this.effect('cancelled', id);
    return true;
  }

  // ── install ──────────────────────────────────────────────────────────────

  install(): boolean {
    if (!this.#notAborted('install')) return false;
    this.#running = 'install';
    this.#clock.mark();
    const adopt = this.#drained!.adopt;
    const r = install(this.core, { target: this.#target!, snapshot: this.#migrated, rearm: this.#rearm, adopt });
    this.timings.install = this.#clock.lap();
    if (!r.ok) return this.refuse('install', r.blockers);
    this.#newActor = r.actor;
    this.#undoAdoptions = r.undo;
    this.#installed = { old: this.core.actor.getSnapshot(), fresh: r.actor.getSnapshot(), held: this.core.mailbox.size };
    for (const e of adopt) this.effect('adopted', e.childId);
    return true;
  }

  /** The actor `install` created, until a rollback retires it. */
  get installed(): AnyActorRef | undefined {
    return this.#newActor;
  }

  /** For a `swapAll` that let the loop run: false (refused) when aborted, or this part moved meanwhile ({@link movedSince}). */
  unmoved(received = false): boolean {
    if (!this.#notAborted('install')) return false;
    const moved = this.#installed === undefined ? [] : movedSince(this.core, this.#installed, this.#newActor!, this.#target!, received);
    return moved.length === 0 || this.refuse('install', moved);
  }

  // ── resume (the commit point), or roll back ──────────────────────────────

  /** The commit point and the resume: the new actor takes over; the old one stops without running old code. */
  resume(): void {
    this.#clock.mark();
    const r = resume(this.core, {
      actor: this.#newActor!,
      target: this.#target!,
      lineage: this.lineage,
      from: this.from,
      revert: this.#revert,
      cancelTimers: this.#drained!.cancelTimers,
      adopt: this.#drained!.adopt,
      revoke: this.#revoke,
      effects: this,
      onCommit: () => {
        this.#committed = true;
        this.#running = 'resume';
        this.#onCommit?.(this.#before!, this.id);
      },
    });
    this.#held = r.held;
    this.#clock.pauseEnds(r.resumedAt);
    this.timings.resume = this.#clock.lap();
    this.#pipelineDone();
  }

  /** Before the commit point: the old actor resumes, untouched, and gets the held events in order (G2). */
  rollback(): void {
    if (this.#newActor !== undefined) {
      this.core.retire(this.#newActor);
      this.#newActor = undefined;
      this.#undoAdoptions();
    }
    if (this.#clock.pausing) {
      // the state the attempt leaves behind, before the held events move it on
      this.#before ??= persistedSnapshotOf(this.core.actor);
      if (this.core.mode !== 'stopped') this.#held = this.core.deliverHeld();
    }
    this.#clock.pauseEnds(performance.now());
    this.#pipelineDone();
  }

  /** What only the pipeline read: past the resume or the rollback only the report's makings are kept. */
  #pipelineDone(): void {
    this.#installed = this.#drained = undefined;
    this.#steps = this.#rearm = this.#revoke = NONE;
  }

  /**
   * Releases the lock, writes the journal entry (G8) and returns the report. Never throws. A part of
   * a `swapAll` (`part`) neither yields here nor reports `blockUs`: the `swapAll` slices its work and
   * measures its stretches itself.
   */
  async finish(part = false): Promise<SwapReport> {
    const { core } = this;
    this.releaseLock();
    const committed = this.#committed;
    const before = this.#before ?? persistedSnapshotOf(core.actor);
    const after = committed ? this.#migrated : before;
    // A long pause already blocked the event loop: let it run before the journal hashes the states.
    if (!part && performance.now() - this.#stretch.since > YIELD_AFTER_MS) await this.#stretch.wait(turn());
    const t = performance.now();
    const hashes = stateHashes(before, after);
    const hashUs = µs(t);
    this.#stretch.waits();
    // the report in its one shape, built once: the optional members written in their place in the order
    const report = { id: this.id, component: core.name, ok: committed, outcome: committed ? 'committed' : 'refused', from: this.from, to: this.targetNumber, path: this.path } as Writable<SwapReport>;
    if (!committed && this.phase !== undefined) report.phase = this.phase;
    report.blockers = this.blockers;
    report.timings = this.timings;
    report.totalUs = this.#clock.totalUs();
    report.pauseUs = this.#clock.pauseUs;
    if (this.#precopyUs !== undefined) report.precopyUs = this.#precopyUs;
    if (!part) report.blockUs = this.#stretch.longestUs;
    report.hashUs = hashUs;
    report.held = this.#held;
    // a refused swap carried, cancelled, adopted, aborted or revoked nothing
    report.effects = this.outcomes(committed);
    report.at = this.at;
    withHashes(report, hashes, this.errors);
    this.#release();
    return appendReport(core, this.#journal, report);
  }

  /** Lets go of what only the attempt needed (a `swapAll` keeps every part's transaction until the end). */
  #release(): void {
    this.#before = this.#migrated = undefined;
    this.#pipelineDone();
    this.forgetLists();
  }
}
