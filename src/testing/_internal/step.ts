/**
 * Pure stepping of a machine through XState's `transition()`, tracking the delayed events the
 * returned actions schedule and cancel, on a virtual clock where events take no time.
 */
import { type AnyMachineSnapshot, type AnyStateMachine, type EventObject, createActor, initialTransition, transition } from 'xstate';

/** A delayed event scheduled by a delayed `xstate.raise` action and not yet fired or cancelled. */
export interface PendingDelay {
  readonly id: string;
  readonly event: EventObject;
  /** The delay the machine declared, in ms. */
  readonly delayMs: number;
  /** Virtual time at which it fires. */
  readonly dueAt: number;
  /** Scheduling order; breaks ties between equal `dueAt`. */
  readonly order: number;
}

/** Where a walk is: the live snapshot, the pending delays and the virtual clock. */
export interface WalkState {
  readonly snapshot: AnyMachineSnapshot;
  readonly pending: readonly PendingDelay[];
  readonly now: number;
  readonly scheduled: number;
}

interface ActionLike {
  readonly type: string;
  readonly params?: unknown;
}

/** Starts a walk at the machine's initial state, given `input` (XState's `createActor(m, { input })`). */
export function initialWalk(machine: AnyStateMachine, input?: unknown): WalkState {
  const [snapshot, actions] = initialTransition(machine, input);
  return applyActions({ snapshot, pending: [], now: 0, scheduled: 0 }, snapshot, actions as readonly ActionLike[]);
}

/** Feeds one event; returns the next walk state (the same object's contents when nothing happened). */
export function stepWalk(machine: AnyStateMachine, state: WalkState, event: EventObject): WalkState {
  const [snapshot, actions] = transition(machine, state.snapshot, event as never);
  return applyActions(state, snapshot, actions as readonly ActionLike[]);
}

/** The pending delay that fires first on the virtual clock, if any. */
export function nextDue(state: WalkState): PendingDelay | undefined {
  let best: PendingDelay | undefined;
  for (const p of state.pending) {
    if (best === undefined || p.dueAt < best.dueAt || (p.dueAt === best.dueAt && p.order < best.order)) best = p;
  }
  return best;
}

/** Fires the first-due pending delay: advances the clock to it, removes it, and feeds its event. */
export function fireDelay(machine: AnyStateMachine, state: WalkState, due: PendingDelay): WalkState {
  const advanced: WalkState = { ...state, now: Math.max(state.now, due.dueAt), pending: state.pending.filter((p) => p !== due) };
  return stepWalk(machine, advanced, due.event);
}

function applyActions(state: WalkState, snapshot: AnyMachineSnapshot, actions: readonly ActionLike[]): WalkState {
  let pending = state.pending;
  let scheduled = state.scheduled;
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, unknown>;
    if (action.type === 'xstate.raise' && typeof params['delay'] === 'number') {
      // XState's scheduler keys by id and a re-schedule with the same id replaces the old entry.
      const id = typeof params['id'] === 'string' ? params['id'] : `xstate.raise.${scheduled}`;
      const delayMs = params['delay'];
      pending = [
        ...pending.filter((p) => p.id !== id),
        { id, event: params['event'] as EventObject, delayMs, dueAt: state.now + delayMs, order: scheduled },
      ];
      scheduled++;
    } else if (action.type === 'xstate.cancel' && typeof params['sendId'] === 'string') {
      const sendId = params['sendId'];
      pending = pending.filter((p) => p.id !== sendId);
    }
  }
  return { snapshot, pending, now: state.now, scheduled };
}

/**
 * Wraps `{ type }` in a proxy that records whether the machine read any other property of the event:
 * such an event type needs a payload, and sending it bare would fabricate `undefined` data.
 */
export function bareEvent(type: string): { event: EventObject; readPayload: () => boolean } {
  let read = false;
  const event = new Proxy(
    { type },
    {
      get(target, key, receiver) {
        if (typeof key === 'string' && key !== 'type' && key !== 'toJSON' && key !== 'then') read = true;
        return Reflect.get(target, key, receiver) as unknown;
      },
    },
  );
  return { event, readPayload: () => read };
}

/**
 * Steps with a bare `{ type }` event, or returns `undefined` when the machine reads a payload from it.
 * The probe runs on a throwaway transition; the step that counts gets a plain `{ type }` object, so a
 * machine that keeps the event (`assign({ last: ({ event }) => event })`) keeps plain, cloneable data,
 * never the probing Proxy.
 */
export function stepBare(machine: AnyStateMachine, state: WalkState, type: string): WalkState | undefined {
  const { event, readPayload } = bareEvent(type);
  transition(machine, state.snapshot, event as never);
  if (readPayload()) return undefined;
  return stepWalk(machine, state, { type });
}

/**
 * True when the machine, restored from `persisted`, reads a payload (any property but `type`) from a
 * bare `type` event. Nothing of the probe's transition is kept.
 */
export function readsPayload(machine: AnyStateMachine, persisted: unknown, type: string): boolean {
  const restored = createActor(machine, { snapshot: structuredClone(persisted) as never }).getSnapshot() as AnyMachineSnapshot;
  const { event, readPayload } = bareEvent(type);
  transition(machine, restored, event as never);
  return readPayload();
}

/**
 * Restores a persisted snapshot the way an actor does (without starting it), feeds one event through the
 * pure `transition()`, and returns the persisted result.
 */
export function stepPersisted(machine: AnyStateMachine, persisted: unknown, event: EventObject): unknown {
  const restored = createActor(machine, { snapshot: structuredClone(persisted) as never }).getSnapshot() as AnyMachineSnapshot;
  const [next] = transition(machine, restored, event as never);
  return structuredClone(machine.getPersistedSnapshot(next));
}
