/**
 * Round trip: where a link has both `up` and `down`, every sampled state of the older version taken up
 * and back down must come back with an equal context (else a rollback loses data: WARNING, since a lossy
 * rollback is still better than none, which is WARNING too; declared in `downDrops`, it is intended) and
 * in the same state (else a state merge cannot be undone: WARNING, since merging states is often meant).
 */
import type { AnyLineage } from '../lineage/lineage.ts';
import { migrate } from '../migrate/migrate.ts';
import { describeValue } from './_internal/machine.ts';
import { deepEqual, firstDifference, isWithin } from './_internal/paths.ts';
import { describeExample, type DistinctSample } from './_internal/samples.ts';
import { Tally } from './_internal/tally.ts';
import { reason } from './scores.ts';
import type { Reason } from './types.ts';

/** Reasons from taking each distinct sample of version `older` up to `older + 1` and back down. */
export function roundTripReasons(l: AnyLineage, older: number, samples: readonly DistinctSample[], downDrops: readonly string[] = []): Reason[] {
  const newer = older + 1;
  const tally = new Tally<{ text: string; subject: string }>();
  const states = new Tally<string>();
  const intended = new Tally<string>();
  let total = 0;
  samples.forEach(({ sample, example }, index) => {
    const up = migrate(l, sample.snapshot, { from: older, to: newer });
    if (!up.ok) return; // reported on the up link
    total++;
    const down = migrate(l, up.snapshot, { from: newer, to: older });
    if (!down.ok) {
      const b = down.blockers[0]!;
      tally.add(`refused:${b.kind}`, index, { text: `down refuses what up produced: ${b.message}`, subject: `refused:${b.kind}` }, example);
      return;
    }
    if (!deepEqual(down.snapshot.value, sample.snapshot.value)) {
      states.add(describeValue(sample.snapshot.value), index, `'${describeValue(sample.snapshot.value)}' comes back as '${describeValue(down.snapshot.value)}'`, example);
    }
    const diff = firstDifference(sample.snapshot.context, down.snapshot.context);
    if (diff !== undefined) {
      const where = diff === '' ? 'the context' : `field '${diff}'`;
      if (diff !== '' && downDrops.some((d) => isWithin(diff, d))) intended.add(diff, index, where, example);
      else tally.add(`context:${diff}`, index, { text: `${where} does not come back equal`, subject: diff }, example);
    }
  });
  const trip = `round trip v${older} → v${newer} → v${older}`;
  return [
    ...tally.entries().map(({ count, first, example }) =>
      reason('round-trip', `${trip} loses data: ${first.text} — ${count} of ${total} states, e.g. ${describeExample(example)}; if intended, list it in the link's \`downDrops\``, {
        subject: first.subject,
        count,
        total,
        example,
      }),
    ),
    ...intended.entries().map(({ key, count, example }) =>
      reason('field-dropped', `${trip} does not give back field '${key}', as declared in the link's \`downDrops\` (${count} of ${total} states)`, {
        subject: key,
        count,
        total,
        example,
      }),
    ),
    ...states.entries().map(({ count, first, example }) =>
      reason('round-trip-state', `${trip} changes the state: ${first} — ${count} of ${total} states, e.g. ${describeExample(example)}`, {
        count,
        total,
        example,
      }),
    ),
  ];
}
