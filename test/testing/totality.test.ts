import fc from 'fast-check';
import { test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type Reachable, assertTotal, reachableSnapshots, totalityProperty } from '../../src/testing/index.ts';
import { driverEvents, dropsField, missingState, rareUndefined } from '../fixtures/buggy/index.ts';
import { type DriverEvent, driver, driverV1 } from '../fixtures/driver.ts';
import { DEFAULT_SEED, fcParams } from '../_support/fc.ts';
import { eventTypes, expectToFind } from './_support.ts';

describe('totalityProperty', () => {
  it('holds for the driver lineage v1 → v3', () => {
    fc.assert(totalityProperty(driver, { from: 1, to: 3, events: driverEvents }), fcParams(300));
  });

  it('finds (a): a migration that drops a field only for busy states with two jobs queued', () => {
    const found = expectToFind(totalityProperty(dropsField, { from: 1, to: 2, events: driverEvents }), 300);
    expect(found.error.code).toBe('NOT_TOTAL');
    expect(found.error.blockers.map((b) => b.kind)).toContain('schema-issue');
    expect(found.error.message).toMatch(/v2 schema rejects 'context\.completed'/);
    expect(found.error.message).toMatch(/state: {3}v1 "busy" \{"queue":\["a","a"\],"completed":0\}/);
    // Shrunk to a shortest way there: the bug needs two jobs queued and one started, so three events. Which
    // order fast-check ends on depends on the seed ([ENQUEUE, START, ENQUEUE] at the default one,
    // [ENQUEUE, ENQUEUE, START] at 7 and 31337); both are minimal and both hit the planted bug (the state above).
    expect(found.numShrinks).toBeGreaterThan(0);
    const types = eventTypes(found);
    expect(types).toHaveLength(3);
    expect([...types].sort()).toEqual(['ENQUEUE', 'ENQUEUE', 'START']);
    expect(types[0]).toBe('ENQUEUE');
    console.info(`(a) drops-field: found after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s)`);
  });

  it('finds (b): a field left undefined only after three failures, with default settings', () => {
    // A measurement of how rare (b) is at the default maxEvents (~1 state in 1,500): pinned to the project's
    // default seed, since another seed may need more than 2,000 runs. The next test is the seed-robust one.
    const found = expectToFind(totalityProperty(rareUndefined, { from: 2, to: 3, events: driverEvents }), 2000, { seed: DEFAULT_SEED });
    expect(found.error.message).toMatch(/left field 'context\.stats\.failed' undefined/);
    expect(found.numShrinks).toBeGreaterThan(0);
    expect(eventTypes(found)).toEqual(['ENQUEUE', 'START', 'FAIL', 'START', 'FAIL', 'START', 'FAIL']);
    console.info(`(b) rare-undefined, maxEvents 20: found after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s)`);
  });

  it('finds (b) much sooner with longer event sequences', () => {
    const found = expectToFind(totalityProperty(rareUndefined, { from: 2, to: 3, events: driverEvents, maxEvents: 60 }), 300);
    expect(eventTypes(found)).toHaveLength(7);
    console.info(`(b) rare-undefined, maxEvents 60: found after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s)`);
  });

  it('finds (c): a plugin that maps busy to a state v2 does not have', () => {
    const found = expectToFind(totalityProperty(missingState, { from: 1, to: 2, events: driverEvents }), 300);
    expect(found.error.blockers).toEqual([expect.objectContaining({ kind: 'unmapped-state', state: 'running', version: 2 })]);
    expect(found.error.message).toMatch(/state 'running' does not exist in v2/);
    expect(eventTypes(found)).toEqual(['ENQUEUE', 'START']);
    console.info(`(c) missing-state: found after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s)`);
  });
});

describe('assertTotal', () => {
  it('returns the migrated snapshot', () => {
    const [r] = fc.sample(reachableSnapshots(driverV1, { events: driverEvents, maxEvents: 0 }), { numRuns: 1, seed: 1 });
    expect(assertTotal(driver, r!, { from: 1, to: 3 })).toMatchObject({
      value: 'idle',
      context: { queue: [], stats: { completed: 0, failed: 0 }, retries: 0 },
    });
  });

  it('refuses an unknown version with a typed error', () => {
    const [r] = fc.sample(reachableSnapshots(driverV1, { maxEvents: 0 }), { numRuns: 1, seed: 1 });
    expect(() => assertTotal(driver, r!, { from: 1, to: 4 })).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION' }));
  });
});

// The same predicate inside @fast-check/vitest's `test.prop`.
fcTest.prop([reachableSnapshots(driverV1, { events: driverEvents })], fcParams<[Reachable<DriverEvent>]>(100))(
  'driver v1 → v3 is total (test.prop)',
  (r) => {
    assertTotal(driver, r, { from: 1, to: 3 });
  },
);
