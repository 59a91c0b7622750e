/**
 * Probation for a worker-hosted component (`swap({ module }, { probation })`): the drained
 * replacement commits, but the old worker is not terminated — it stays paused, holding exactly the
 * state it handed over (it processed nothing after the handover). Every event the component accepts
 * from the commit point (the held events first) is logged here. If within the window the new worker
 * dies, its actor errors or finishes, its invariant fails on a live state (the new worker checks it
 * after each batch and reports `violated`), or `health` returns a reason on a mirrored state, the
 * component rolls back: the new worker is terminated, the old one resumes and the logged events are
 * redelivered to it in order, so each accepted event's effect on state is present exactly once. A
 * clean window makes the swap permanent and terminates the old worker. The types, causes, health
 * check and report line are the in-process probation's (src/runtime/probation.ts); the switch-over
 * itself is the host's (swap-host.ts `rollback`). `options.onSettled` hears the end exactly once.
 * Pinned by test/worker/probation.test.ts.
 */
import type { EventObject } from 'xstate';
import { checkProbationOptions, healthReason, rollbackReport, tellSettled, type ProbationCause, type ProbationOutcome, type ProbationStatus } from '../../runtime/probation.ts';
import { HotswapError } from '../../errors.ts';
import type { ProbationOptions } from '../../swap/options.ts';
import type { RollbackReport } from '../../swap/report.ts';
import type { Channel } from './channel.ts';
import type { HostedSnapshot } from './protocol.ts';
import { workerRehearseMisuse } from './rehearse.ts';

const DEFAULT_MS = 1000;

/**
 * Why a worker-hosted swap's `probation` or `rehearse` is misuse, or `undefined`: probation needs a
 * drained replacement, and a rehearsal cannot replay (rehearse.ts `workerRehearseMisuse`).
 */
export function swapOptionsMisuse(target: unknown, options: { readonly probation?: unknown; readonly rehearse?: unknown }): HotswapError | undefined {
  const rehearsal = workerRehearseMisuse(options.rehearse, 'options.rehearse');
  if (rehearsal !== undefined) return rehearsal;
  if (options.probation === undefined) return undefined;
  const bad = checkProbationOptions(options.probation);
  if (bad !== undefined || typeof target !== 'number') return bad;
  const why = `a swap to version ${target} of the running module runs inside its worker: \`options.probation\` needs a swap to another module (a drained replacement, whose old worker is kept)`;
  return new HotswapError('INVALID_ARGUMENT', why, { details: { argument: 'options.probation' } });
}

/** What the probation asks of its component (built by `WorkerComponent`, whose state stays private). */
export interface ProbationHost {
  readonly name: string;
  /** Switches back to the old worker and redelivers `log` to it; a reason when it could not. */
  rollback(old: Channel, log: readonly EventObject[]): string | undefined;
  /** The latest snapshot mirrored from the new worker (`health` sees it again at the window's end). */
  snapshot(): HostedSnapshot;
  /** Records a report in the component's journal. */
  record(report: RollbackReport): void;
  /** The probation settled (the old worker is already terminated when it is `permanent`). */
  ended(outcome: ProbationOutcome): void;
  /** Reports an error thrown by `options.onSettled` (as the component reports its listeners'). */
  report(error: unknown): void;
}

/** One drained replacement on probation, created at its commit point (before its report exists). */
export class WorkerProbation {
  readonly #host: ProbationHost;
  readonly #options: ProbationOptions;
  /** The paused old worker, and the version it runs. */
  readonly #old: Channel;
  readonly #from: number;
  readonly #to: number;
  readonly #log: EventObject[];
  readonly #swapId: string;
  /** `arming`: committed, the report not yet out (a failure seen now waits for it). */
  #state: 'arming' | 'pending' | 'failing' | 'over' = 'arming';
  #early: ProbationCause | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #resolve!: (o: ProbationOutcome) => void;
  readonly settled: Promise<ProbationOutcome>;

  constructor(host: ProbationHost, options: ProbationOptions, commit: { readonly swapId: string; readonly old: Channel; readonly from: number; readonly to: number; readonly held: readonly EventObject[] }) {
    this.#host = host;
    this.#options = options;
    this.#swapId = commit.swapId;
    this.#old = commit.old;
    this.#from = commit.from;
    this.#to = commit.to;
    this.#log = [...commit.held];
    this.settled = new Promise((resolve) => (this.#resolve = resolve));
  }

  get status(): ProbationStatus {
    return { swapId: this.#swapId, from: this.#from, to: this.#to, accepted: this.#log.length, settled: this.settled };
  }

  /** Committed and not settled yet: accepted events are logged, failures roll back. */
  get pending(): boolean {
    return this.#state !== 'over';
  }

  /** The swap's report is out (its id was named at the commit already): the window starts (or a failure seen meanwhile rolls back now). */
  begin(snapshot: HostedSnapshot): void {
    this.#state = 'pending';
    const { ms, events } = this.#options;
    if (ms !== undefined || events === undefined) this.#timer = setTimeout(() => this.#end(), ms ?? DEFAULT_MS);
    if (this.#early !== undefined) return this.#fail(this.#early);
    this.observed(snapshot);
  }

  /** An event the component accepted (after the commit, it goes to the new worker). */
  accepted(event: EventObject): void {
    if (this.#state === 'over') return;
    this.#log.push(event);
    if (this.#state === 'pending' && this.#options.events !== undefined && this.#log.length >= this.#options.events) this.#end();
  }

  /** A snapshot mirrored from the new worker: an actor that ended, or an unhealthy state, fails it. */
  observed(snapshot: HostedSnapshot): void {
    if (snapshot.status === 'error') return this.#fail({ kind: 'actor-error', error: { name: snapshot.error?.name ?? 'Error', message: snapshot.error?.message ?? 'the actor errored' } });
    if (snapshot.status !== 'active') return this.#fail({ kind: 'actor-finished', status: snapshot.status });
    if (this.#state !== 'pending') return;
    const reason = healthReason(this.#options, snapshot);
    if (reason !== undefined) this.#fail({ kind: 'health', reason });
  }

  /** The new worker found its invariant broken on a live state. */
  violated(violations: readonly string[]): void {
    this.#fail({ kind: 'invariant', violations });
  }

  /** The new worker died. */
  crashed(error: { readonly name: string; readonly message: string }, exitCode: number): void {
    this.#fail({ kind: 'worker-crashed', error: { name: error.name, message: error.message }, exitCode });
  }

  /** Failed, its rollback queued: what another swap (or revert) must wait for first. */
  get rollingBack(): Promise<unknown> | undefined {
    return this.#state === 'failing' ? this.settled : undefined;
  }

  /** Makes the swap permanent now (another swap, a revert or a stop is starting, or the window passed). */
  makePermanent(): void {
    if (this.#state === 'arming' || this.#state === 'pending') this.#settle({ outcome: 'permanent', swapId: this.#swapId, events: this.#log.length });
  }

  #end(): void {
    if (this.#state !== 'pending') return;
    this.observed(this.#host.snapshot());
    this.makePermanent(); // unless that failed it
  }

  #settle(outcome: ProbationOutcome): void {
    this.#state = 'over';
    clearTimeout(this.#timer);
    this.#log.length = 0;
    if (outcome.outcome === 'permanent') void this.#old.terminate(); // the old version is released
    this.#host.ended(outcome);
    this.#resolve(outcome);
    tellSettled(this.#options, outcome, (error) => this.#host.report(error));
  }

  #fail(cause: ProbationCause): void {
    if (this.#state === 'arming') {
      this.#early ??= cause;
      return;
    }
    if (this.#state !== 'pending') return;
    this.#state = 'failing'; // once; events accepted until the switch-over are still logged
    queueMicrotask(() => this.#rollback(cause));
  }

  #rollback(cause: ProbationCause): void {
    const t0 = performance.now();
    const log = this.#log.slice();
    const error = this.#old.exited ? 'the old worker is gone' : this.#host.rollback(this.#old, log);
    if (error !== undefined) return this.#settle({ outcome: 'rollback-failed', swapId: this.#swapId, cause, error });
    const report = rollbackReport({ component: this.#host.name, from: this.#to, to: this.#from, swapId: this.#swapId, cause, redelivered: log.length, since: t0 });
    this.#host.record(report);
    this.#settle({ outcome: 'rolled-back', swapId: this.#swapId, cause, report });
  }
}
