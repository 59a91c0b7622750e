import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertEquivalent, equivalenceProperty, reachableSnapshots } from '../../src/testing/index.ts';
import { driverEvents } from '../fixtures/buggy/index.ts';
import { echo } from '../fixtures/check/stores-event.ts';
import { driver, driverV1 } from '../fixtures/driver.ts';
import { fcParams } from '../_support/fc.ts';
import { eventTypes, expectToFind } from './_support.ts';

describe('equivalenceProperty', () => {
  it('holds for the driver v1 → v2 on every shared event', () => {
    fc.assert(equivalenceProperty(driver, { from: 1, to: 2, events: driverEvents }), fcParams(300));
  });

  it('finds that v3 counts failures v2 did not, and names the field', () => {
    const found = expectToFind(equivalenceProperty(driver, { from: 2, to: 3, events: driverEvents }), 300);
    expect(found.error.code).toBe('NOT_EQUIVALENT');
    expect(found.error.message).toMatch(/is not equivalent on FAIL/);
    expect(found.error.differences).toEqual(['context.stats.failed: 0 ≠ 1']);
    expect(eventTypes(found)).toEqual(['ENQUEUE', 'START']);
    expect(found.counterexample[1]).toEqual({ type: 'FAIL' });
    console.info(`v2 → v3 equivalence on FAIL: found after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s)`);
  });

  it('holds under a projection that leaves out the intended change', () => {
    const withoutFailed = ({ value, context }: { value: unknown; context: unknown }) => {
      const { stats, ...rest } = context as { stats: { completed: number } };
      return { value, rest, completed: stats.completed };
    };
    fc.assert(equivalenceProperty(driver, { from: 2, to: 3, events: driverEvents, project: withoutFailed }), fcParams(300));
  });

  it('holds with bare events for a machine that keeps the event in its context', () => {
    // The probe for payload reads used to be cloned with the state, and threw DataCloneError.
    fc.assert(equivalenceProperty(echo, { from: 1, to: 2, project: ({ value, context }) => ({ value, last: (context as { last: unknown }).last }) }), fcParams(100));
  });

  it('refuses an event one of the versions does not accept', () => {
    const [r] = fc.sample(reachableSnapshots(driverV1, { maxEvents: 0 }), { numRuns: 1, seed: 1 });
    expect(() => assertEquivalent(driver, r!, { type: 'FAIL' }, { from: 1, to: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/`FAIL` \(not accepted by v1\)/) }),
    );
  });
});
