/**
 * The persisted-snapshot half of the XState adapter (re-exported by `adapter.ts`, the one entry
 * point for XState internals): XState's `getPersistedSnapshot()` rebuilt field by field, and what
 * XState's restore needs of a snapshot holding actor refs (markers). Pinned to xstate ~5.33 with the
 * rest; tested against the installed version in test/xstate/persisted-snapshot.test.ts.
 */
import { type AnyActorRef, StateMachine } from 'xstate';
import { describeError } from '../errors.ts';
import type { PersistedChild, PersistedSnapshot } from './persisted.ts';

/** The own keys of a machine snapshot in xstate 5.33 (`createMachineSnapshot`). */
const SNAPSHOT_KEYS = new Set([
  'status', 'output', 'error', 'machine', 'context', '_nodes', 'value', 'tags', 'children', 'historyValue',
  'matches', 'hasTag', 'can', 'getMeta', 'toJSON',
]);

/** XState's marker for an actor ref in a persisted context (`$$ACTOR_TYPE`). */
const ACTOR_MARKER = 1;

/** Persisted snapshots whose context holds actor markers (what {@link restorable} must thaw). */
const withMarkers = new WeakSet<object>();

/**
 * `actor.getPersistedSnapshot()` for a machine actor, built field by field: the same object XState
 * builds (same keys in the same order, the same context copy with actor refs replaced by markers, the
 * same children and history), at a tenth of the cost on a small state — XState's copies the snapshot
 * with a rest pattern that excludes ten keys, which V8 runs in its slow runtime path. Any other
 * logic, or a snapshot with keys this version does not know, goes through XState itself.
 */
export function persistedSnapshotOf(actor: AnyActorRef): PersistedSnapshot {
  return persistState(actor).snapshot;
}

/** {@link persistedSnapshotOf}, and whether its context holds actor refs (markers). */
export function persistState(actor: AnyActorRef): { readonly snapshot: PersistedSnapshot; readonly actorRefs: boolean } {
  const logic = (actor as { logic?: unknown }).logic;
  const snapshot = actor.getSnapshot() as Record<string, unknown> & {
    children: Record<string, AnyActorRef & { _syncSnapshot?: boolean; systemId?: string }>;
    historyValue?: unknown;
  };
  if (!(logic instanceof StateMachine) || logic.constructor !== StateMachine || !knownShape(snapshot)) {
    const persisted = actor.getPersistedSnapshot() as PersistedSnapshot;
    return { snapshot: persisted, actorRefs: holdsActorRefs(persisted) };
  }
  const children: Record<string, PersistedChild> = {};
  for (const id in snapshot.children) {
    const child = snapshot.children[id]!;
    // a child machine's through the same path (its refs found as it is built); other logic through XState
    const inner = (child as { logic?: unknown }).logic instanceof StateMachine ? persistChild(child) : child.getPersistedSnapshot();
    children[id] = { snapshot: inner, src: child.src, systemId: child.systemId, syncSnapshot: child._syncSnapshot };
  }
  const marked = { found: false };
  const persisted: PersistedSnapshot = {
    status: snapshot['status'] as string,
    output: snapshot['output'],
    error: snapshot['error'],
    value: snapshot['value'],
    historyValue: persistHistory(snapshot.historyValue),
    context: persistContext(snapshot['context'], marked),
    children,
  };
  if (marked.found) noteActorRefs(persisted);
  return { snapshot: persisted, actorRefs: marked.found };
}

/** Child machines' persisted snapshots built here: whether their context holds refs is on record. */
const childrenBuiltHere = new WeakSet<object>();

function persistChild(child: AnyActorRef): PersistedSnapshot {
  const { snapshot } = persistState(child);
  childrenBuiltHere.add(snapshot);
  return snapshot;
}

/** Whether a child machine's persisted context may hold actor refs (`false` only when known not to). */
export function childMayHoldRefs(snapshot: PersistedSnapshot): boolean {
  return !childrenBuiltHere.has(snapshot) || withMarkers.has(snapshot);
}

function knownShape(snapshot: object): boolean {
  let n = 0;
  for (const key in snapshot) {
    if (!SNAPSHOT_KEYS.has(key)) return false;
    n++;
  }
  return n === SNAPSHOT_KEYS.size;
}

/** XState's `serializeHistoryValue`: each history entry by state node id. */
function persistHistory(history: unknown): Record<string, { id: string }[]> {
  const out: Record<string, { id: string }[]> = {};
  if (typeof history !== 'object' || history === null) return out;
  for (const key in history) {
    const nodes = (history as Record<string, unknown>)[key];
    if (Array.isArray(nodes)) out[key] = nodes.map((node: { id: string }) => ({ id: node.id }));
  }
  return out;
}

/** XState's `persistContext`: copies the path to every actor ref, which becomes a marker. */
function persistContext(part: unknown, marked: { found: boolean }): unknown {
  // a frozen subtree with no ref and no marker: XState's walk would return it unchanged
  if (MARKER_FREE.has(part as object)) return part;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key in part as object) {
    const value = (part as Record<string, unknown>)[key];
    if (value && typeof value === 'object') {
      let next: unknown;
      if (isActorRef(value)) {
        next = { xstate$$type: ACTOR_MARKER, id: (value as unknown as { id: string }).id };
        marked.found = true;
      } else {
        // marker-shaped data already in the context: XState's restore revives it like a ref
        if (isMarker(value)) marked.found = true;
        next = persistContext(value, marked);
        if (next === value) continue;
      }
      copy ??= Array.isArray(part) ? part.slice() : { ...(part as object) };
      (copy as Record<string, unknown>)[key] = next;
    }
  }
  return copy ?? part;
}

/** Whether a context member is a live actor ref, which XState's persisted snapshot writes as a marker. */
export function isActorRef(value: object): boolean {
  return 'sessionId' in value && 'send' in value && 'ref' in value;
}

/** The key XState's marker for an actor ref carries (what a walk over built objects looks for). */
export const ACTOR_MARKER_KEY = 'xstate$$type';

/** Whether a context member is data shaped like XState's actor marker (its restore revives it like a ref). */
export function isMarker(value: object): boolean {
  return ACTOR_MARKER_KEY in value && (value as { xstate$$type: unknown }).xstate$$type === ACTOR_MARKER;
}

/**
 * Records a snapshot whose context holds actor markers. Only these are recorded (they are rare, and
 * a set entry per swap costs the swap): `persistState` and `migrate` record every one they return, so
 * for their snapshots `withMarkers.has` is the whole answer.
 */
export function noteActorRefs(snapshot: PersistedSnapshot): void {
  withMarkers.add(snapshot);
}

/** Whether the context of a persisted snapshot holds actor markers (a walk, unless recorded). */
export function holdsActorRefs(snapshot: PersistedSnapshot): boolean {
  return withMarkers.has(snapshot) || anyMarker(snapshot.context);
}

/**
 * Frozen subtrees (every object in them frozen) of at least {@link MARKER_FREE_MIN} objects found to
 * hold no actor marker and no actor ref: immutable, so no walk for markers — nor `persistContext` —
 * needs to enter them again. A large state holding one ref is walked whole once, then only along the
 * parts that changed.
 */
const MARKER_FREE = new WeakSet<object>();
export const MARKER_FREE_MIN = 256;

/** Whether `part` is known to hold no actor marker and no actor ref, every object in it frozen. */
export function isMarkerFree(part: object): boolean {
  return MARKER_FREE.has(part);
}

/**
 * Records a subtree as marker-free: the caller (the swap's pre-copy, src/swap/_internal/precopy-walk.ts)
 * walked it and found every object in it frozen, no actor ref and no marker in it.
 */
export function noteMarkerFree(part: object): void {
  MARKER_FREE.add(part);
}

/**
 * Calls `visit` with the dotted path and id of every actor marker in a context (each object once),
 * until it returns `true`.
 */
export function forEachMarker(context: unknown, at: string, visit: (path: string, id: string) => boolean | void): void {
  const seen = new Set<object>();
  let stopped = false;
  // the keys down to the object being walked: a path is written only for a marker found
  const keys: (string | number)[] = [];
  // the size of a subtree with no marker, every object frozen; -1 otherwise
  const member = (value: unknown, key: string | number): number => {
    if (!value || typeof value !== 'object') return 0;
    if (isMarker(value)) {
      keys.push(key);
      if (visit([at, ...keys].join('.'), String((value as { id?: unknown }).id)) === true) stopped = true;
      keys.pop();
      return -1;
    }
    keys.push(key);
    const n = walk(value);
    keys.pop();
    return n;
  };
  const walk = (part: object): number => {
    if (MARKER_FREE.has(part)) return 0;
    // seen already (shared, or a cycle): what is under it is not known here, so nothing above it is cached
    if (seen.has(part)) return -1;
    seen.add(part);
    let size = Object.isFrozen(part) ? 1 : -1;
    const add = (n: number): void => {
      size = n < 0 || size < 0 ? -1 : size + n;
    };
    // a stop leaves this subtree unfinished: its size is -1 (it holds the marker), so nothing is cached
    if (Array.isArray(part)) for (let i = 0; i < part.length && !stopped; i++) add(member(part[i], i));
    else for (const key in part) {
      if (stopped) break;
      add(member((part as Record<string, unknown>)[key], key));
    }
    if (size >= MARKER_FREE_MIN) MARKER_FREE.add(part);
    return size;
  };
  if (context !== null && typeof context === 'object') walk(context);
}

/** Whether a context holds any actor marker (stops at the first). */
function anyMarker(context: unknown): boolean {
  let found = false;
  forEachMarker(context, '', () => (found = true));
  return found;
}

/** A child's persisted snapshot that is a machine's: it has a context (and children) XState revives refs in. */
export function isMachineSnapshot(value: unknown): value is PersistedSnapshot {
  return value !== null && typeof value === 'object' && 'context' in value && typeof (value as { children?: unknown }).children === 'object' && (value as { children?: unknown }).children !== null;
}

/**
 * A persisted snapshot XState can restore. On restore XState writes each revived actor ref into the
 * object that held its marker — in the root's context and in every child machine's — which throws
 * when that object is frozen (hotswap freezes what links see; envelopes are frozen whole). This
 * returns `snapshot` itself when nothing needs thawing, or a copy in which every object on the path
 * to a marker is copied, unfrozen (an object shared by two paths stays shared); the rest is shared.
 * `snapshot` comes from `migrate`, which records every context that holds markers, the children's
 * included (its ref check walks them all once); {@link persistState} records the root's.
 */
export function restorable<T extends PersistedSnapshot>(snapshot: T): T {
  const ready = thawed(snapshot);
  // a positive finding, not the absence of a record: the walk skips subtrees already found marker-free
  if (!holdsActorRefs(snapshot)) reviveFree.add(ready);
  return ready;
}

/**
 * Snapshots from {@link restorable} whose root context was found to hold no actor marker (a walk that
 * skips the frozen subtrees already found marker-free): XState's restore need not walk it to revive refs.
 */
const reviveFree = new WeakSet<object>();

/** Whether XState's restore may skip its walk of `snapshot`'s root context (no marker in it): see {@link restorable}. */
export function isReviveFree(snapshot: unknown): boolean {
  return typeof snapshot === 'object' && snapshot !== null && reviveFree.has(snapshot);
}

function thawed<T extends PersistedSnapshot>(snapshot: T): T {
  const context = withMarkers.has(snapshot) ? thawMarkerPaths(snapshot.context, new Map()) : snapshot.context;
  let children: Record<string, PersistedChild> | undefined;
  for (const id in snapshot.children) {
    const child = snapshot.children[id]!;
    const inner = child.snapshot;
    // a child machine's own snapshot (other logic has no context to revive refs into)
    if (!isMachineSnapshot(inner)) continue;
    const ready = restorable(inner);
    if (ready === inner) continue;
    children ??= { ...snapshot.children };
    children[id] = { ...child, snapshot: ready };
  }
  if (context === snapshot.context && children === undefined) return snapshot;
  const copy: T = { ...snapshot, context };
  if (children !== undefined) (copy as { children: Record<string, PersistedChild> }).children = children;
  return copy;
}

function thawMarkerPaths(part: unknown, copies: Map<object, unknown>): unknown {
  if (part === null || typeof part !== 'object' || MARKER_FREE.has(part)) return part;
  // visited: its copy (or itself, when no marker is below it), so shared objects stay shared
  if (copies.has(part)) return copies.get(part);
  copies.set(part, part);
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key in part) {
    const value = (part as Record<string, unknown>)[key];
    if (!value || typeof value !== 'object') continue;
    const marker = isMarker(value);
    const next = marker ? value : thawMarkerPaths(value, copies);
    if (next === value && !marker) continue;
    if (copy === undefined) {
      copy = Array.isArray(part) ? part.slice() : { ...(part as object) };
      copies.set(part, copy);
    }
    (copy as Record<string, unknown>)[key] = next;
  }
  return copy ?? part;
}

/**
 * A child XState failed to restore into `actor` (it reports that as the child's status, set as the
 * actor is created, not as a throw), at any depth: the first one that was not failed in `persisted`,
 * as an error. Look before `start()`: a child that errors while starting is the new version's to handle.
 */
export function failedRestore(actor: AnyActorRef, persisted: PersistedSnapshot): Error | undefined {
  return failedChild(actor, persisted, '');
}

/** The first child (at any depth) that was not failed in `persisted` and is failed now, as an error. */
function failedChild(actor: AnyActorRef, persisted: PersistedSnapshot, at: string): Error | undefined {
  const live = (actor.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
  for (const id in persisted.children) {
    const child = live[id];
    if (child === undefined) continue;
    const was = persisted.children[id]?.snapshot;
    const now = child.getSnapshot() as { status: string; error?: unknown };
    if (now.status === 'error' && (was as { status?: unknown } | undefined)?.status !== 'error') {
      const e = describeError(now.error);
      return new Error(`child '${at}${id}' failed to restore: ${e.name}: ${e.message}`);
    }
    if (isMachineSnapshot(was)) {
      const deeper = failedChild(child, was, `${at}${id}/`);
      if (deeper !== undefined) return deeper;
    }
  }
  return undefined;
}
