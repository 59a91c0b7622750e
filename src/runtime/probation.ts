/**
 * Probation after a committed swap (`swap(target, { probation })`): until the window passes, the old
 * version's definition and its state at the commit are kept and every event the new version accepts
 * is logged. If the new actor errors or reaches a final state, its invariant fails on a live state, or
 * the caller's `health` returns a reason, the runtime rolls back: the old version is reinstated from
 * its state at the commit and the logged events are redelivered to it, in order, so each accepted
 * event's effect on state is present exactly once. Side effects the failed version performed are not
 * undone. Erlang's rule: until a release is made permanent, a failure brings back the old one.
 * However it ends, `options.onSettled` hears it exactly once, even before `swap()` resolves.
 * Pinned by test/runtime/probation.test.ts and probation-settled.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { EventObject } from 'xstate';
import { describeError, HotswapError, shown } from '../errors.ts';
import type { Journal } from '../journal/journal.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { invariantBlockers } from '../migrate/verify.ts';
import { install } from '../swap/install.ts';
import type { ProbationOptions } from '../swap/options.ts';
import type { ProbationCause, ProbationOutcome, RollbackReport, SwapReport } from '../swap/report.ts';
import { journalReport, NO_EFFECTS, stateHashes } from '../swap/_internal/parts.ts';
import { persistedSnapshotOf } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';

export type { ProbationCause, ProbationOutcome } from '../swap/report.ts';

/** The probation of the last committed swap, while it lasts: `component.probation`. */
export interface ProbationStatus {
  readonly swapId: string;
  readonly from: number;
  readonly to: number;
  /** Events accepted by the new version so far. */
  readonly accepted: number;
  /** Resolves when the window passes (`permanent`) or the swap is rolled back. */
  readonly settled: Promise<ProbationOutcome>;
}

const DEFAULT_MS = 1000;

/** Checks `options.probation`: the error to reject with, or `undefined`. */
export function checkProbationOptions(p: unknown): HotswapError | undefined {
  if (p === undefined) return undefined;
  const bad = (what: string, expected: string, got: unknown): HotswapError =>
    new HotswapError('INVALID_ARGUMENT', `Expected \`options.probation${what}\` to be ${expected}, got ${shown(got)}`, { details: { argument: `options.probation${what}` } });
  if (typeof p !== 'object' || p === null) return bad('', 'an object or absent', p);
  const o = p as Record<string, unknown>;
  if (o['ms'] !== undefined && (typeof o['ms'] !== 'number' || !(o['ms'] >= 0 && o['ms'] <= 2 ** 31 - 1))) return bad('.ms', 'a number of ms from 0 to 2^31 − 1', o['ms']);
  if (o['events'] !== undefined && (!Number.isInteger(o['events']) || (o['events'] as number) < 1)) return bad('.events', 'a positive integer', o['events']);
  if (o['health'] !== undefined && typeof o['health'] !== 'function') return bad('.health', 'a function', o['health']);
  if (o['onSettled'] !== undefined && typeof o['onSettled'] !== 'function') return bad('.onSettled', 'a function', o['onSettled']);
  return undefined;
}

/** `revert({ probation })` is misuse, refused rather than ignored: a revert is already the way back. */
export function revertOnProbation(): HotswapError {
  return new HotswapError('INVALID_ARGUMENT', 'Expected `options.probation` to be absent on `revert()`: a revert is the way back itself; put the swap on probation instead', {
    details: { argument: 'options.probation' },
  });
}

/** One swap on probation. Created before the swap runs (it logs held events); armed at its commit. */
export class Probation {
  readonly #core: ComponentCore;
  readonly #journal: Journal;
  readonly #options: ProbationOptions;
  #oldVersion: AnyVersion;
  #oldLineage: AnyLineage;
  /** Events accepted while held before the commit: logged at the commit if they are still held. */
  #held = new WeakSet<EventObject>();
  readonly #log: EventObject[] = [];
  #before: PersistedSnapshot | undefined;
  #swapId = '';
  #to = 0;
  /** `failing`: a failure was seen, the rollback is queued; accepted events are still logged. */
  #state: 'arming' | 'pending' | 'failing' | 'over' = 'arming';
  /** Past the commit point: from here every accepted event reached the new version (the report may still be on its way). */
  #committed = false;
  /** Another swap was asked for between the commit and the report: no window opens. */
  #permanentAtBegin = false;
  #timer: unknown;
  #unobserve: (() => void) | undefined;
  #resolve!: (o: ProbationOutcome) => void;
  readonly settled: Promise<ProbationOutcome>;
  readonly #onEnd: () => void;

  constructor(core: ComponentCore, journal: Journal, options: ProbationOptions, onEnd: () => void) {
    this.#core = core;
    this.#journal = journal;
    this.#options = options;
    this.#oldVersion = core.version;
    this.#oldLineage = core.lineage;
    this.#onEnd = onEnd;
    this.settled = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** The commit point: the old version's state then. Events held from here on go to the new version. */
  committed(before: PersistedSnapshot, swapId: string): void {
    const core = this.#core;
    this.#before = before;
    this.#committed = true;
    this.#swapId = swapId;
    this.#to = core.version.version;
    // The old version is the one this swap replaced, known only now: a swap that waited behind another
    // replaced that one's version, not the version running when it was asked for. The transaction has
    // attached the new version and recorded `from` (same lineage prefix, so the same version object).
    const from = core.previousVersion;
    const old = from === undefined ? undefined : core.lineage.get(from);
    if (old !== undefined && old !== this.#oldVersion) {
      this.#oldVersion = old;
      this.#oldLineage = core.lineage;
    }
    // Held events still in the mailbox go to the new version after this point: those the component
    // accepted are the log's first entries. Events held by an earlier swap were delivered before its
    // commit, so they are in `before` already (found by the swap-safety property with probation).
    for (const e of core.mailbox.items()) if (this.#held.has(e)) this.#log.push(e);
    this.#held = new WeakSet();
  }

  /**
   * An event the component accepted. Before the commit only events held during the swap count (they
   * are delivered to the new version); after it, every one.
   */
  accepted(event: EventObject, wasRunning: boolean): void {
    if (this.#state === 'over') return;
    if (this.#state === 'arming') {
      if (this.#committed) this.#log.push(event);
      else if (!wasRunning) this.#held.add(event);
      return;
    }
    this.#log.push(event);
    if (this.#state === 'failing') return;
    if (!this.#check() && this.#options.events !== undefined && this.#log.length >= this.#options.events) this.#end();
  }

  /** After the swap resolved: committed starts the window; refused ends this probation unused. */
  begin(report: SwapReport | undefined): void {
    if (report?.outcome !== 'committed' || this.#before === undefined) {
      this.#state = 'over';
      this.#onEnd();
      return;
    }
    this.#swapId = report.id;
    this.#to = report.to;
    this.#state = 'pending';
    if (this.#permanentAtBegin) return this.#settle({ outcome: 'permanent', swapId: this.#swapId, events: this.#log.length });
    const core = this.#core;
    this.#unobserve = core.observe({
      next: (snap: { status?: string }) => {
        if (snap.status !== undefined && snap.status !== 'active') this.#fail({ kind: 'actor-finished', status: snap.status });
      },
      error: (error) => this.#fail({ kind: 'actor-error', error: describeError(error) }),
    });
    const { ms, events } = this.#options;
    if (ms !== undefined || events === undefined) this.#timer = core.clock.setTimeout(() => this.#end(), ms ?? DEFAULT_MS);
    // it may have failed already, on a held event delivered at the commit
    const status = core.actor.getSnapshot().status;
    if (status === 'error') this.#fail({ kind: 'actor-error', error: describeError(core.actor.getSnapshot().error ?? core.lastError) });
    else if (status !== 'active') this.#fail({ kind: 'actor-finished', status });
    else this.#check();
  }

  get status(): ProbationStatus {
    return { swapId: this.#swapId, from: this.#oldVersion.version, to: this.#to, accepted: this.#log.length, settled: this.settled };
  }

  /**
   * From the commit until it is over — the window opens when the swap's report is out, but the
   * component is on probation from the commit (its events are logged; a failure rolls back): `status`
   * shows it that early, unless another swap already made it permanent.
   */
  get pending(): boolean {
    return this.#state === 'pending' || this.#state === 'failing' || (this.#state === 'arming' && this.#committed && !this.#permanentAtBegin);
  }

  /** Failed, its rollback queued: what another swap (or revert) must wait for first. */
  get rollingBack(): Promise<unknown> | undefined {
    return this.#state === 'failing' ? this.settled : undefined;
  }

  /** Makes the swap permanent now (another swap is starting, or the window passed). */
  makePermanent(): void {
    if (this.#state === 'pending') this.#end();
    // committed, its report not out yet: permanent as soon as the window would open
    else if (this.#state === 'arming' && this.#committed) this.#permanentAtBegin = true;
  }

  /** The invariant and `health` on the live state: true when the probation failed. */
  #check(): boolean {
    const snap = this.#core.actor.getSnapshot() as { status: string; value: unknown; context: unknown };
    if (snap.status !== 'active') return false; // the observer reports it
    const violations = invariantBlockers(this.#core.version, snap);
    if (violations.length > 0) {
      this.#fail({ kind: 'invariant', violations: violations.map((b) => b.message) });
      return true;
    }
    const reason = healthReason(this.#options, snap);
    if (reason === undefined) return false;
    this.#fail({ kind: 'health', reason });
    return true;
  }

  #end(): void {
    if (this.#state !== 'pending') return;
    if (!this.#check()) this.#settle({ outcome: 'permanent', swapId: this.#swapId, events: this.#log.length });
  }

  #settle(outcome: ProbationOutcome): void {
    this.#state = 'over';
    this.#core.clock.clearTimeout(this.#timer);
    this.#unobserve?.();
    this.#log.length = 0;
    this.#before = undefined; // the old version's state is released
    this.#onEnd();
    this.#resolve(outcome);
    tellSettled(this.#options, outcome, this.#core.onError);
  }

  #fail(cause: ProbationCause): void {
    if (this.#state !== 'pending') return;
    this.#state = 'failing'; // once: the rollback runs outside XState's notification
    queueMicrotask(() => void this.#rollback(cause));
  }

  async #rollback(cause: ProbationCause): Promise<void> {
    const core = this.#core;
    const t0 = performance.now();
    const fail = (error: string): void => this.#settle({ outcome: 'rollback-failed', swapId: this.#swapId, cause, error });
    if (core.closed) return fail('the component was stopped');
    if (core.swapping !== undefined) return fail(`swap ${core.swapping.id} is in progress`);
    const failed = core.actor;
    const failedState = persistedSnapshotOf(failed);
    const installed = install(core, { target: this.#oldVersion, snapshot: this.#before, rearm: [] });
    if (!installed.ok) return fail(installed.blockers.map((b) => b.message).join('; '));
    const from = core.version.version;
    core.attach(installed.actor, this.#oldVersion);
    core.committed(from, this.#oldLineage, true);
    core.retire(failed);
    core.deliverHeld(); // nothing is held: this puts a failed component back to running
    const log = this.#log.splice(0);
    const errors: string[] = [];
    for (const e of log) {
      try {
        core.send(e);
      } catch (error) {
        errors.push(`redelivering '${e.type}': ${describeError(error).message}`);
      }
    }
    core.emit(core.actor.getSnapshot());
    const report = await journalReport(
      core,
      this.#journal,
      rollbackReport({ component: core.name, from, to: this.#oldVersion.version, swapId: this.#swapId, cause, redelivered: log.length, since: t0 }),
      stateHashes(failedState, persistedSnapshotOf(core.actor)),
      errors,
    );
    this.#settle({ outcome: 'rolled-back', swapId: this.#swapId, cause, report });
  }
}

/**
 * The report of a probation's rollback, in-process or worker-hosted: outcome `rolled-back`, a change
 * back to the old version (`from` the failed one) that happened (`ok`), with `rolledBack` naming the
 * swap undone, the cause and how many events were redelivered. A journal gets it as a new entry after
 * the swap's own `committed` one, which stays as written (append-only).
 */
export function rollbackReport(r: { readonly component: string; readonly from: number; readonly to: number; readonly swapId: string; readonly cause: ProbationCause; readonly redelivered: number; readonly since: number }): Omit<RollbackReport, 'beforeHash' | 'afterHash' | 'errors'> {
  return {
    id: randomUUID(),
    component: r.component,
    ok: true,
    outcome: 'rolled-back',
    from: r.from,
    to: r.to,
    path: [{ from: r.from, to: r.to }],
    blockers: [],
    timings: {},
    totalUs: Math.round((performance.now() - r.since) * 1000),
    pauseUs: 0,
    held: r.redelivered,
    effects: NO_EFFECTS,
    at: new Date().toISOString(),
    rolledBack: { swapId: r.swapId, cause: describeCause(r.cause), redelivered: r.redelivered },
  };
}

/** Calls `options.onSettled` (once: each probation settles once); a throw in it goes to `report`. */
export function tellSettled(options: ProbationOptions, outcome: ProbationOutcome, report: (error: unknown) => void): void {
  try {
    options.onSettled?.(outcome);
  } catch (error) {
    report(error);
  }
}

/** What `options.health` says of a live state: a reason (a string, or what it threw), or `undefined` when healthy. */
export function healthReason(options: ProbationOptions, state: { readonly value: unknown; readonly context: unknown }): string | undefined {
  if (options.health === undefined) return undefined;
  try {
    const verdict = options.health({ value: state.value, context: state.context });
    return typeof verdict === 'string' ? verdict : undefined;
  } catch (error) {
    const e = describeError(error);
    return `health threw ${e.name}: ${e.message}`;
  }
}

/** A cause in one line, as the journal keeps it. */
export function describeCause(c: ProbationCause): string {
  switch (c.kind) {
    case 'actor-error':
      return `the new actor failed: ${c.error.name}: ${c.error.message}`;
    case 'actor-finished':
      return `the new actor stopped unexpectedly (status '${c.status}')`;
    case 'invariant':
      return `the invariant failed on a live state: ${c.violations.join('; ')}`;
    case 'health':
      return `health check: ${c.reason}`;
    case 'worker-crashed':
      return `the new worker died (exit code ${c.exitCode}): ${c.error.name}: ${c.error.message}`;
  }
}
