/**
 * States of the source version that the target version does not have: mapped by the migration in every
 * sampled state that reaches them, never reached (so the mapping is unverified), and plain coverage.
 * Samples that the migration refuses because of such a state are reported by `blockers.ts`
 * (`unmapped-state`), once. And where the migration's result names a compound state by itself, relying
 * on XState's shorthand for its initial child (allowed, but a reset if another child was meant).
 */
import type { AnyStateMachine } from 'xstate';
import { pathToValue, shorthandStates } from '../migrate/_internal/states.ts';
import { eventTypesOf } from '../testing/reachable.ts';
import { activePaths, describeValue, hasState, statePaths } from './_internal/machine.ts';
import { describeExample } from './_internal/samples.ts';
import type { Outcome } from './_internal/outcome.ts';
import { Tally } from './_internal/tally.ts';
import { reason } from './scores.ts';
import type { Reason } from './types.ts';

/** Reasons about the source version's states, over every distinct sample (migrated or not). */
export function stateReasons(from: AnyStateMachine, to: AnyStateMachine, toVersion: number, outcomes: readonly Outcome[]): Reason[] {
  const all = statePaths(from);
  const reached = new Set(outcomes.flatMap((o) => activePaths(o.sample.snapshot.value)));
  const removed = topmost(all.filter((s) => !hasState(to, s)));
  const total = outcomes.length;
  const reasons: Reason[] = [];

  for (const state of removed) {
    const reaching = outcomes.filter((o) => activePaths(o.sample.snapshot.value).includes(state));
    if (reaching.length === 0) {
      reasons.push(
        reason(
          'unverified-state',
          `state '${state}' does not exist in v${toVersion} and was never reached in ${sampled(total)}: its mapping is unverified`,
          { subject: state },
        ),
      );
      continue;
    }
    const targets = new Tally<null>();
    let migrated = 0;
    for (const o of reaching) {
      if (!o.result.ok) continue;
      migrated++;
      targets.add(describeValue(o.result.snapshot.value), o.index, null, o.example);
    }
    if (migrated === 0) continue;
    const to = targets
      .entries()
      .map((t) => `'${t.key}'`)
      .join(', ');
    reasons.push(
      reason('state-mapped', `state '${state}' does not exist in v${toVersion}; the migration maps it to ${to} (${migrated} of ${reaching.length} states)`, {
        subject: state,
        count: migrated,
        total: reaching.length,
      }),
    );
  }

  reasons.push(...shorthandReasons(to, toVersion, outcomes));

  reasons.push(...coverageReasons(all, reached, total, eventTypesOf(from).length > 0));
  const unreached = topmost(all.filter((s) => !reached.has(s) && !removed.some((r) => s === r || s.startsWith(`${r}.`))));
  if (unreached.length > 0) {
    reasons.push(
      reason(
        'coverage',
        `${unreached.length} of ${all.length} states never reached in ${sampled(total)}: ${unreached.join(', ')}`,
        { count: unreached.length, total: all.length },
      ),
    );
  }
  return reasons;
}

/** Below this share of the source's states reached, the evidence is too thin for a verdict to rest on. */
export const MIN_STATE_COVERAGE = 0.5;

/**
 * A `low-coverage` warning when the samples say almost nothing: only one distinct state was sampled
 * (the events never changed anything: a typo such as `'SETT'`, or events the machine ignores) or fewer
 * than {@link MIN_STATE_COVERAGE} of the source's states were reached.
 */
function coverageReasons(all: readonly string[], reached: ReadonlySet<string>, total: number, hasEvents: boolean): Reason[] {
  const share = all.length === 0 ? 1 : all.filter((s) => reached.has(s)).length / all.length;
  const why =
    total <= 1 && hasEvents
      ? `only ${sampled(total)}: the events never changed the state or context (check \`hotswapCheck.events\` against the machine's events)`
      : share < MIN_STATE_COVERAGE
        ? `only ${Math.round(share * 100)}% of its states reached (${all.filter((s) => reached.has(s)).length} of ${all.length}); give events (\`hotswapCheck.events\`) or more \`--runs\``
        : undefined;
  return why === undefined ? [] : [reason('low-coverage', `the evidence is thin: ${why}`, { count: total })];
}

/** One `state-shorthand` reason per compound (or parallel) state that migrated values name by a plain string. */
function shorthandReasons(to: AnyStateMachine, toVersion: number, outcomes: readonly Outcome[]): Reason[] {
  const tally = new Tally<null>();
  let migrated = 0;
  for (const o of outcomes) {
    if (!o.result.ok) continue;
    migrated++;
    for (const state of shorthandStates(to, o.result.snapshot.value)) tally.add(state, o.index, null, o.example);
  }
  return tally.entries().map(({ key, count, example }) => {
    const initial = describeValue(to.resolveState({ value: pathToValue(key) as never, context: {} }).value);
    return reason(
      'state-shorthand',
      `the migration names compound state '${key}' without a child in v${toVersion}; XState's shorthand enters its initial '${initial}' (${count} of ${migrated} migrated states, e.g. ${describeExample(example)})`,
      { subject: key, count, total: migrated, example },
    );
  });
}

/** Drops paths whose parent is also listed. */
function topmost(paths: readonly string[]): string[] {
  const set = new Set(paths);
  return paths.filter((p) => {
    const dot = p.lastIndexOf('.');
    return dot < 0 || !set.has(p.slice(0, dot));
  });
}

const sampled = (n: number): string => (n === 1 ? '1 sampled state' : `${n} sampled states`);
