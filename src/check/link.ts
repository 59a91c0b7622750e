/**
 * The verdict on one link in one direction, from sampled reachable states of the version it starts at:
 * migrate each through the link, then read blockers, fields, states, timers and (down) the round trip.
 */
import type { AnyLineage } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { referenceShape } from '../migrate/_internal/shape.ts';
import { migrate } from '../migrate/migrate.ts';
import { invariantBlockers } from '../migrate/verify.ts';
import { blockerReasons } from './blockers.ts';
import { fieldReasons } from './fields.ts';
import type { Outcome } from './_internal/outcome.ts';
import { fieldsOf } from './_internal/paths.ts';
import { type CheckSample, type DistinctSample, describeExample, distinctSamples } from './_internal/samples.ts';
import { describeError } from '../errors.ts';
import { roundTripReasons } from './round-trip.ts';
import { reason, riskOf, sortReasons, verdictOf } from './scores.ts';
import { stateReasons } from './states.ts';
import { timerReasons } from './timers.ts';
import type { LinkReport, Reason } from './types.ts';

/** The evidence for one link: sampled reachable states of both of its versions. */
export interface LinkEvidence {
  /** Sampled states of the older version `n`. */
  readonly older: readonly CheckSample[];
  /** Sampled states of the newer version `n + 1`. */
  readonly newer: readonly CheckSample[];
}

/**
 * Checks the link `n → n + 1` of a lineage in both directions: the up report, then the down report.
 *
 * @example
 * const [up, down] = checkLink(driver, 1, { older: sampleReachable(driverV1, o), newer: sampleReachable(driverV2, o) });
 */
export function checkLink(l: AnyLineage, n: number, evidence: LinkEvidence): [LinkReport, LinkReport] {
  const link = l.linkFrom(n);
  const older = l.get(n);
  const newer = l.get(n + 1);
  if (link === undefined || older === undefined || newer === undefined) {
    throw new RangeError(`Expected ${l.name} to have a link v${n} → v${n + 1}`);
  }
  // Read loosely: `renamedStates` is newer than some lineages' types.
  const renamed = (link as { renamedStates?: Readonly<Record<string, string>> }).renamedStates ?? {};
  const unrenamed = Object.fromEntries(Object.entries(renamed).map(([a, b]) => [b, a]));
  const [olderSamples, olderErrors] = usable(distinctSamples(evidence.older), older);
  const [newerSamples, newerErrors] = usable(distinctSamples(evidence.newer), newer);

  const upOutcomes = run(l, olderSamples, n, n + 1);
  const up = report(l.name, n, n + 1, 'up', upOutcomes, [
    ...shapeReasons(newer),
    ...olderErrors,
    ...blockerReasons(upOutcomes),
    ...fieldReasons(upOutcomes, { direction: 'up', drops: link.drops ?? [], renames: link.renames ?? {}, to: n + 1 }),
    ...stateReasons(older.machine, newer.machine, n + 1, upOutcomes),
    ...timerReasons(older.machine, newer.machine, n + 1, upOutcomes, renamed),
  ]);

  if (link.down === undefined) {
    const irreversible = reason(
      'irreversible',
      `no down migration: v${n + 1} cannot be rolled back to v${n} (add \`down\` to the link to make it reversible)`,
    );
    return [up, report(l.name, n + 1, n, 'down', [], [irreversible])];
  }
  const targetFields = new Set(olderSamples.flatMap((s) => [...fieldsOf(s.sample.snapshot.context).keys()]));
  const downOutcomes = run(l, newerSamples, n + 1, n);
  const down = report(l.name, n + 1, n, 'down', downOutcomes, [
    ...shapeReasons(older),
    ...newerErrors,
    ...blockerReasons(downOutcomes),
    ...roundTripReasons(l, n, olderSamples, link.downDrops ?? []),
    ...fieldReasons(downOutcomes, { direction: 'down', drops: link.downDrops ?? [], targetFields, to: n }),
    ...stateReasons(newer.machine, older.machine, n, downOutcomes),
    ...timerReasons(newer.machine, older.machine, n, downOutcomes, unrenamed),
  ]);
  return [up, down];
}

/** A warning when nothing would catch a key a migration into `target` leaves out (see `referenceShape`). */
function shapeReasons(target: AnyVersion): Reason[] {
  const shape = referenceShape(target);
  if (shape.source !== 'none') return [];
  return [
    reason(
      'unknown-shape',
      `v${target.version} has no reference shape: ${shape.reason}, and it declares neither \`shape\` nor \`schema\`; a key a migration leaves out would not be refused (declare \`shape\`)`,
    ),
  ];
}

/**
 * Leaves out sampled states that are no evidence about the link, and says so, as coverage:
 * - states XState itself marks `error` (an action, guard or context factory threw): a defect of the version;
 * - states that break the version's own invariant: the machine can reach them, but any swap out of them
 *   migrates a state that was already wrong, so a target invariant that refuses it is not the link's
 *   fault (a link between two versions that share an invariant would otherwise always be UNSAFE).
 */
function usable(samples: DistinctSample[], version: AnyVersion): [DistinctSample[], Reason[]] {
  const reasons: Reason[] = [];
  const errors = samples.filter((s) => s.sample.snapshot.status === 'error');
  if (errors.length > 0) {
    const shortest = shortestOf(errors);
    const e = describeError(shortest.sample.snapshot.error);
    const message = `${errors.length} sampled states of v${version.version} are XState error states (${e.name}: ${e.message}), left out, e.g. ${describeExample(shortest.example)}`;
    reasons.push(reason('coverage', message, { count: errors.length, total: samples.length, example: shortest.example }));
  }
  const active = samples.filter((s) => s.sample.snapshot.status !== 'error');
  const broken = active.filter((s) => invariantBlockers(version, { value: s.sample.snapshot.value, context: s.sample.snapshot.context }).length > 0);
  if (broken.length > 0) {
    const shortest = shortestOf(broken);
    const first = invariantBlockers(version, { value: shortest.sample.snapshot.value, context: shortest.sample.snapshot.context })[0]!;
    const message = `${broken.length} sampled states of v${version.version} break its own invariant (${first.message}), left out: a swap from them is refused whatever the link does, e.g. ${describeExample(shortest.example)}`;
    reasons.push(reason('coverage', message, { count: broken.length, total: samples.length, example: shortest.example }));
  }
  return [active.filter((s) => !broken.includes(s)), reasons];
}

function shortestOf(samples: readonly DistinctSample[]): DistinctSample {
  return samples.reduce((a, b) => (b.example.length < a.example.length ? b : a));
}

function run(l: AnyLineage, samples: readonly DistinctSample[], from: number, to: number): Outcome[] {
  return samples.map(({ sample, example }, index) => ({ index, sample, example, result: migrate(l, sample.snapshot, { from, to }) }));
}

function report(
  component: string,
  from: number,
  to: number,
  direction: 'up' | 'down',
  outcomes: readonly Outcome[],
  reasons: readonly Reason[],
): LinkReport {
  const sorted = sortReasons(reasons);
  return {
    component,
    from,
    to,
    direction,
    verdict: verdictOf(sorted),
    risk: riskOf(sorted, direction),
    samples: { total: outcomes.length, migrated: outcomes.filter((o) => o.result.ok).length },
    reasons: sorted,
  };
}
