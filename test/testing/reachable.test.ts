import { types } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { eventTypesOf, reachableSnapshots, sampleReachable } from '../../src/testing/reachable.ts';
import { type DriverEvent, driverV1, driverV1Machine, driverV2Machine } from '../fixtures/driver.ts';
import { echoV1 } from '../fixtures/check/stores-event.ts';
import { fcParams, seed } from '../_support/fc.ts';

const driverEvents: fc.Arbitrary<DriverEvent> = fc.oneof(
  fc.constantFrom('a', 'b', 'c').map((id) => ({ type: 'ENQUEUE' as const, id })),
  fc.constantFrom({ type: 'START' as const }, { type: 'CANCEL' as const }),
);
const AFTER = 'xstate.after.100.driver.busy';

describe('eventTypesOf', () => {
  it('lists the accepted event types without xstate internals', () => {
    expect(eventTypesOf(driverV1Machine)).toEqual(['CANCEL', 'ENQUEUE', 'START']);
    expect(eventTypesOf(driverV2Machine)).toEqual(['CANCEL', 'ENQUEUE', 'FAIL', 'START']);
  });
});

describe('reachableSnapshots', () => {
  it('produces snapshots that replaying its events through a real actor reproduces', () => {
    fc.assert(
      fc.property(reachableSnapshots(driverV1, { events: driverEvents }), (r) => {
        const actor = createActor(driverV1Machine).start();
        // Delay firings are replayed as the events XState's scheduler would send.
        for (const event of r.events) actor.send(event as DriverEvent);
        expect(driverV1Machine.getPersistedSnapshot(actor.getSnapshot())).toEqual(r.snapshot);
        actor.stop();
      }),
      fcParams(200),
    );
  });

  it('reports the `after` delay pending exactly in busy states', () => {
    fc.assert(
      fc.property(reachableSnapshots(driverV1, { events: driverEvents }), (r) => {
        if (r.snapshot.value === 'busy') {
          expect(r.pendingDelays).toEqual([{ id: AFTER, event: { type: AFTER }, delayMs: 100, remainingMs: 100 }]);
        } else {
          expect(r.pendingDelays).toEqual([]);
        }
      }),
      fcParams(200),
    );
  });

  it('fires pending delays as steps, and only when asked to', () => {
    const withDelays = sampleReachable(driverV1, { events: driverEvents, runs: 200, seed });
    const fired = withDelays.filter((r) => r.events.some((e) => e.type === AFTER));
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.every((r) => (r.snapshot.context as { completed: number }).completed > 0)).toBe(true);

    const without = sampleReachable(driverV1, { events: driverEvents, fireDelays: false, runs: 200, seed });
    expect(without.some((r) => r.snapshot.value === 'busy')).toBe(true);
    expect(without.every((r) => (r.snapshot.context as { completed: number }).completed === 0)).toBe(true);
  });

  it('derives bare events by default and drops the ones that read a payload', () => {
    const states = sampleReachable(driverV1, { runs: 100, seed });
    const types = new Set(states.flatMap((r) => r.events.map((e) => e.type)));
    expect(types).toEqual(new Set(['START', 'CANCEL']));
    expect(states.every((r) => (r.snapshot.context as { queue: unknown[] }).queue.length === 0)).toBe(true);
  });

  it('works with bare events on a machine that keeps the event in its context, which holds a plain object', () => {
    // The payload-detecting Proxy used to end up in the context, and structuredClone threw DataCloneError.
    const states = sampleReachable(echoV1, { runs: 100, seed });
    const kept = states.map((r) => (r.snapshot.context as { last: unknown }).last).filter((last) => last !== null);
    expect(kept.length).toBeGreaterThan(0);
    for (const last of kept) {
      expect(types.isProxy(last)).toBe(false);
      expect(Object.getPrototypeOf(last)).toBe(Object.prototype);
      expect(last).toEqual({ type: expect.stringMatching(/^(PING|RESET)$/) });
    }
    expect(structuredClone(states.map((r) => r.snapshot))).toEqual(states.map((r) => r.snapshot));
  });

  it('respects maxEvents and is deterministic for a seed', () => {
    const a = sampleReachable(driverV1, { events: driverEvents, maxEvents: 3, runs: 50, seed });
    expect(a.every((r) => r.events.length <= 3)).toBe(true);
    expect(sampleReachable(driverV1, { events: driverEvents, maxEvents: 3, runs: 50, seed })).toEqual(a);
  });

  it('shrinks a counterexample to the shortest event sequence', () => {
    const out = fc.check(
      fc.property(reachableSnapshots(driverV1, { events: driverEvents }), (r) => (r.snapshot.context as { completed: number }).completed < 2),
      fcParams(500),
    );
    expect(out.failed).toBe(true);
    const [r] = out.counterexample!;
    // Two jobs need two ENQUEUEs, two STARTs and two delay firings: nothing shorter completes them.
    expect(r.events).toHaveLength(6);
    expect(r.events.filter((e) => e.type === AFTER)).toHaveLength(2);
  });
});
