/**
 * The delay plan: for each pending XState delayed event, what the new actor arms — from the new
 * definition, followed through the links' renames — or the blocker that refuses it (G5). Used by the
 * swap's verify step and by `runtime.start` from a snapshot. Pinned by test/swap/delays.test.ts,
 * test/swap/delay-plans.test.ts and test/swap/policies.test.ts.
 */
import type { EventObject } from 'xstate';
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { acceptsEvent, delayedTransitions } from '../../xstate/adapter.ts';
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
  /** Re-armed with their remaining time (`carry`). */
  readonly carried: readonly string[];
  /** Re-armed with their full delay (`restart`): not carried, begun again. */
  readonly restarted: readonly string[];
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

/** What to do with one candidate, by its position: re-arm it (with its own event or the new version's), or refuse. */
type Decision =
  | { readonly rearm: true; readonly id: string | undefined; readonly event: EventObject | undefined }
  | { readonly rearm: false; readonly state: string; readonly reason: string };

/** A plan with the time left out: everything {@link planDelays} decides depends only on its key. */
interface PlanShape {
  readonly decisions: readonly Decision[];
  /** Delays the new version adds, armed in full (`restart`). */
  readonly added: readonly Rearm[];
  readonly blockers: readonly Blocker[];
}

// Per lineage, then by versions, policy, migrated state value and the candidates' event types: a
// component swapping back and forth between the same states plans each combination once. A tree of
// maps keyed by values that already exist (numbers, state names, event types): a lookup builds no key.
type ShapeTree = Map<unknown, ShapeTree | PlanShape>;
const shapes = new WeakMap<AnyLineage, ShapeTree>();
const SHAPE_LIMIT = 256;

function branch(tree: ShapeTree, key: unknown): ShapeTree {
  let next = tree.get(key) as ShapeTree | undefined;
  if (next === undefined) {
    if (tree.size >= SHAPE_LIMIT) tree.clear();
    tree.set(key, (next = new Map()));
  }
  return next;
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
  const { policy } = options;
  if (policy === 'cancel') {
    return { rearm: [], carried: [], restarted: [], cancelled: candidates.map((c) => c.id), blockers: [] };
  }
  const shape = shapeOf(candidates, options);
  const rearm: Rearm[] = [];
  const carried: string[] = [];
  const blockers: Blocker[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const d = shape.decisions[i]!;
    if (d.rearm) {
      rearm.push({ id: d.id ?? c.id, event: d.event ?? c.event, delayMs: policy === 'restart' ? c.delayMs : c.remainingMs });
      carried.push(c.id);
    } else blockers.push(blocker('pending-delay', { id: c.id, event: c.event.type, state: d.state, remainingMs: c.remainingMs, reason: d.reason }));
  }
  rearm.push(...shape.added);
  blockers.push(...shape.blockers);
  return policy === 'restart' ? { rearm, carried: [], restarted: carried, cancelled: [], blockers } : { rearm, carried, restarted: [], cancelled: [], blockers };
}

/** Ends a path of keys in the tree: the candidates' event types are a prefix-free list with it. */
const END = Symbol('end');

function shapeOf(candidates: readonly DelayCandidate[], options: Parameters<typeof planDelays>[1]): PlanShape {
  const { lineage, from, to, policy, migratedValue } = options;
  let root = shapes.get(lineage);
  if (root === undefined) shapes.set(lineage, (root = new Map()));
  // a string value and an object value's JSON never share a branch (a state may be named `{"p":"q"}`)
  let node = branch(branch(branch(root, from.version), to.version), policy);
  node = typeof migratedValue === 'string' ? branch(branch(node, 'string'), migratedValue) : branch(branch(node, 'json'), JSON.stringify(migratedValue));
  for (const c of candidates) node = branch(node, c.event.type);
  let shape = node.get(END) as PlanShape | undefined;
  if (shape === undefined) node.set(END, (shape = decide(candidates, options)));
  return shape;
}

function decide(candidates: readonly DelayCandidate[], options: Parameters<typeof planDelays>[1]): PlanShape {
  const { from, to, policy } = options;
  const fromAfters = delayedTransitions(from.machine);
  const toAfters = [...delayedTransitions(to.machine).values()];
  const decisions: Decision[] = [];
  const added: Rearm[] = [];
  const blockers: Blocker[] = [];
  const armed = new Set<string>();
  for (const c of candidates) {
    const info = fromAfters.get(c.event.type);
    if (policy === 'block') {
      decisions.push({ rearm: false, state: info?.statePath ?? '', reason: 'policy is block' });
      continue;
    }
    if (info === undefined) {
      // a delayed raise/sendTo-self with its own event: the new version must accept that event
      if (acceptsEvent(to.machine, c.event.type)) {
        decisions.push({ rearm: true, id: undefined, event: undefined });
        armed.add(c.event.type);
      } else decisions.push({ rearm: false, state: '(delayed event)', reason: `v${to.version} does not accept event '${c.event.type}'` });
      continue;
    }
    const path = renameAlong(options.lineage, options.steps, info.statePath);
    const target = toAfters.find((t) => t.statePath === path && t.delayKey === info.delayKey);
    if (target === undefined) {
      decisions.push({ rearm: false, state: info.statePath, reason: `v${to.version} state '${path}' declares no 'after ${info.delayKey}'` });
    } else if (!isActive(to.machine, options.migratedValue, path)) {
      decisions.push({ rearm: false, state: info.statePath, reason: `v${to.version} state '${path}' is not active after migration` });
    } else {
      decisions.push({ rearm: true, id: target.eventType, event: Object.freeze({ type: target.eventType }) });
      armed.add(target.eventType);
    }
  }
  // A state the migrated snapshot is in that declares an `after` nothing was carried into would never
  // fire it: XState does not run entry actions on restore. If the old version's state declared the
  // same delay, nothing pending means it already fired (or its guard held it back): nothing to carry.
  // A delay the new version adds is armed in full under `restart`, and a blocker under `carry` (G5).
  for (const t of toAfters) {
    if (armed.has(t.eventType) || !isActive(to.machine, options.migratedValue, t.statePath)) continue;
    const oldPath = renameBack(options.lineage, options.steps, t.statePath);
    if ([...fromAfters.values()].some((f) => f.statePath === oldPath && f.delayKey === t.delayKey)) continue;
    const full = Number(t.delayKey);
    if (policy === 'restart' && Number.isFinite(full)) {
      added.push(Object.freeze({ id: t.eventType, event: Object.freeze({ type: t.eventType }), delayMs: full }));
      continue;
    }
    blockers.push(Object.freeze(blocker('unarmed-delay', { version: to.version, state: t.statePath, delay: t.delayKey })));
  }
  // shared by every plan of the same shape: frozen, so no report can change another's
  return { decisions, added, blockers };
}
