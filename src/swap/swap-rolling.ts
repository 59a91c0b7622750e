/**
 * `swapRolling`: a mass upgrade in batches, for when all-or-none across every instance is not wanted —
 * each batch is one `swapAll` (all or none within it), and after each batch a checkpoint says how far
 * the rollout got, like a backfill cursor: persist it, and a rollout cut short (a crash, an abort, a
 * refused batch) resumes from it with the same request list. Parts already at their target are skipped,
 * so a batch that committed just before a crash (its checkpoint never written) is not swapped twice.
 * Pinned by test/swap/swap-rolling.test.ts.
 */
import { HotswapError, shown } from '../errors.ts';
import type { SwapJournal, SwapReport } from './report.ts';
import { checkSwapAll, runSwapAll, type SwapAllPart } from './swap-all.ts';
import { abortReason } from './_internal/preconditions.ts';

/**
 * How far a rolling swap got: the requests before `next` are done (committed, skipped, or refused and
 * let go under `onRefusal: 'continue'`). Plain JSON, to be persisted between batches.
 */
export interface RollingCheckpoint {
  /** Index, in the request list, of the first request not done. */
  readonly next: number;
  /** The component id of the request just before `next` (checked on resume: the list must not have changed). */
  readonly after: string | null;
  /** Parts committed so far, over every run that led here. */
  readonly committed: number;
  /** Parts skipped because they already ran their target version. */
  readonly skipped: number;
  /** Component ids of parts refused and let go (`onRefusal: 'continue'`). */
  readonly refused: readonly string[];
}

/** The options of a rolling swap. */
export interface SwapRollingOptions {
  /**
   * Parts per batch: each batch is one `swapAll`, quiesced together, all or none.
   * @defaultValue 100
   */
  readonly batchSize?: number;
  /** A checkpoint from an earlier run over the same request list: the rollout goes on from there. */
  readonly resumeFrom?: RollingCheckpoint;
  /**
   * Called (and awaited) after every batch with the checkpoint to persist; a rejection stops the
   * rollout (`outcome: 'stopped'`) with the checkpoint it could not save as the report's.
   */
  readonly onCheckpoint?: (checkpoint: RollingCheckpoint) => void | Promise<void>;
  /**
   * A refused batch: `'stop'` ends the rollout there (its checkpoint points at that batch, to retry it);
   * `'continue'` lists its parts in `refused` and goes on with the next.
   * @defaultValue 'stop'
   */
  readonly onRefusal?: 'stop' | 'continue';
  /** The deadline of each batch's `swapAll`. */
  readonly deadlineMs?: number;
  /** Aborts the batch in progress (rolled back) and ends the rollout (`outcome: 'aborted'`). */
  readonly signal?: AbortSignal;
}

/** The result of a rolling swap. */
export interface SwapRollingReport {
  /** `true` iff every request is done and none was refused. */
  readonly ok: boolean;
  /** `completed`: every request is done; `stopped`: a batch was refused or a checkpoint not saved; `aborted`: the signal. */
  readonly outcome: 'completed' | 'stopped' | 'aborted';
  /** Where to resume from (equal to the last checkpoint handed to `onCheckpoint`, or the one it failed to save). */
  readonly checkpoint: RollingCheckpoint;
  /** Batches run by this call. */
  readonly batches: number;
  /** The reports of the parts this call swapped or refused, batch after batch. */
  readonly reports: readonly SwapReport[];
  /** Why it stopped or aborted, when it did. */
  readonly reason?: string;
  /** The longest synchronous stretch of any batch, in µs. */
  readonly blockUs: number;
  readonly totalUs: number;
}

const START: RollingCheckpoint = { next: 0, after: null, committed: 0, skipped: 0, refused: [] };

/** Runs `parts` in batches of `swapAll`, checkpointing after each. Misuse rejects with `INVALID_ARGUMENT`. */
export async function runSwapRolling(parts: readonly SwapAllPart[], options: SwapRollingOptions, journal: SwapJournal): Promise<SwapRollingReport> {
  const misuse = checkRolling(parts, options);
  if (misuse !== undefined) throw misuse;
  const t0 = performance.now();
  const batchSize = options.batchSize ?? 100;
  let cp = options.resumeFrom ?? START;
  const reports: SwapReport[] = [];
  let batches = 0;
  let blockUs = 0;
  const end = (outcome: SwapRollingReport['outcome'], reason?: string): SwapRollingReport => ({
    ok: outcome === 'completed' && cp.refused.length === 0,
    outcome,
    checkpoint: cp,
    batches,
    reports,
    ...(reason === undefined ? {} : { reason }),
    blockUs,
    totalUs: Math.round((performance.now() - t0) * 1000),
  });
  // a function, not a property read: TypeScript would keep the loop head's narrowing across the await
  const aborted = (): boolean => options.signal?.aborted === true;
  while (cp.next < parts.length) {
    if (aborted()) return end('aborted', abortReason(options.signal));
    const slice = parts.slice(cp.next, cp.next + batchSize);
    // a part already at its target is done (a batch that committed before a crash lost its checkpoint)
    const todo = slice.filter((p) => p.core.version.version !== targetOf(p));
    let committed = 0;
    let refused: readonly string[] = [];
    if (todo.length > 0) {
      const all = await runSwapAll(todo, { ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) }, journal);
      batches++;
      blockUs = Math.max(blockUs, all.blockUs);
      reports.push(...all.reports);
      if (all.ok) committed = todo.length;
      else if (aborted()) return end('aborted', abortReason(options.signal));
      else if ((options.onRefusal ?? 'stop') === 'stop') return end('stopped', `a batch of ${todo.length} was refused (first: ${firstRefusal(todo, all.reports)}); resume from the checkpoint to retry it`);
      else refused = todo.map((p) => p.core.id);
    }
    const last = slice.at(-1)!;
    const next: RollingCheckpoint = {
      next: cp.next + slice.length,
      after: last.core.id,
      committed: cp.committed + committed,
      skipped: cp.skipped + slice.length - todo.length,
      refused: refused.length === 0 ? cp.refused : [...cp.refused, ...refused],
    };
    try {
      await options.onCheckpoint?.(next);
    } catch (error) {
      cp = next;
      return end('stopped', `onCheckpoint failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    cp = next;
  }
  return end('completed');
}

const targetOf = (p: SwapAllPart): number => (typeof p.target === 'number' ? p.target : p.target.version);

/** The part that refused on its own (the others carry an `aborted` blocker naming it), for the reason. */
function firstRefusal(parts: readonly SwapAllPart[], reports: readonly SwapReport[]): string {
  let i = reports.findIndex((x) => !x.ok && x.blockers.some((b) => b.kind !== 'aborted'));
  if (i < 0) i = reports.findIndex((x) => !x.ok);
  const r = reports[i];
  return r === undefined ? 'none' : `'${parts[i]!.core.id}': ${r.blockers[0]?.message ?? 'refused'}`;
}

/** The misuse checks of `swapRolling`: `swapAll`'s, then its own options and the checkpoint against the list. */
export function checkRolling(parts: readonly SwapAllPart[], options: unknown): HotswapError | undefined {
  const o = (options ?? {}) as Record<string, unknown>;
  const base = checkSwapAll(parts, { deadlineMs: o['deadlineMs'], signal: o['signal'] });
  if (base !== undefined) return base;
  const { batchSize, onCheckpoint, onRefusal, resumeFrom } = o;
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && (batchSize as number) > 0)) {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`options.batchSize\` to be a positive integer, got ${shown(batchSize)}`);
  }
  if (onCheckpoint !== undefined && typeof onCheckpoint !== 'function') {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`options.onCheckpoint\` to be a function or absent, got ${shown(onCheckpoint)}`);
  }
  if (onRefusal !== undefined && onRefusal !== 'stop' && onRefusal !== 'continue') {
    return new HotswapError('INVALID_ARGUMENT', `Expected \`options.onRefusal\` to be 'stop' or 'continue', got ${shown(onRefusal)}`);
  }
  if (resumeFrom === undefined) return undefined;
  const cp = resumeFrom as Partial<RollingCheckpoint> | null;
  const wellFormed =
    typeof cp === 'object' && cp !== null &&
    Number.isSafeInteger(cp.next) && cp.next! >= 0 && cp.next! <= parts.length &&
    (cp.after === null || typeof cp.after === 'string') &&
    Number.isSafeInteger(cp.committed) && Number.isSafeInteger(cp.skipped) &&
    Array.isArray(cp.refused) && cp.refused.every((id) => typeof id === 'string');
  if (!wellFormed) return new HotswapError('INVALID_ARGUMENT', `Expected \`options.resumeFrom\` to be a checkpoint of this request list (0 ≤ next ≤ ${parts.length}), got ${shown(resumeFrom)}`);
  const at = cp.next! === 0 ? null : parts[cp.next! - 1]!.core.id;
  if (at !== cp.after) {
    return new HotswapError('INVALID_ARGUMENT', `The request list changed since the checkpoint: request ${cp.next! - 1} is '${at}', the checkpoint says '${cp.after}'`, { details: { next: cp.next, after: cp.after } });
  }
  return undefined;
}
