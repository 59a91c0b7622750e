/**
 * Migration blockers as reasons: every distinct sampled state the link refuses, grouped by what
 * refused it (the blocker's kind and field, state or error), with a count and one example.
 */
import type { Blocker } from '../blockers/blocker.ts';
import type { Outcome } from './_internal/outcome.ts';
import { describeExample } from './_internal/samples.ts';
import { Tally } from './_internal/tally.ts';
import { reason } from './scores.ts';
import type { Reason, ReasonKind } from './types.ts';

/** The reason kind a blocker becomes. */
export function reasonKindOf(b: Blocker): ReasonKind {
  switch (b.kind) {
    case 'undefined-field':
    case 'missing-field':
    case 'schema-issue':
      return 'incomplete-state';
    case 'invariant-violation':
      return 'invariant-violation';
    case 'unmapped-state':
    case 'incomplete-state-value':
    case 'contradictory-state-value':
    case 'malformed-state-value':
      return 'unmapped-state';
    default:
      return 'migration-failed';
  }
}

/** What makes two blockers "the same problem": kind plus field, state or error name — not values. */
function keyOf(b: Blocker): string {
  switch (b.kind) {
    case 'undefined-field':
    case 'missing-field':
    case 'unpersistable-value':
      return `${b.kind}:${b.path}`;
    case 'schema-issue':
    case 'invariant-violation':
      return `${b.kind}:${b.version}:${b.path}`;
    case 'unmapped-state':
      return `${b.kind}:${b.where}:${b.state}`;
    case 'migration-threw':
      return `${b.kind}:${b.error.name}`;
    case 'unresolvable-child':
    case 'orphaned-child':
      return `${b.kind}:${b.child}`;
    case 'incomplete-state-value':
    case 'contradictory-state-value':
    case 'malformed-state-value':
      return `${b.kind}:${b.path}`;
    default:
      return b.kind;
  }
}

/** One reason per distinct blocker across the samples: `<blocker message> (n of N states, e.g. after …)`. */
export function blockerReasons(outcomes: readonly Outcome[]): Reason[] {
  const tally = new Tally<Blocker>();
  for (const o of outcomes) {
    if (o.result.ok) continue;
    for (const b of o.result.blockers) tally.add(keyOf(b), o.index, b, o.example);
  }
  const total = outcomes.length;
  return tally.entries().map(({ key, count, first, example }) =>
    reason(reasonKindOf(first), `${first.message} — ${count} of ${total} states, e.g. ${describeExample(example)}`, {
      subject: key,
      count,
      total,
      example,
    }),
  );
}
