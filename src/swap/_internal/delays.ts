import type { EventObject } from 'xstate';
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { delayedTransitions } from '../../ledger/_internal/xstate-adapter.ts';
import { isActive } from '../../migrate/_internal/states.ts';
import type { AnyLineage, PathStep } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';

/** A pending delayed event to carry into another version. */
export interface DelayCandidate {
  readonly id: string;
  readonly event: EventObject;
  readonly delayMs: number;
  readonly remainingMs: number;
}

/** A delayed event to arm on the new actor. */
export interface Rearm {
  readonly id: string;
  readonly event: EventObject;
  readonly delayMs: number;
}

export interface DelayPlan {
  readonly rearm: readonly Rearm[];
  readonly carried: readonly string[];
  readonly cancelled: readonly string[];
  readonly blockers: readonly Blocker[];
}

/** Follows a state path through the renames of every link on the path (inverted on down steps). */
export function renameAlong(lineage: AnyLineage, steps: readonly PathStep[], path: string): string {
  let p = path;
  for (const step of steps) {
    const link = lineage.linkFrom(Math.min(step.from.version, step.to.version));
    const renames = link?.renamedStates;
    if (renames === undefined) continue;
    if (step.direction === 'up') p = renames[p] ?? p;
    else p = Object.entries(renames).find(([, to]) => to === p)?.[0] ?? p;
  }
  return p;
}

/** {@link renameAlong} backwards: the path a state of the last version had in the first. */
export function renameBack(lineage: AnyLineage, steps: readonly PathStep[], path: string): string {
  const back = [...steps].reverse().map((s) => ({ ...s, direction: s.direction === 'up' ? ('down' as const) : ('up' as const) }));
  return renameAlong(lineage, back, path);
}

/**
 * Decides, for each pending delayed event of version `from`, what the new actor arms — from the
 * *new* definition: an `after` is carried only when the mapped state declares the same delay and is
 * active in the migrated state (G5: a timer whose target is gone is a blocker, never a default).
 */
export function planDelays(
  candidates: readonly DelayCandidate[],
  options: {
    readonly lineage: AnyLineage;
    readonly steps: readonly PathStep[];
    readonly from: AnyVersion;
    readonly to: AnyVersion;
    readonly migratedValue: unknown;
    readonly policy: 'carry' | 'restart' | 'cancel' | 'block';
  },
): DelayPlan {
  const { from, to, policy } = options;
  if (policy === 'cancel') {
    return { rearm: [], carried: [], cancelled: candidates.map((c) => c.id), blockers: [] };
  }
  const fromAfters = delayedTransitions(from.machine);
  const toAfters = [...delayedTransitions(to.machine).values()];
  const rearm: Rearm[] = [];
  const carried: string[] = [];
  const blockers: Blocker[] = [];
  for (const c of candidates) {
    const ms = policy === 'restart' ? c.delayMs : c.remainingMs;
    const refuse = (state: string, reason: string): void => {
      blockers.push(blocker('pending-delay', { id: c.id, event: c.event.type, state, remainingMs: c.remainingMs, reason }));
    };
    if (policy === 'block') {
      refuse(fromAfters.get(c.event.type)?.statePath ?? '', 'policy is block');
      continue;
    }
    const info = fromAfters.get(c.event.type);
    if (info === undefined) {
      // a delayed raise/sendTo-self with its own event: the new version must accept that event
      if ((to.machine.events as readonly string[]).includes(c.event.type)) {
        rearm.push({ id: c.id, event: c.event, delayMs: ms });
        carried.push(c.id);
      } else refuse('(delayed event)', `v${to.version} does not accept event '${c.event.type}'`);
      continue;
    }
    const path = renameAlong(options.lineage, options.steps, info.statePath);
    const target = toAfters.find((t) => t.statePath === path && t.delayKey === info.delayKey);
    if (target === undefined) {
      refuse(info.statePath, `v${to.version} state '${path}' declares no 'after ${info.delayKey}'`);
    } else if (!isActive(to.machine, options.migratedValue, path)) {
      refuse(info.statePath, `v${to.version} state '${path}' is not active after migration`);
    } else {
      rearm.push({ id: target.eventType, event: { type: target.eventType }, delayMs: ms });
      carried.push(c.id);
    }
  }
  // A state the migrated snapshot is in that declares an `after` nothing was carried into would never
  // fire it: XState does not run entry actions on restore. If the old version's state declared the
  // same delay, nothing pending means it already fired (or its guard held it back): nothing to carry.
  // A delay the new version adds is armed in full under `restart`, and a blocker under `carry` (G5).
  const armed = new Set(rearm.map((r) => r.event.type));
  for (const t of toAfters) {
    if (armed.has(t.eventType) || !isActive(to.machine, options.migratedValue, t.statePath)) continue;
    const oldPath = renameBack(options.lineage, options.steps, t.statePath);
    if ([...fromAfters.values()].some((f) => f.statePath === oldPath && f.delayKey === t.delayKey)) continue;
    const full = Number(t.delayKey);
    if (policy === 'restart' && Number.isFinite(full)) {
      rearm.push({ id: t.eventType, event: { type: t.eventType }, delayMs: full });
      continue;
    }
    blockers.push(blocker('unarmed-delay', { version: to.version, state: t.statePath, delay: t.delayKey }));
  }
  return { rearm, carried, cancelled: [], blockers };
}
