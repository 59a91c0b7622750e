/** Totality: every reachable state of a version migrates along the path without a blocker. */
import fc from 'fast-check';
import type { EventObject } from 'xstate';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { reachableOf, versionOf } from './_internal/lookup.ts';
import { migrateOrFail } from './_internal/run.ts';
import type { GenerationOptions, PathOptions } from './options.ts';
import type { Reachable } from './reachable.ts';

/**
 * Migrates a reachable state along the path `from → to` and returns the result; throws a
 * `SwapPropertyError` (`NOT_TOTAL`) naming the events, the state and the blockers when refused.
 *
 * @example
 * fc.assert(fc.property(reachableSnapshots(driverV1, { events }), (r) => { assertTotal(driver, r, { from: 1, to: 3 }) }));
 */
export function assertTotal(l: AnyLineage, reachable: Reachable<EventObject>, { from, to }: PathOptions): PersistedSnapshot {
  versionOf(l, from);
  versionOf(l, to);
  return migrateOrFail(l, reachable.snapshot, from, to, {
    code: 'NOT_TOTAL',
    headline: `${l.name} v${from} → v${to} is not total for a reachable v${from} state`,
    reachable,
    version: from,
  });
}

/**
 * The totality property of a path: for every reachable state of `from`, {@link assertTotal} holds.
 *
 * @example
 * fc.assert(totalityProperty(driver, { from: 1, to: 3, events }), { seed: 42, numRuns: 300 });
 */
export function totalityProperty(l: AnyLineage, options: PathOptions & GenerationOptions): fc.IPropertyWithHooks<[Reachable]> {
  const { from, to } = options;
  versionOf(l, to);
  return fc.property(reachableOf(l, from, options), (r) => {
    assertTotal(l, r, { from, to });
  });
}
