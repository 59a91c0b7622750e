/**
 * Issue 2's property tests, written with the testing kit: reachable v1 states of the driver lineage
 * migrate to v3 totally with every invariant holding; v1 ↔ v2 round-trips; broken lineages are caught.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyState } from '../../src/index.ts';
import { assertTotal, reachableSnapshots, roundTripProperty, totalityProperty } from '../../src/testing/index.ts';
import { brokenRoundTrip, driverEvents, dropsField, missingState, rareUndefined } from '../fixtures/buggy/index.ts';
import { driver, driverV1, driverV3 } from '../fixtures/driver.ts';
import { fcParams } from '../_support/fc.ts';

type V1Context = { queue: string[]; completed: number };
type V3Context = { queue: string[]; stats: { completed: number; failed: number }; retries: number };

describe('driver lineage: migrations of reachable states', () => {
  it('reachable v1 states satisfy v1 itself', () => {
    fc.assert(
      fc.property(reachableSnapshots(driverV1, { events: driverEvents }), (r) => {
        expect(verifyState(driverV1, r.snapshot)).toEqual([]);
      }),
      fcParams(300),
    );
  });

  it('v1 → v3 is total, keeps the data, and v3 invariants hold', () => {
    fc.assert(
      fc.property(reachableSnapshots(driverV1, { events: driverEvents }), (r) => {
        const before = r.snapshot.context as V1Context;
        const after = assertTotal(driver, r, { from: 1, to: 3 });
        const context = after.context as V3Context;
        expect(context.queue).toEqual(before.queue);
        expect(context.stats).toEqual({ completed: before.completed, failed: 0 });
        expect(after.value).toBe(r.snapshot.value === 'busy' ? 'working' : r.snapshot.value);
        expect(verifyState(driverV3, after)).toEqual([]);
      }),
      fcParams(300),
    );
  });

  it('v1 → v2 → v1 gives back the original state', () => {
    fc.assert(roundTripProperty(driver, { from: 1, to: 2, events: driverEvents }), fcParams(300));
  });

  it('v2 → v1 → v2 gives back everything but `retries`, which v1 cannot hold', () => {
    const withoutRetries = ({ value, context }: { value: unknown; context: unknown }) => {
      const { retries: _retries, ...rest } = context as { retries: number };
      return { value, context: rest };
    };
    fc.assert(roundTripProperty(driver, { from: 2, to: 1, events: driverEvents, project: withoutRetries }), fcParams(300));
    const exact = fc.check(roundTripProperty(driver, { from: 2, to: 1, events: driverEvents }), fcParams(300));
    expect(exact.failed).toBe(true);
    expect((exact.errorInstance as Error).message).toMatch(/context\.retries: 1 ≠ 0/);
  });
});

describe('driver lineage: the properties catch broken migrations', () => {
  const cases = [
    ['a field dropped for some states', totalityProperty(dropsField, { from: 1, to: 2, events: driverEvents }), /schema rejects 'context\.completed'/],
    ['a field left undefined after a rare sequence', totalityProperty(rareUndefined, { from: 2, to: 3, events: driverEvents, maxEvents: 60 }), /left field 'context\.stats\.failed' undefined/],
    ['a state mapped to a missing state', totalityProperty(missingState, { from: 1, to: 2, events: driverEvents }), /state 'running' does not exist in v2/],
    ['a down migration that breaks the round trip', roundTripProperty(brokenRoundTrip, { from: 1, to: 2, events: driverEvents }), /does not round-trip/],
  ] as const;

  it.each(cases)('catches %s', (_name, property, message) => {
    // fast-check's report carries the seed and the shrunk counterexample; the kit's error is its cause.
    expect(() => fc.assert(property, fcParams(300))).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/Shrunk \d+ time/), cause: expect.objectContaining({ message: expect.stringMatching(message) }) }),
    );
  });
});
