import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertRoundTrip, reachableSnapshots, roundTripProperty } from '../../src/testing/index.ts';
import { brokenRoundTrip, driverEvents } from '../fixtures/buggy/index.ts';
import { driver, driverV1 } from '../fixtures/driver.ts';
import { fcParams } from '../_support/fc.ts';
import { eventTypes, expectToFind } from './_support.ts';

describe('roundTripProperty', () => {
  it('holds for the driver lineage v1 → v2 → v1', () => {
    fc.assert(roundTripProperty(driver, { from: 1, to: 2, events: driverEvents }), fcParams(300));
  });

  it('finds (d): a down migration that reorders the queue', () => {
    const found = expectToFind(roundTripProperty(brokenRoundTrip, { from: 1, to: 2, events: driverEvents }), 300);
    expect(found.error.code).toBe('NOT_ROUND_TRIP');
    expect(found.error.differences[0]).toMatch(/^context\.queue\.0: /);
    expect(found.error.message).toMatch(/differences \(original ≠ after the round trip\):\n {4}context\.queue\.0/);
    // Shrunk to two ENQUEUEs out of order, nothing else.
    expect(found.numShrinks).toBeGreaterThan(0);
    expect(eventTypes(found)).toEqual(['ENQUEUE', 'ENQUEUE']);
    console.info(`(d) broken-round-trip: found after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s)`);
  });

  it('compares under a projection when one is given', () => {
    const sortedQueue = ({ context }: { context: unknown }) => [...(context as { queue: string[] }).queue].sort();
    fc.assert(roundTripProperty(brokenRoundTrip, { from: 1, to: 2, events: driverEvents, project: sortedQueue }), fcParams(100));
    // ...and the projection is what is compared: one that sees the order still fails.
    const order = ({ context }: { context: unknown }) => (context as { queue: string[] }).queue;
    expect(fc.check(roundTripProperty(brokenRoundTrip, { from: 1, to: 2, events: driverEvents, project: order }), fcParams(100)).failed).toBe(true);
  });

  it('refuses at once, naming the link, when a link on the way has no down migration', () => {
    expect(() => roundTripProperty(driver, { from: 1, to: 3 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/link v2 → v3 has no down migration/) }),
    );
    const [r] = fc.sample(reachableSnapshots(driverV1, { maxEvents: 0 }), { numRuns: 1, seed: 1 });
    expect(() => assertRoundTrip(driver, r!, { from: 1, to: 3 })).toThrow(/link v2 → v3 has no down migration/);
  });
});
