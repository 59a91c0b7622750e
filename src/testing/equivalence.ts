/**
 * Equivalence: for an event both versions understand, stepping then migrating equals migrating then
 * stepping, under a projection. Optional per link: versions that change behaviour on purpose differ.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { AnyStateMachine, EventObject } from 'xstate';
import { HotswapError } from '../errors.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { describeReachable, differences, show, showEvents } from './_internal/describe.ts';
import { reachableOf, versionOf } from './_internal/lookup.ts';
import { migrateOrFail } from './_internal/run.ts';
import { readsPayload, stepPersisted } from './_internal/step.ts';
import { SwapPropertyError } from './failure.ts';
import type { GenerationOptions, PathOptions, Projection } from './options.ts';
import { type Reachable, eventTypesOf } from './reachable.ts';

/** Options of {@link assertEquivalent}. */
export interface EquivalenceOptions extends PathOptions {
  /**
   * What must agree, applied to the two `to` states. Project away what the new version does differently on purpose.
   * @defaultValue `({ value, context }) => ({ value, context })`
   */
  readonly project?: Projection;
}

const defaultProjection: Projection = ({ value, context }) => ({ value, context });

/**
 * Checks that `event` commutes with the migration `from → to` on a reachable state: step in `from` then
 * migrate, versus migrate then step in `to`. Throws a `SwapPropertyError` (`NOT_EQUIVALENT`) naming
 * the differing paths; throws a `HotswapError` (`INVALID_ARGUMENT`) when a version does not accept `event`.
 *
 * @example
 * assertEquivalent(driver, r, { type: 'START' }, { from: 1, to: 2 });
 */
export function assertEquivalent(l: AnyLineage, reachable: Reachable<EventObject>, event: EventObject, options: EquivalenceOptions): void {
  const { from, to } = options;
  const source = versionOf(l, from).machine as AnyStateMachine;
  const target = versionOf(l, to).machine as AnyStateMachine;
  for (const [n, m] of [[from, source], [to, target]] as const) {
    if (!accepts(m, event.type)) {
      throw new HotswapError('INVALID_ARGUMENT', `Expected an event both v${from} and v${to} of ${l.name} accept, got \`${event.type}\` (not accepted by v${n})`, {
        details: { component: l.name, event: event.type, version: n },
      });
    }
  }
  const project = options.project ?? defaultProjection;
  const headline = `${l.name} v${from} → v${to} is not equivalent on ${showEvents([event])}`;
  const ctx = { code: 'NOT_EQUIVALENT' as const, headline, reachable, version: from };

  const steppedThenMigrated = migrateOrFail(l, stepPersisted(source, reachable.snapshot, event) as PersistedSnapshot, from, to, ctx);
  const migrated = migrateOrFail(l, reachable.snapshot, from, to, ctx);
  const migratedThenStepped = stepPersisted(target, migrated, event) as PersistedSnapshot;

  const left = project(steppedThenMigrated);
  const right = project(migratedThenStepped);
  if (isDeepStrictEqual(left, right)) return;
  const diffs = differences(left, right);
  const message = [
    `${headline}: stepping then migrating ≠ migrating then stepping${options.project === undefined ? '' : ' (under the projection)'}`,
    ...describeReachable(reachable, from),
    `  step v${from} then migrate: ${show(steppedThenMigrated.value)} ${show(steppedThenMigrated.context)}`,
    `  migrate then step v${to}: ${show(migratedThenStepped.value)} ${show(migratedThenStepped.context)}`,
    '  differences (step-then-migrate ≠ migrate-then-step):',
    ...diffs.map((d) => `    ${d}`),
  ].join('\n');
  throw new SwapPropertyError('NOT_EQUIVALENT', message, { differences: diffs });
}

/**
 * The equivalence property of a path: for every reachable `from` state and every event both versions
 * accept, {@link assertEquivalent} holds. Events come from `stepEvents`, or else from `events`, filtered
 * to the shared types; with neither, bare `{ type }` events of the shared types that need no payload.
 *
 * @example
 * fc.assert(equivalenceProperty(driver, { from: 1, to: 2, events }), { seed: 42, numRuns: 300 });
 */
export function equivalenceProperty(
  l: AnyLineage,
  options: EquivalenceOptions & GenerationOptions & { readonly stepEvents?: fc.Arbitrary<EventObject> },
): fc.IPropertyWithHooks<[Reachable, EventObject]> {
  const { from, to, project } = options;
  const source = versionOf(l, from).machine as AnyStateMachine;
  const target = versionOf(l, to).machine as AnyStateMachine;
  const shared = eventTypesOf(source).filter((t) => accepts(target, t));
  if (shared.length === 0) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected v${from} and v${to} of ${l.name} to share at least one event type`, {
      details: { component: l.name, from, to },
    });
  }
  const bare = options.stepEvents === undefined && options.events === undefined;
  const events = options.stepEvents ?? options.events ?? fc.constantFrom(...shared).map((type) => ({ type }));
  const check: EquivalenceOptions = project === undefined ? { from, to } : { from, to, project };
  return fc.property(reachableOf(l, from, options), events, (r, event) => {
    fc.pre(shared.includes(event.type));
    if (bare) {
      // A bare event a version reads a payload from would fabricate `undefined` data on both sides.
      fc.pre(!readsPayload(source, r.snapshot, event.type));
    }
    assertEquivalent(l, r, event, check);
  });
}

function accepts(machine: AnyStateMachine, type: string): boolean {
  return (machine.events as readonly unknown[]).includes(type);
}
