// The example in docs/testing.md ("Prove your swaps"), verbatim; docs.test.ts keeps the two in sync.
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { assertTotal, reachableSnapshots, roundTripProperty, totalityProperty } from 'hotswap/testing';
import { driver, driverV1 } from '../fixtures/driver.ts';

const seed = Number(process.env['FC_SEED'] ?? 20261121);

// Events to drive v1 with; ENQUEUE needs a payload, so the default (bare `{ type }` events) would skip it.
const events = fc.oneof(
  fc.constantFrom('a', 'b', 'c').map((id) => ({ type: 'ENQUEUE' as const, id })),
  fc.constantFrom({ type: 'START' as const }, { type: 'CANCEL' as const }),
);

it('every reachable v1 state migrates to v3', () => {
  fc.assert(totalityProperty(driver, { from: 1, to: 3, events }), { seed, numRuns: 300 });
});

it('v1 → v2 → v1 gives back the original state', () => {
  fc.assert(roundTripProperty(driver, { from: 1, to: 2, events }), { seed, numRuns: 300 });
});

// The same check as a predicate inside @fast-check/vitest, with an extra assertion of your own.
test.prop([reachableSnapshots(driverV1, { events })], { seed, numRuns: 300 })('v3 keeps the completed count', (r) => {
  const v3 = assertTotal(driver, r, { from: 1, to: 3 });
  expect(v3.context).toMatchObject({ stats: { completed: (r.snapshot.context as { completed: number }).completed } });
});
