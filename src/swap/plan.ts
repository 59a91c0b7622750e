/**
 * The plan step (`SwapPhases[0]`): checks a request against the component before anything pauses —
 * stopped, a swap already in progress, a lineage that is not the component's, an unknown or same
 * version, a version object of another lineage, a path with an irreversible link. Input: the core,
 * the lineage and the target; result: the target and its path, or the blockers. (The caller's
 * preconditions, live queries, run after it in the same phase: src/swap/_internal/preconditions.ts.)
 * Pinned by test/swap/plan.test.ts and test/swap/swap-all.test.ts.
 */
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { type AnyLineage, pathBetween, type PathStep } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { abortReason } from './_internal/preconditions.ts';

export interface PlanInput {
  readonly lineage: AnyLineage;
  readonly target: number;
  /** The version object the caller passed, which must be that version of `lineage`. */
  readonly expected: AnyVersion | undefined;
  /** The caller's signal (with the component's stop): an aborted attempt is refused here too. */
  readonly signal: AbortSignal;
}

export type PlanResult =
  | { readonly ok: true; readonly target: AnyVersion; readonly steps: readonly PathStep[]; readonly path: readonly LinkRef[] }
  | { readonly ok: false; readonly blockers: readonly Blocker[]; readonly path: readonly LinkRef[] };

const refused = (blockers: Blocker[], path: readonly LinkRef[] = []): PlanResult => ({ ok: false, blockers, path });

/** Plans a swap of `core` to `target`: the path through the lineage, or why there is none. */
export function plan(core: ComponentCore, { lineage: l, target: to, expected, signal }: PlanInput): PlanResult {
  if (core.mode === 'stopped') return refused([blocker('component-stopped', { component: core.id })]);
  const s = core.swapping;
  if (s !== undefined) return refused([blocker('swap-in-progress', { swapId: s.id, target: s.target, since: s.since })]);
  const from = core.version.version;
  if (l.name !== core.name || l.get(from) !== core.version) {
    return refused([blocker('lineage-mismatch', { expected: core.name, got: l.name, version: from })]);
  }
  if (signal.aborted) return refused([blocker('aborted', { reason: abortReason(signal) })]);
  const target = l.get(to);
  if (target === undefined) return refused([blocker('unknown-version', { version: to, known: l.versions.map((v) => v.version) })]);
  if (expected !== undefined && target !== expected) {
    return refused([blocker('aborted', { reason: `the version passed is not v${to} of lineage '${l.name}' (pass the lineage it belongs to as options.lineage)` })]);
  }
  if (target === core.version) return refused([blocker('same-version', { version: from })]);
  const steps = pathBetween(l, from, to) ?? [];
  const path = steps.map((st) => ({ from: st.from.version, to: st.to.version }));
  const irreversible = steps.filter((st) => st.run === undefined);
  if (irreversible.length > 0) return refused(irreversible.map((st) => blocker('irreversible', { link: { from: st.to.version, to: st.from.version } })), path);
  return { ok: true, target, steps, path };
}
