/**
 * Shadow replay for rehearsals: a bounded record of the events a component processed, from a
 * checkpointed snapshot, and the replay of those events through the old version and the new one on
 * copies — XState's pure `transition()`, so no action runs (the actions that would run are listed).
 * The old path steps then migrates; the new path migrates the checkpoint once, then steps; a
 * caller's projection of both is compared after each event and the first divergence reported.
 * Pinned by test/swap/rehearse-replay.test.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import { type AnyMachineSnapshot, type AnyStateMachine, type EventObject, transition } from 'xstate';
import type { Blocker, LinkRef } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { describeError } from '../../errors.ts';
import type { AnyLineage, PathStep } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import { migrateAlong } from '../../migrate/migrate.ts';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';
import { copyState } from './copy.ts';

/** A state as a projection sees it. */
export interface ReplayState {
  readonly value: unknown;
  readonly context: unknown;
}

/** What a replay compares after each event: a pure function of the state (e.g. what a client sees). */
export type Projection = (state: ReplayState) => unknown;

/** The first event after which the two versions' projections differ. */
export interface ReplayDivergence {
  /** Index of the event in the replayed segment (0 is the first event after the checkpoint). */
  readonly index: number;
  readonly event: EventObject;
  /** The old version's projection, migrated to the new version's shape first. */
  readonly old: unknown;
  readonly new: unknown;
  /** Both states after the event: the old one migrated, and the new one. */
  readonly state: { readonly old: ReplayState; readonly new: ReplayState };
  /** The actions each version would have run for this event (listed, not executed). */
  readonly actions: { readonly old: readonly string[]; readonly new: readonly string[] };
}

/** What a replay found. */
export interface ReplayReport {
  /** Events replayed through both versions. */
  readonly events: number;
  /** The version the events were recorded on. */
  readonly recordedOn: number;
  /** Actions the replay listed without running them, per version. */
  readonly actions: { readonly old: number; readonly new: number };
  readonly divergence?: ReplayDivergence;
  /** A migration or transition that failed during the replay (a blocker of its own). */
  readonly failure?: string;
  readonly blockers: readonly Blocker[];
}

/**
 * The events one component processed, from a checkpoint: two segments of at most `capacity` events,
 * each opened with the persisted snapshot before its first event, so a replay starts from a real
 * state and covers the last `capacity` to `2 × capacity − 1` events. Segments belong to one actor
 * (its XState session id): after a committed swap — even one that came back to the same version —
 * the record starts again.
 */
export class ShadowRing {
  readonly capacity: number;
  #previous: Segment | undefined;
  #current: Segment | undefined;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Records `event` about to be processed by the actor `session`; `checkpoint()` is read only when a segment opens. */
  record(session: string, event: EventObject, checkpoint: () => PersistedSnapshot): void {
    let seg = this.#current;
    if (seg !== undefined && seg.session !== session) {
      this.#previous = seg = this.#current = undefined;
    }
    if (seg === undefined || seg.events.length >= this.capacity) {
      this.#previous = seg;
      // a copy: the live actor may change objects in place after this, and a replay freezes what it migrates
      seg = this.#current = { session, checkpoint: copyState(checkpoint()), events: [] };
    }
    seg.events.push(event);
  }

  /** The replayable record of the actor `session`: the oldest checkpoint kept and every event after it. */
  segment(session: string): { readonly checkpoint: PersistedSnapshot; readonly events: readonly EventObject[] } | undefined {
    const cur = this.#current;
    if (cur === undefined || cur.session !== session) return undefined;
    const prev = this.#previous;
    if (prev === undefined || prev.session !== session) return { checkpoint: cur.checkpoint, events: cur.events.slice() };
    return { checkpoint: prev.checkpoint, events: [...prev.events, ...cur.events] };
  }

  /** Events held now. */
  get size(): number {
    return (this.#previous?.events.length ?? 0) + (this.#current?.events.length ?? 0);
  }
}

interface Segment {
  readonly session: string;
  readonly checkpoint: PersistedSnapshot;
  readonly events: EventObject[];
}

export interface ReplayInput {
  readonly lineage: AnyLineage;
  readonly steps: readonly PathStep[];
  readonly path: readonly LinkRef[];
  readonly from: AnyVersion;
  readonly to: AnyVersion;
  readonly checkpoint: PersistedSnapshot;
  readonly events: readonly EventObject[];
  readonly project: Projection;
}

/** Replays `events` from `checkpoint` through both versions; never throws (a failure is a blocker). */
export function replay(input: ReplayInput): ReplayReport {
  const { from, to, events } = input;
  const base = { events: 0, recordedOn: from.version };
  const migrate = (s: PersistedSnapshot | object): ReplayState | string => {
    // migrate freezes what it reads: a copy, so the states the replay steps on stay its own
    const r = migrateAlong(input.lineage, input.steps, input.path, copyState(s as PersistedSnapshot), from.version, to.version);
    if (!r.ok) return r.blockers.map((b) => b.message).join('; ');
    return { value: r.snapshot.value, context: r.snapshot.context };
  };
  const failed = (index: number, what: string): ReplayReport => {
    const event = events[index]?.type ?? '(checkpoint)';
    const failure = `${what} at event #${index} '${event}'`;
    return { ...base, events: index, actions: { old: 0, new: 0 }, failure, blockers: [blocker('replay-divergence', { index, event, old: 'a state', new: failure })] };
  };
  const start = migrate(input.checkpoint);
  if (typeof start === 'string') return failed(0, `the checkpoint does not migrate: ${start}`);
  let oldSnap = resolve(from.machine, copyState(input.checkpoint));
  let newSnap = resolve(to.machine, start);
  let oldActions = 0;
  let newActions = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    let stepOld: [AnyMachineSnapshot, readonly { type: string }[]];
    let stepNew: [AnyMachineSnapshot, readonly { type: string }[]];
    try {
      stepOld = transition(from.machine, oldSnap, event) as never;
      stepNew = transition(to.machine, newSnap, event) as never;
    } catch (error) {
      const e = describeError(error);
      return failed(i, `a transition threw ${e.name}: ${e.message}`);
    }
    [oldSnap, newSnap] = [stepOld[0], stepNew[0]];
    oldActions += stepOld[1].length;
    newActions += stepNew[1].length;
    const migrated = migrate(from.machine.getPersistedSnapshot(oldSnap));
    if (typeof migrated === 'string') return failed(i, `the old version's state does not migrate: ${migrated}`);
    const newState = { value: newSnap.value, context: newSnap.context };
    let projected: [unknown, unknown];
    try {
      projected = [input.project(migrated), input.project(newState)];
    } catch (error) {
      const e = describeError(error);
      return failed(i, `the projection threw ${e.name}: ${e.message}`);
    }
    if (!isDeepStrictEqual(projected[0], projected[1])) {
      const divergence: ReplayDivergence = {
        index: i,
        event,
        old: projected[0],
        new: projected[1],
        state: { old: migrated, new: newState },
        actions: { old: stepOld[1].map((a) => a.type), new: stepNew[1].map((a) => a.type) },
      };
      const b = blocker('replay-divergence', { index: i, event: event.type, old: shown(projected[0]), new: shown(projected[1]) });
      return { ...base, events: i + 1, actions: { old: oldActions, new: newActions }, divergence, blockers: [b] };
    }
  }
  return { ...base, events: events.length, actions: { old: oldActions, new: newActions }, blockers: [] };
}

/** A machine snapshot from a state, without starting anything: its children are not replayed. */
function resolve(machine: AnyStateMachine, state: { readonly value: unknown; readonly context: unknown }): AnyMachineSnapshot {
  return machine.resolveState({ value: state.value as never, context: state.context as never });
}

const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length <= 200 ? s : `${s.slice(0, 197)}...`;
};
