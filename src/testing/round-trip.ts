/** Round trip: where every link has `down`, migrating up then down gives back the original state. */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { EventObject } from 'xstate';
import { blocker, formatBlockers } from '../blockers/messages.ts';
import { HotswapError } from '../errors.ts';
import { type AnyLineage, pathBetween } from '../lineage/lineage.ts';
import { describeReachable, differences, show } from './_internal/describe.ts';
import { reachableOf, versionOf } from './_internal/lookup.ts';
import { migrateOrFail } from './_internal/run.ts';
import { SwapPropertyError } from './failure.ts';
import type { GenerationOptions, PathOptions, Projection } from './options.ts';
import type { Reachable } from './reachable.ts';

/** Options of {@link assertRoundTrip} and {@link roundTripProperty}. */
export interface RoundTripOptions extends PathOptions {
  /**
   * What must come back. Compare a projection when a link forgets something on purpose.
   * @defaultValue `({ value, context }) => ({ value, context })`
   */
  readonly project?: Projection;
}

const defaultProjection: Projection = ({ value, context }) => ({ value, context });

/**
 * Migrates a reachable `from` state to `to` and back, and checks the projection of the result equals
 * that of the original; throws a `SwapPropertyError` (`NOT_ROUND_TRIP`) naming the differing paths.
 * Throws a `HotswapError` (`INVALID_ARGUMENT`) at once when a link on the way back has no `down`.
 *
 * @example
 * fc.assert(fc.property(reachableSnapshots(driverV1, { events }), (r) => { assertRoundTrip(driver, r, { from: 1, to: 2 }) }));
 */
export function assertRoundTrip(l: AnyLineage, reachable: Reachable<EventObject>, options: RoundTripOptions): void {
  const { from, to } = options;
  requireReversible(l, from, to);
  const project = options.project ?? defaultProjection;
  const headline = `${l.name} v${from} → v${to} → v${from} does not round-trip`;
  const ctx = { code: 'NOT_ROUND_TRIP' as const, headline, reachable, version: from };
  // Project the original before migrating: `migrate` freezes its input in place, and a projection may rely on neither.
  const before = project(reachable.snapshot);
  const up = migrateOrFail(l, reachable.snapshot, from, to, ctx);
  const back = migrateOrFail(l, up, to, from, ctx);
  const after = project(back);
  if (isDeepStrictEqual(before, after)) return;
  const diffs = differences(before, after);
  const message = [
    `${headline}: the state that comes back differs${options.project === undefined ? '' : ' (under the projection)'}`,
    ...describeReachable(reachable, from),
    `  via:     v${to} ${show(up.value)} ${show(up.context)}`,
    '  differences (original ≠ after the round trip):',
    ...diffs.map((d) => `    ${d}`),
  ].join('\n');
  throw new SwapPropertyError('NOT_ROUND_TRIP', message, { differences: diffs });
}

/**
 * The round-trip property of a reversible path: for every reachable state of `from`, {@link assertRoundTrip} holds.
 * Throws at construction when a link has no `down`.
 *
 * @example
 * fc.assert(roundTripProperty(driver, { from: 1, to: 2, events }), { seed: 42, numRuns: 300 });
 */
export function roundTripProperty(l: AnyLineage, options: RoundTripOptions & GenerationOptions): fc.IPropertyWithHooks<[Reachable]> {
  requireReversible(l, options.from, options.to);
  const { from, to, project } = options;
  const check: RoundTripOptions = project === undefined ? { from, to } : { from, to, project };
  return fc.property(reachableOf(l, from, options), (r) => {
    assertRoundTrip(l, r, check);
  });
}

function requireReversible(l: AnyLineage, from: number, to: number): void {
  versionOf(l, from);
  versionOf(l, to);
  const back = pathBetween(l, to, from) ?? [];
  const forth = pathBetween(l, from, to) ?? [];
  const missing = [...forth, ...back].filter((s) => s.run === undefined);
  if (missing.length === 0) return;
  const blockers = missing.map((s) =>
    blocker('irreversible', { link: { from: Math.min(s.from.version, s.to.version), to: Math.max(s.from.version, s.to.version) } }),
  );
  throw new HotswapError(
    'INVALID_ARGUMENT',
    `Expected every link between ${l.name} v${from} and v${to} to have a \`down\` migration for a round trip:\n${formatBlockers(blockers)}`,
    { details: { component: l.name, from, to, blockers } },
  );
}
