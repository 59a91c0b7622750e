/**
 * The ONE module that touches XState internals. Pinned to xstate ~5.33 in package.json and tested
 * against the installed version in test/ledger/xstate-adapter.test.ts.
 *
 * Why internals at all: XState v5 does not persist pending delayed events (statelyai/xstate#5331);
 * they live only in the actor system's scheduler (`system.scheduler`, its table keyed `sessionId.id`),
 * stamped with `Date.now()` rather than the actor's clock. A live component's actors get a scheduler
 * hotswap owns (same operations, same keys, stamped with the injected clock), so a swap can read the
 * pending delays here and re-arm them on the new actor with their remaining time.
 */
import { type AnyActorLogic, type AnyActorRef, type AnyStateMachine, type EventObject, StateMachine } from 'xstate';
import type { Clock } from '../../clock/clock.ts';
import type { PersistedChild, PersistedSnapshot } from '../../migrate/persisted.ts';

interface ScheduledEvent {
  source: AnyActorRef;
  target: AnyActorRef;
  event: EventObject;
  delay: number;
  id: string;
  startedAt: number;
}

interface SchedulerLike {
  schedule(source: AnyActorRef, target: AnyActorRef, event: EventObject, delay: number, id?: string): void;
  cancel(source: AnyActorRef, id: string): void;
  cancelAll(actor: AnyActorRef): void;
}

interface SystemInternals {
  scheduler: SchedulerLike;
  _snapshot: { _scheduledEvents: Record<string, ScheduledEvent> };
  _relay(source: AnyActorRef, target: AnyActorRef, event: EventObject): void;
}

/** The view of an empty table (every actor's at `start()`): read-only, as any copy may be. */
const NOTHING_SCHEDULED: Record<string, ScheduledEvent> = Object.freeze({});

/**
 * The table of a scheduler hotswap owns, in `Map`s, standing in for `system._snapshot`: XState reads
 * and assigns `system._snapshot._scheduledEvents` (`system.getSnapshot()`, `system.start()`), and
 * gets a plain-object view of the same table.
 */
class ScheduleTable {
  readonly clock: Clock;
  readonly system: SystemInternals;
  /** What is scheduled, keyed `sessionId.id` as XState keys it. */
  readonly scheduled = new Map<string, ScheduledEvent>();
  /** The timer behind each key (a separate table, as XState keeps it). */
  readonly timers = new Map<string, unknown>();

  constructor(clock: Clock, system: SystemInternals) {
    this.clock = clock;
    this.system = system;
  }

  get _scheduledEvents(): Record<string, ScheduledEvent> {
    if (this.scheduled.size === 0) return NOTHING_SCHEDULED;
    const table: Record<string, ScheduledEvent> = {};
    for (const [key, e] of this.scheduled) table[key] = e;
    return table;
  }

  /** `system.start()` reads the table, assigns `{}`, then schedules what it read again. */
  set _scheduledEvents(table: Record<string, ScheduledEvent>) {
    if (this.scheduled.size > 0) this.scheduled.clear();
    for (const key in table) if (Object.hasOwn(table, key)) this.scheduled.set(key, table[key]!);
  }

  /** Serialises as XState's `system._snapshot` does. */
  toJSON(): { _scheduledEvents: Record<string, ScheduledEvent> } {
    return { _scheduledEvents: this._scheduledEvents };
  }
}

function internals(actor: AnyActorRef): SystemInternals {
  const system = actor.system as unknown as Partial<SystemInternals> | undefined;
  // checked when its scheduler was taken over
  if (system?._snapshot instanceof ScheduleTable) return system as SystemInternals;
  if (
    system === undefined ||
    typeof system.scheduler?.schedule !== 'function' ||
    typeof system.scheduler.cancel !== 'function' ||
    typeof system.scheduler.cancelAll !== 'function' ||
    typeof system._relay !== 'function' ||
    typeof system._snapshot !== 'object' ||
    // `in`, not a read: on an owned system the read builds a copy of the table
    !('_scheduledEvents' in system._snapshot)
  ) {
    throw new Error('hotswap: this XState version has no readable scheduler; hotswap supports xstate ~5.33');
  }
  return system as SystemInternals;
}

/**
 * Takes over the actor system's scheduler: the same three operations XState's does (`schedule`,
 * `cancel`, `cancelAll`, same keys, same firing through `system._relay`), with two differences.
 * `startedAt` is stamped with `clock.now()`, so remaining time is measured on the time line the timers
 * run on (XState stamps `Date.now()`); and the table lives in `Map`s, where XState adds and deletes a
 * property named after a session id on a plain object — a new hidden class for every actor, which
 * made re-arming one delay cost more than the rest of a tiny swap. `system._snapshot._scheduledEvents`
 * stays readable (and assignable, as `system.start()` does) as a view of the same table; the view is
 * a copy, so deleting keys from it cancels nothing (use `cancel`).
 * Call once, right after `createActor` (with the clock passed there) and before `start()`: a timer
 * XState armed before would stay in XState's own table, out of reach.
 */
export function instrumentScheduler(actor: AnyActorRef, clock: Clock): void {
  const system = internals(actor);
  if (system._snapshot instanceof ScheduleTable) return;
  const table = new ScheduleTable(clock, system);
  table._scheduledEvents = system._snapshot._scheduledEvents;
  system._snapshot = table;
  // the same three functions for every system: each finds its table through the actor it is given
  system.scheduler.schedule = schedule;
  system.scheduler.cancel = cancel;
  system.scheduler.cancelAll = cancelAll;
}

/** The table of the system `actor` belongs to (always owned: these functions are installed with it). */
function tableOf(actor: AnyActorRef): ScheduleTable {
  return (actor.system as unknown as SystemInternals)._snapshot as ScheduleTable;
}

function schedule(source: AnyActorRef, target: AnyActorRef, event: EventObject, delay: number, id = Math.random().toString(36).slice(2)): void {
  const table = tableOf(source);
  const key = `${source.sessionId}.${id}`;
  table.scheduled.set(key, { source, target, event, delay, id, startedAt: table.clock.now() });
  table.timers.set(
    key,
    table.clock.setTimeout(() => {
      table.timers.delete(key);
      table.scheduled.delete(key);
      table.system._relay(source, target, event);
    }, delay),
  );
}

function cancel(source: AnyActorRef, id: string): void {
  const table = tableOf(source);
  const key = `${source.sessionId}.${id}`;
  const timer = table.timers.get(key);
  table.timers.delete(key);
  table.scheduled.delete(key);
  if (timer !== undefined) table.clock.clearTimeout(timer);
}

function cancelAll(source: AnyActorRef): void {
  // deleting the entry being visited is safe while iterating a Map
  for (const e of tableOf(source).scheduled.values()) if (e.source === source) cancel(source, e.id);
}

/** The scheduled events of the actor's system: hotswap's table, or XState's own when not instrumented. */
function scheduledEvents(actor: AnyActorRef): Iterable<ScheduledEvent> {
  const { _snapshot } = internals(actor);
  return _snapshot instanceof ScheduleTable ? _snapshot.scheduled.values() : Object.values(_snapshot._scheduledEvents);
}

/** A delayed event pending in the actor system, as the ledger reports it. */
export interface PendingDelay {
  /** XState's id for it, e.g. `xstate.after.100.driver.busy` (or a `sendTo`/`raise` id). */
  readonly id: string;
  readonly event: EventObject;
  readonly delayMs: number;
  readonly startedAt: number;
  readonly remainingMs: number;
  /** The actor that scheduled it: the root machine, or one of its descendants. */
  readonly sourceId: string;
  readonly fromRoot: boolean;
  /** Whether it targets the actor that scheduled it (an `after` or delayed `raise`). */
  readonly selfTargeted: boolean;
}

/** Every delayed event the actor's system has pending, with its remaining time on `clock`. */
export function pendingDelays(actor: AnyActorRef, clock: Clock): PendingDelay[] {
  const now = clock.now();
  const out: PendingDelay[] = [];
  for (const e of scheduledEvents(actor)) {
    out.push({
      id: e.id,
      event: e.event,
      delayMs: e.delay,
      startedAt: e.startedAt,
      remainingMs: Math.max(0, e.startedAt + e.delay - now),
      sourceId: e.source.id,
      fromRoot: e.source === actor,
      selfTargeted: e.source === e.target,
    });
  }
  return out;
}

/** Arms a delayed event on `actor` (source and target), as an `after` or delayed `raise` would. */
export function scheduleDelay(actor: AnyActorRef, event: EventObject, delayMs: number, id: string): void {
  internals(actor).scheduler.schedule(actor, actor, event, delayMs, id);
}

/** Cancels a pending delayed event of `actor`. */
export function cancelDelay(actor: AnyActorRef, id: string): void {
  internals(actor).scheduler.cancel(actor, id);
}

/** Where an `after` transition lives: its state's path and its delay key (number or named delay). */
export interface DelayedTransitionInfo {
  readonly eventType: string;
  readonly statePath: string;
  readonly delayKey: string;
}

interface StateNodeLike {
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly after: ReadonlyArray<{ eventType: string; delay: number | string }>;
}

const delayedCache = new WeakMap<AnyStateMachine, Map<string, DelayedTransitionInfo>>();

/** Every `after` transition of a machine, keyed by the event type XState raises for it. */
export function delayedTransitions(machine: AnyStateMachine): Map<string, DelayedTransitionInfo> {
  let map = delayedCache.get(machine);
  if (map !== undefined) return map;
  map = new Map();
  const visit = (node: StateNodeLike): void => {
    for (const t of node.after) {
      map!.set(t.eventType, { eventType: t.eventType, statePath: node.path.join('.'), delayKey: String(t.delay) });
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root as unknown as StateNodeLike);
  delayedCache.set(machine, map);
  return map;
}

/** The kind of an actor logic, found by probing its (pure) transition function. */
export type LogicKind = 'machine' | 'promise' | 'callback' | 'other';

const kindCache = new WeakMap<object, LogicKind>();

/**
 * Tells a `fromPromise` logic from the others without relying on private fields: promise logic
 * answers `xstate.promise.resolve` by becoming `done`.
 */
export function logicKind(logic: AnyActorLogic | undefined): LogicKind {
  if (logic === undefined || logic === null) return 'other';
  const cached = kindCache.get(logic);
  if (cached !== undefined) return cached;
  let kind: LogicKind = 'other';
  const l = logic as unknown as { config?: unknown; transition?: unknown; root?: unknown };
  if (l.root !== undefined && typeof l.transition === 'function') kind = 'machine';
  else if (typeof l.config === 'function' && typeof l.transition === 'function') {
    try {
      const probe = { status: 'active', output: undefined, error: undefined, input: undefined };
      const next = (l.transition as (s: unknown, e: unknown, scope: unknown) => { status?: string })(
        probe,
        { type: 'xstate.promise.resolve', data: 1 },
        { self: {} },
      );
      kind = next?.status === 'done' ? 'promise' : 'callback';
    } catch {
      // callback logic reads per-instance state the probe does not have; it is not a promise
      kind = 'callback';
    }
  }
  kindCache.set(logic, kind);
  return kind;
}

/** The `fromPromise` creator inside a promise logic (XState keeps it as `config`). */
export function promiseCreatorOf(logic: AnyActorLogic): (args: any) => PromiseLike<unknown> {
  return (logic as unknown as { config: (args: any) => PromiseLike<unknown> }).config;
}

// ── persisted snapshots ──────────────────────────────────────────────────────

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
      if ('sessionId' in value && 'send' in value && 'ref' in value) {
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

function isMarker(value: object): boolean {
  return 'xstate$$type' in value && (value as { xstate$$type: unknown }).xstate$$type === ACTOR_MARKER;
}

/** The key XState's marker for an actor ref carries (what a walk over built objects looks for). */
export const ACTOR_MARKER_KEY = 'xstate$$type';

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
const MARKER_FREE_MIN = 256;

/** Calls `visit` with the dotted path and id of every actor marker in a context (each object once). */
export function forEachMarker(context: unknown, at: string, visit: (path: string, id: string) => void): void {
  const seen = new Set<object>();
  // the keys down to the object being walked: a path is written only for a marker found
  const keys: (string | number)[] = [];
  // the size of a subtree with no marker, every object frozen; -1 otherwise
  const member = (value: unknown, key: string | number): number => {
    if (!value || typeof value !== 'object') return 0;
    if (isMarker(value)) {
      keys.push(key);
      visit([at, ...keys].join('.'), String((value as { id?: unknown }).id));
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
    if (Array.isArray(part)) for (let i = 0; i < part.length; i++) add(member(part[i], i));
    else for (const key in part) add(member((part as Record<string, unknown>)[key], key));
    if (size >= MARKER_FREE_MIN) MARKER_FREE.add(part);
    return size;
  };
  if (context !== null && typeof context === 'object') walk(context);
}

/** Whether a context holds any actor marker (stops at the first). */
function anyMarker(context: unknown): boolean {
  const found = {};
  try {
    forEachMarker(context, '', () => {
      throw found;
    });
  } catch (error) {
    if (error === found) return true;
    throw error;
  }
  return false;
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
