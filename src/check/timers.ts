/**
 * Pending delayed events across a link. XState does not persist them (docs/design.md §6); a swap carries an
 * `after` timer to the same state of the new version, or to the state the link's `renamedStates`
 * renames it to, when that state is active after the migration and declares the same delay. Any other
 * delayed event is carried when the new version accepts its event type (as `swap/_internal/delays.ts`
 * plans it). Otherwise a swap with that timer pending is refused (policy `carry`) or loses it (`cancel`).
 */
import type { AnyStateMachine } from 'xstate';
import { declaredDelays, delayOfEvent, describeValue, handledEventTypes, hasState } from './_internal/machine.ts';
import type { Outcome } from './_internal/outcome.ts';
import { describeExample } from './_internal/samples.ts';
import { Tally } from './_internal/tally.ts';
import { reason } from './scores.ts';
import type { Reason } from './types.ts';

const showDelay = (delay: number | string): string => (typeof delay === 'number' ? `${delay} ms` : `'${delay}'`);

/** Reasons about pending timers, from the samples that migrated without a blocker. */
export function timerReasons(
  from: AnyStateMachine,
  to: AnyStateMachine,
  toVersion: number,
  outcomes: readonly Outcome[],
  renamedStates: Readonly<Record<string, string>> = {},
): Reason[] {
  const tally = new Tally<string>();
  let total = 0;
  const handled = handledEventTypes(to);
  for (const o of outcomes) {
    if (!o.result.ok) continue;
    total++;
    const before = o.sample.snapshot.value;
    const after = o.result.snapshot.value;
    for (const pending of o.sample.pendingDelays) {
      const declared = delayOfEvent(from, before, pending.id);
      if (declared === undefined) {
        if (pending.id.startsWith('xstate.after.') || handled.has(pending.event.type)) continue;
        tally.add(
          `event:${pending.event.type}`,
          o.index,
          `pending delayed event '${pending.event.type}' (${showDelay(pending.delayMs)}) cannot be carried: v${toVersion} does not accept it`,
          o.example,
        );
        continue;
      }
      const target = renamedStates[declared.state] ?? declared.state;
      const active = declaredDelays(to, after);
      if (active.some((d) => d.state === target && d.delay === declared.delay)) continue;
      const where = describeValue(after);
      const elsewhere = active.find((d) => d.delay === declared.delay);
      const why =
        elsewhere !== undefined
          ? `'${elsewhere.state}' declares it, but the link does not rename '${declared.state}' to it (\`renamedStates\`)`
          : hasState(to, target)
            ? `v${toVersion} state '${where}' declares no ${showDelay(declared.delay)} delay`
            : `state '${target}' is gone in v${toVersion} and '${where}' declares no ${showDelay(declared.delay)} delay`;
      tally.add(
        `after:${declared.state}:${String(declared.delay)}`,
        o.index,
        `pending 'after ${showDelay(declared.delay)}' of state '${declared.state}' cannot be carried: ${why}`,
        o.example,
      );
    }
  }
  return tally
    .entries()
    .map(({ key, count, first, example }) =>
      reason('timer-dropped', `${first} — ${count} of ${total} states, e.g. ${describeExample(example)}`, { subject: key, count, total, example }),
    );
}
