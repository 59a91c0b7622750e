/**
 * Reachable snapshots: fast-check arbitraries for the persisted states a version can really be in,
 * found by running random event sequences from the initial state through XState's pure `transition()`.
 */
import fc from 'fast-check';
import type { AnyStateMachine, EventObject } from 'xstate';
import type { AnyVersion, EventOf } from '../lineage/types.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { show, showEvents } from './_internal/describe.ts';
import type { InputOf } from './input.ts';
import { fireDelay, initialWalk, nextDue, stepBare, stepWalk, type WalkState } from './_internal/step.ts';

/** How {@link reachableSnapshots} generates event sequences. */
export interface ReachableOptions<TEvent extends EventObject = EventObject, TInput = unknown> {
  /**
   * The machine's input, as `createActor(machine, { input })` would give it: a machine whose context is
   * `({ input }) => …` starts from it (without it, XState passes `undefined`).
   * @defaultValue `undefined`
   */
  readonly input?: TInput;
  /**
   * Event arbitrary.
   * @defaultValue `{ type }` events of the machine's accepted event types ({@link eventTypesOf}); an event the
   * machine turns out to read a payload from (any property but `type`) is dropped from the sequence, since
   * sending it bare would fabricate `undefined` data.
   */
  readonly events?: fc.Arbitrary<TEvent>;
  /**
   * Longest sequence of steps (events and delay firings).
   * @defaultValue 20
   */
  readonly maxEvents?: number;
  /**
   * Also take pending delayed (`after`) transitions as steps: a step fires the delay due first on a
   * virtual clock on which events take no time.
   * @defaultValue true
   */
  readonly fireDelays?: boolean;
}

/** A delayed event pending in a reachable state (XState does not persist these; see docs/design.md §6). */
export interface PendingDelayInfo {
  /** The scheduler id, e.g. `xstate.after.100.driver.busy`. */
  readonly id: string;
  /** The event it will send, e.g. `{ type: 'xstate.after.100.driver.busy' }`. */
  readonly event: EventObject;
  /** The delay the machine declared, in ms. */
  readonly delayMs: number;
  /** Time left on the generator's virtual clock (equals `delayMs` unless an earlier delay fired since). */
  readonly remainingMs: number;
}

/**
 * The event an `after` transition sends when its delay fires. Not part of a machine's event type, which
 * is why {@link Reachable.events} widens to it.
 */
export type AfterEvent = { readonly type: `xstate.after.${string}` };

/** One reachable state of a version and how it was reached. */
export interface Reachable<TEvent extends EventObject = EventObject> {
  /** The sequence that reached it, delay firings included as their events (`xstate.after.*` for `after`). */
  readonly events: readonly (TEvent | AfterEvent)[];
  /** XState's persisted JSON form (`machine.getPersistedSnapshot`), a private copy. */
  readonly snapshot: PersistedSnapshot;
  /** Delayed events pending in the final state, first due first. */
  readonly pendingDelays: readonly PendingDelayInfo[];
}

type Step<TEvent> = { readonly kind: 'event'; readonly event: TEvent } | { readonly kind: 'bare'; readonly type: string } | { readonly kind: 'delay' };

/**
 * The accepted event types of a machine, excluding XState internals (`xstate.*`) and wildcards.
 *
 * @example
 * eventTypesOf(driverV1Machine) // ['ENQUEUE', 'START', 'CANCEL']
 */
export function eventTypesOf(machine: AnyStateMachine): string[] {
  const types = (machine.events as readonly unknown[]).filter((t): t is string => typeof t === 'string');
  return [...new Set(types)].filter((t) => !t.startsWith('xstate.') && t !== '*' && !t.endsWith('.*')).sort();
}

/**
 * An arbitrary of reachable persisted snapshots of a version. Shrinks towards shorter event sequences.
 *
 * @example
 * fc.assert(fc.property(reachableSnapshots(driverV1, { events: driverEvents }), (r) => …), { seed, numRuns: 200 });
 */
export function reachableSnapshots<V extends AnyVersion>(
  version: V,
  options: ReachableOptions<EventOf<V>, InputOf<V>> = {},
): fc.Arbitrary<Reachable<EventOf<V>>> {
  const machine = version.machine as AnyStateMachine;
  const maxEvents = options.maxEvents ?? 20;
  if (!Number.isSafeInteger(maxEvents) || maxEvents < 0) {
    throw new TypeError(`Expected \`maxEvents\` to be a non-negative integer, got \`${String(maxEvents)}\``);
  }
  const fireDelays = options.fireDelays ?? true;

  const choices: { arbitrary: fc.Arbitrary<Step<EventOf<V>>>; weight: number }[] = [];
  if (options.events !== undefined) {
    choices.push({ arbitrary: options.events.map((event) => ({ kind: 'event' as const, event })), weight: 3 });
  } else {
    const types = eventTypesOf(machine);
    if (types.length > 0) choices.push({ arbitrary: fc.constantFrom(...types).map((type) => ({ kind: 'bare' as const, type })), weight: 3 });
  }
  if (fireDelays) choices.push({ arbitrary: fc.constant({ kind: 'delay' as const }), weight: 1 });

  const steps: fc.Arbitrary<Step<EventOf<V>>[]> =
    choices.length === 0 ? fc.constant([]) : fc.array(fc.oneof(...choices), { maxLength: maxEvents, size: 'max' });
  const input = options.input;
  return steps.map((s) => run(machine, s, input));
}

/**
 * Draws `runs` reachable snapshots with a fixed seed, outside any property (for reports and `hotswap check`).
 *
 * @example
 * const states = sampleReachable(driverV1, { runs: 100, seed: 42 });
 */
export function sampleReachable<V extends AnyVersion>(
  version: V,
  options: ReachableOptions<EventOf<V>, InputOf<V>> & { readonly runs: number; readonly seed: number },
): Reachable<EventOf<V>>[] {
  const { runs, seed, ...rest } = options;
  return fc.sample(reachableSnapshots(version, rest), { numRuns: runs, seed });
}

function run<TEvent extends EventObject>(machine: AnyStateMachine, steps: readonly Step<TEvent>[], input: unknown): Reachable<TEvent> {
  let walk: WalkState = initialWalk(machine, input);
  const events: (TEvent | AfterEvent)[] = [];
  for (const step of steps) {
    if (walk.snapshot.status !== 'active') break;
    if (step.kind === 'event') {
      walk = stepWalk(machine, walk, step.event);
      events.push(step.event);
    } else if (step.kind === 'bare') {
      const next = stepBare(machine, walk, step.type);
      if (next === undefined) continue;
      walk = next;
      events.push({ type: step.type } as TEvent);
    } else {
      const due = nextDue(walk);
      if (due === undefined) continue;
      walk = fireDelay(machine, walk, due);
      events.push(due.event as TEvent | AfterEvent);
    }
  }
  const snapshot = structuredClone(machine.getPersistedSnapshot(walk.snapshot)) as PersistedSnapshot;
  const pendingDelays = [...walk.pending]
    .sort((a, b) => a.dueAt - b.dueAt || a.order - b.order)
    .map((p) => ({ id: p.id, event: p.event, delayMs: p.delayMs, remainingMs: p.dueAt - walk.now }));
  const reachable: Reachable<TEvent> = { events, snapshot, pendingDelays };
  // fast-check prints counterexamples with this; non-enumerable so equality and spreading ignore it.
  Object.defineProperty(reachable, fc.toStringMethod, {
    value: () => `Reachable<${showEvents(events)} ⇒ ${show(snapshot.value)} ${show(snapshot.context)}>`,
    enumerable: false,
  });
  return reachable;
}
