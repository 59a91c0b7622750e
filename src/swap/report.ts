/**
 * The swap report: the result of one attempt, committed or refused, with blockers, phase timings,
 * pause and effect outcomes — refusal as data (G7); and `SwapPhases`, the names of the phases.
 * Pinned by test/migrate/format-blockers.test.ts and test/swap/coordinator.test.ts.
 */
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { formatBlockers } from '../blockers/messages.ts';
import { HotswapError } from '../errors.ts';

/** The phases of a swap, in order. */
export const SwapPhases = ['plan', 'quiesce', 'drain', 'migrate', 'verify', 'install', 'resume'] as const;
/** One of {@link SwapPhases}. */
export type SwapPhase = (typeof SwapPhases)[number];

/** What happened to each effect. Names are ledger ids (delay ids, timer names, child ids, lease handles). */
export interface EffectOutcomes {
  /** Delays re-armed with their remaining time, and runtime timers kept pending. */
  readonly carried: readonly string[];
  /** Callback actors invoked afresh, and delays re-armed in full under policy delays `restart`. */
  readonly restarted: readonly string[];
  readonly cancelled: readonly string[];
  readonly adopted: readonly string[];
  readonly aborted: readonly string[];
  readonly transferred: readonly string[];
  readonly revoked: readonly string[];
}

/** The result of one swap attempt. Refusal is data (G7): `swap()` never throws for it. */
export interface SwapReport {
  readonly id: string;
  /** The lineage (component) name, e.g. `driver`; the instance is the journal entry's `instance`. */
  readonly component: string;
  /** The discriminant, as on every result of the public API: `true` iff the swap committed. */
  readonly ok: boolean;
  /** Descriptive: `'committed'` when `ok`, else `'refused'`. Branch on `ok`. */
  readonly outcome: 'committed' | 'refused';
  readonly from: number;
  readonly to: number;
  readonly path: readonly LinkRef[];
  /** The phase that refused (absent when committed). */
  readonly phase?: SwapPhase;
  readonly blockers: readonly Blocker[];
  /** Microseconds per phase. */
  readonly timings: Readonly<Partial<Record<SwapPhase, number>>>;
  /** Microseconds from the call to the report. */
  readonly totalUs: number;
  /** Microseconds events were held (the pause), 0 when nothing paused. */
  readonly pauseUs: number;
  /**
   * Microseconds of the longest synchronous stretch the swap ran — the event loop served nothing
   * else meanwhile: from the call, or from the end of a wait (async preconditions, a quiesce that
   * waited, the swap's own yield after a long pause), to the next wait or the journal write. It
   * includes the state hashing when the pause was short, so it may exceed `pauseUs`. Absent for a
   * worker-hosted component (its state lives, and is hashed, in the worker thread) and for a part of
   * a `swapAll` (whose own report gives the longest stretch of the whole call).
   */
  readonly blockUs?: number;
  /**
   * Microseconds of the pre-copy, from its start to the pause (slices and the yields between them):
   * the live context frozen and walked, while the old version still served events, so the pause need
   * not walk it (src/swap/precopy.ts). Absent when the context held nothing to walk (no object member).
   */
  readonly precopyUs?: number;
  /** Microseconds spent hashing the before/after states for the journal (`beforeHash`, `afterHash`); absent as `blockUs` is. */
  readonly hashUs?: number;
  /** Events held during the pause and delivered afterwards. */
  readonly held: number;
  readonly effects: EffectOutcomes;
  /** Wall-clock time of the attempt (ISO 8601). */
  readonly at: string;
  /**
   * The persisted state before, and after (the new one when committed, else the same), hashed as
   * docs/design.md §9 "Journal state hashes" says: sha256 over canonical JSON, subtrees past 4 KB by their own digest.
   */
  readonly beforeHash?: string;
  readonly afterHash?: string;
  /**
   * What went wrong without deciding the outcome: a throw after the commit point, a state that could
   * not be hashed, a journal that could not be written (the report is still returned).
   */
  readonly errors?: readonly string[];
}

/**
 * The report a probation writes when it rolled a failed version back: the change of version it made
 * (`from` the failed version, `to` the one reinstated) — it happened, so `ok` — the swap it undid, and
 * why. In a journal it follows the undone swap's own `committed` entry, which stays as written.
 */
export interface RollbackReport extends Omit<SwapReport, 'outcome'> {
  readonly ok: true;
  readonly outcome: 'rolled-back';
  readonly rolledBack: { readonly swapId: string; readonly cause: string; readonly redelivered: number };
}

/** Why a probation failed (`swap(target, { probation })`). */
export type ProbationCause =
  | { readonly kind: 'actor-error'; readonly error: { readonly name: string; readonly message: string } }
  | { readonly kind: 'actor-finished'; readonly status: string }
  | { readonly kind: 'invariant'; readonly violations: readonly string[] }
  | { readonly kind: 'health'; readonly reason: string }
  /** A worker-hosted component's new worker died (a throw, `process.exit`, out of memory). */
  | { readonly kind: 'worker-crashed'; readonly error: { readonly name: string; readonly message: string }; readonly exitCode: number };

/**
 * How a probation ended, for the swap `swapId`: `permanent` (the window passed, the old version is
 * released), `rolled-back` (the old version runs again; `report` is the journal's `rolled-back`
 * entry), or `rollback-failed` (the old version would not start again: the component stays as it is).
 */
export type ProbationOutcome =
  | { readonly outcome: 'permanent'; readonly swapId: string; readonly events: number }
  | { readonly outcome: 'rolled-back'; readonly swapId: string; readonly cause: ProbationCause; readonly report: RollbackReport }
  | { readonly outcome: 'rollback-failed'; readonly swapId: string; readonly cause: ProbationCause; readonly error: string };

/** What a journal records: a swap attempt, or a probation's rollback. */
export type JournaledReport = SwapReport | RollbackReport;

/**
 * A one-line summary, or the blocker report when refused. The header's durations are wall time
 * (`performance.now()`); the blockers' (ages, remaining times, `not quiescent after …`) are on the
 * runtime's clock, which is another time line under a `ManualClock`.
 */
export function formatReport(r: JournaledReport): string {
  if (r.outcome === 'refused') {
    return formatBlockers(r.blockers, {
      component: r.component,
      from: r.from,
      to: r.to,
      elapsedMs: r.totalUs / 1000,
      ...(r.phase === undefined ? {} : { phase: r.phase }),
    });
  }
  if (r.outcome === 'rolled-back') {
    return `swap ${r.component} v${r.from} → v${r.to} rolled-back (probation of swap ${r.rolledBack.swapId}): ${r.rolledBack.cause}; ${r.rolledBack.redelivered} accepted events redelivered`;
  }
  const e = r.effects;
  const parts = [
    e.carried.length > 0 ? `carried ${e.carried.length}` : '',
    e.restarted.length > 0 ? `restarted ${e.restarted.length}` : '',
    e.adopted.length > 0 ? `adopted ${e.adopted.length}` : '',
    e.cancelled.length > 0 ? `cancelled ${e.cancelled.length}` : '',
    e.aborted.length > 0 ? `aborted ${e.aborted.length}` : '',
    e.transferred.length > 0 ? `transferred ${e.transferred.length}` : '',
    e.revoked.length > 0 ? `revoked ${e.revoked.length}` : '',
  ].filter((s) => s !== '');
  return `swap ${r.component} v${r.from} → v${r.to} committed: paused ${(r.pauseUs / 1000).toFixed(3)} ms wall time, ${r.held} events held${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`;
}

/**
 * Where a swap writes its report (G8): a journal, seen from the swap. `Journal` (src/journal) is one;
 * the swap names only what it calls, so the journal may depend on the report and not the reverse.
 */
export interface SwapJournal {
  append(entry: JournaledReport & { readonly instance: string }): void | Promise<void>;
}

/**
 * The throwing twin of a swap's result (`swapOrThrow`, `revertOrThrow`, in-process and worker-hosted):
 * the report when committed, else `SWAP_REFUSED` with it in `details`.
 */
export function committedOrThrow(report: SwapReport): SwapReport {
  if (!report.ok) throw new HotswapError('SWAP_REFUSED', formatReport(report), { details: { report } });
  return report;
}
