/**
 * The component the fleet tests roll out: the plugin tests' counter (it records every event it
 * processes and which version processed it, so G1 can be checked per instance), as v1 → v2 with a
 * `down` link, in two builds of v2:
 * - `good`: v2's invariant is `v === 2`;
 * - `bad`: v2 also requires fewer than 3 events seen — an invariant that breaks on live data, so a
 *   busy instance refuses the swap (`invariant-violation`) while an idle one upgrades.
 */
import { defineVersion, lineage } from '../../../src/index.ts';
import { counterVersion } from '../../fixtures/counter.ts';

const v1 = counterVersion(1);
const v2 = counterVersion(2);
const v2bad = defineVersion({
  version: 2,
  machine: v2.machine,
  description: 'counter v2 (breaks on busy instances)',
  invariant: ({ context }) => (context.seen.length < 3 ? true : [{ path: 'context.seen', message: `holds ${context.seen.length} events; v2 allows fewer than 3` }]),
});

const link = {
  up: ({ value, context }: { value: 'counting'; context: { v: number; seen: readonly number[]; by: readonly number[] } }) => ({ value, context: { ...context, v: 2 } }),
  down: ({ value, context }: { value: 'counting'; context: { v: number; seen: readonly number[]; by: readonly number[] } }) => ({ value, context: { ...context, v: 1 } }),
};

/** v1 → v2, both builds. */
export const counterLineages = {
  good: lineage('counter', v1).next(v2, link),
  bad: lineage('counter', v1).next(v2bad, link),
};

/** The events an instance processed, checked against what was sent: exactly once, in order (G1). */
export function lostOrDuplicated(seen: readonly number[], sent: number): { lost: number; duplicated: number; outOfOrder: number } {
  const counts = new Map<number, number>();
  let outOfOrder = 0;
  seen.forEach((s, i) => {
    counts.set(s, (counts.get(s) ?? 0) + 1);
    if (i > 0 && s <= seen[i - 1]!) outOfOrder++;
  });
  let lost = 0;
  for (let s = 0; s < sent; s++) if (!counts.has(s)) lost++;
  const duplicated = [...counts.values()].reduce((n, c) => n + c - 1, 0);
  return { lost, duplicated, outOfOrder };
}
