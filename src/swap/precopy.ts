/**
 * The pre-copy: the first part of quiesce, run before events are held. As a VM's live migration
 * copies memory while the VM still runs and pauses it only for the pages written meanwhile, a swap
 * walks the live context while the old version keeps serving events — freezing it and recording what
 * it finds in the caches the pause reads (src/swap/_internal/precopy-walk.ts) — in slices of a few
 * milliseconds with `setImmediate` between them. XState contexts are immutable by contract: an event
 * processed meanwhile builds a new context that shares what it did not change, so the next round walks
 * only the new parts, and the pause itself (and the migration's output, which shares most of its
 * input) finds the rest in the caches. A 10 MB state's first swap then blocks the event loop for a
 * slice, not for a walk of 10 MB.
 *
 * Best effort and bounded: it ends when a round finds the context unchanged, after
 * {@link PRECOPY_ROUNDS} rounds, or when its own budget ({@link PRECOPY_BUDGET_DEADLINES} times the
 * swap's `deadlineMs`, on the component's clock) runs out — the pause then walks what is left, exactly as it would without a pre-copy. An
 * abort (the caller's signal, the component stopping) refuses the swap here, nothing held. A context
 * with no object in it is not walked at all (the tiny swap pays one look at its members), and one of up
 * to {@link PRECOPY_SYNC_MEMBERS} members is walked in the swap's own turn: neither takes a macrotask.
 * Pinned by test/swap/precopy.test.ts.
 */
import type { Blocker } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { abortReason } from './_internal/preconditions.ts';
import { PrecopyWalk } from './_internal/precopy-walk.ts';
import { type Stretch, turn } from './_internal/stretch.ts';

/** The longest a slice of the walk runs before it lets the event loop serve others (ms). */
export const PRECOPY_SLICE_MS = 3;
/**
 * How many members the walk reads in the swap's own turn before it goes to slices: a context this small
 * (about 100 KB of JSON, ~1–3 ms) is walked at once, whatever the machine's speed, so whether a swap
 * lets the event loop run before its pause depends on the state, never on timing.
 */
export const PRECOPY_SYNC_MEMBERS = 4096;
/**
 * A sliced walk whose last slice ran longer than this (ms) lets the event loop run once more before the
 * pause, so the slice and the pause are two blocks, not one.
 */
export const PRECOPY_YIELD_AFTER_MS = 1;
/** How many times the walk starts over on a context replaced while it ran. */
export const PRECOPY_ROUNDS = 4;
/**
 * The pre-copy's budget, in multiples of the swap's `deadlineMs` (10 s by default). Generous: a 10 MB
 * state takes ~0.3 s of CPU to walk, several times that in wall time on a busy machine, and whatever
 * the pre-copy leaves undone the pause does in one block.
 */
export const PRECOPY_BUDGET_DEADLINES = 10;

export interface PrecopyInput {
  readonly signal: AbortSignal;
  /** The swap's `deadlineMs`: the pre-copy's budget is {@link PRECOPY_BUDGET_DEADLINES} of it, on the component's clock. */
  readonly deadlineMs: number;
  /** The transaction's synchronous stretches: each yield ends one. */
  readonly stretch: Stretch;
}

/** What every pre-copy reports: its wall time (µs) and the component-clock time it took (ms). */
interface Took {
  readonly us: number;
  readonly clockMs: number;
}

export type PrecopyOutcome =
  | (Took & {
      readonly ok: true;
      /** Contexts walked (1, or more when events replaced the context meanwhile; 0 when there was nothing to walk). */
      readonly rounds: number;
      /** Objects walked, over all rounds. */
      readonly objects: number;
      /** Times the walk let the event loop run. */
      readonly yields: number;
      /** Whether the last context walked is the one the pause will find (else the pause walks what changed). */
      readonly settled: boolean;
    })
  | (Took & { readonly ok: false; readonly blockers: readonly Blocker[] });

/** Pre-copies the live context of `core`: synchronous when it fits one slice, else a promise. */
export function precopy(core: ComponentCore, input: PrecopyInput): PrecopyOutcome | Promise<PrecopyOutcome> {
  const context = contextOf(core);
  if (!holdsObject(context)) return { ok: true, rounds: 0, objects: 0, yields: 0, settled: true, us: 0, clockMs: 0 };
  const t = performance.now();
  const startedAt = core.clock.now();
  const took = (): Took => ({ us: Math.round((performance.now() - t) * 1000), clockMs: core.clock.now() - startedAt });
  const walk = new PrecopyWalk(context);
  const done = walk.step(Number.POSITIVE_INFINITY, PRECOPY_SYNC_MEMBERS);
  if (done !== undefined) return { ok: true, rounds: 1, objects: done.objects, yields: 0, settled: true, ...took() };
  return rounds(core, { ...input, until: startedAt + PRECOPY_BUDGET_DEADLINES * input.deadlineMs, took }, context, walk);
}

async function rounds(
  core: ComponentCore,
  { signal, until, stretch, took }: PrecopyInput & { readonly until: number; readonly took: () => Took },
  first: unknown,
  firstWalk: PrecopyWalk,
): Promise<PrecopyOutcome> {
  let context = first;
  let walk = firstWalk;
  let round = 1;
  let objects = 0;
  let yields = 0;
  let counted = false;
  for (;;) {
    // the swap's own turn has walked its share: every later step comes after a turn of the event loop
    await stretch.wait(turn());
    yields++;
    if (signal.aborted) return { ok: false, blockers: [blocker('aborted', { reason: abortReason(signal) })], ...took() };
    if (core.clock.now() >= until) return { ok: true, rounds: round, objects, yields, settled: false, ...took() };
    const done = walk.step(performance.now() + PRECOPY_SLICE_MS);
    if (done === undefined) continue;
    if (!counted) objects += done.objects;
    counted = true;
    const now = contextOf(core);
    if (now === context || round >= PRECOPY_ROUNDS || !holdsObject(now)) {
      // a long last slice: one more turn before the pause, so the two are separate blocks (then the context is looked at again)
      if (performance.now() - stretch.since > PRECOPY_YIELD_AFTER_MS) continue;
      return { ok: true, rounds: round, objects, yields, settled: now === context, ...took() };
    }
    // events replaced the context meanwhile: walk the new one (what it shares with the last is cached)
    context = now;
    walk = new PrecopyWalk(now);
    counted = false;
    round++;
  }
}

function contextOf(core: ComponentCore): unknown {
  return (core.actor.getSnapshot() as { context?: unknown }).context;
}

/** Whether a context has an object member (else the pause's walks of it cost a few member reads). */
function holdsObject(context: unknown): boolean {
  if (context === null || typeof context !== 'object') return false;
  for (const key in context) {
    const v = (context as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object') return true;
  }
  return false;
}
