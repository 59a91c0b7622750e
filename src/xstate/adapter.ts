/**
 * The ONE entry point to XState internals (with its persisted-snapshot half, `persist.ts`, and the
 * relay gate, `relay-gate.ts`, re-exported here). Pinned to xstate ~5.33 in package.json and tested against the installed version
 * in test/xstate/adapter.test.ts and test/xstate/persisted-snapshot.test.ts.
 *
 * Why internals at all: XState v5 does not persist pending delayed events (statelyai/xstate#5331);
 * they live only in the actor system's scheduler (`system.scheduler`, its table keyed `sessionId.id`),
 * stamped with `Date.now()` rather than the actor's clock. A live component's actors get a scheduler
 * hotswap owns (same operations, same keys, stamped with the injected clock), so a swap can read the
 * pending delays here and re-arm them on the new actor with their remaining time.
 */
import type { AnyActorLogic, AnyActorRef, AnyStateMachine, EventObject } from 'xstate';
import { type Clock, remainingMs } from '../clock/clock.ts';

// The persisted-snapshot half and the relay gate live in their own files; this module stays the one entry point.
export * from './persist.ts';
export * from './relay-gate.ts';

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
  /**
   * The state of the scheduling actor that declares it (`after`), else the state that actor is in
   * (a delayed `raise` or `sendTo`): what a blocker names.
   */
  readonly sourceState: string;
}

/** The state a delayed event belongs to, in the machine of the actor that scheduled it. */
function sourceStateOf(source: AnyActorRef, event: EventObject): string {
  const logic = (source as { logic?: unknown }).logic as AnyStateMachine | undefined;
  const declared = logicKind(logic) === 'machine' ? delayedTransitions(logic!).get(event.type)?.statePath : undefined;
  if (declared !== undefined) return declared;
  const value = (source.getSnapshot() as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
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
      remainingMs: remainingMs(e.startedAt + e.delay, now),
      sourceId: e.source.id,
      fromRoot: e.source === actor,
      selfTargeted: e.source === e.target,
      sourceState: sourceStateOf(e.source, e.event),
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

const acceptedCache = new WeakMap<AnyStateMachine, readonly string[]>();

/**
 * Every event descriptor some state of the machine has a transition for, inert ones included.
 * XState's `machine.events` leaves out an inert transition (`on: { PING: {} }`: no target, no
 * actions), but the machine does accept that event, on purpose, as a no-op; a held `PING` delivered to
 * it is processed, not lost, so it must not stand against a swap.
 */
export function acceptedEvents(machine: AnyStateMachine): readonly string[] {
  let list = acceptedCache.get(machine);
  if (list !== undefined) return list;
  const seen = new Set<string>(machine.events as readonly string[]);
  const visit = (node: { readonly transitions: ReadonlyMap<string, unknown>; readonly states: Readonly<Record<string, unknown>> }): void => {
    for (const descriptor of node.transitions.keys()) seen.add(descriptor);
    for (const child of Object.values(node.states)) visit(child as typeof node);
  };
  visit(machine.root as unknown as Parameters<typeof visit>[0]);
  list = Object.freeze([...seen]);
  acceptedCache.set(machine, list);
  return list;
}

/** Whether some state of the machine has a transition for `type` (a wildcard `*` or `prefix.*` counts). */
export function acceptsEvent(machine: AnyStateMachine, type: string): boolean {
  for (const d of acceptedEvents(machine)) {
    if (d === type || d === '*') return true;
    if (d.endsWith('.*') && type.startsWith(d.slice(0, -1))) return true;
  }
  return false;
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
