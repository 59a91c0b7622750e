import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise } from 'xstate';
import { ManualClock } from '../../src/index.ts';
import {
  cancelDelay,
  delayedTransitions,
  instrumentScheduler,
  logicKind,
  pendingDelays,
  scheduleDelay,
} from '../../src/ledger/_internal/xstate-adapter.ts';
import { driverV1Machine } from '../fixtures/driver.ts';

describe('the XState adapter against the installed xstate', () => {
  it('lists pending `after` events with remaining time on the injected clock', () => {
    const clock = new ManualClock(1_000);
    const actor = createActor(driverV1Machine, { clock });
    instrumentScheduler(actor, clock);
    actor.start();
    actor.send({ type: 'ENQUEUE', id: 'a' });
    actor.send({ type: 'START' });
    clock.advance(30);
    expect(pendingDelays(actor, clock)).toEqual([
      {
        id: 'xstate.after.100.driver.busy',
        event: { type: 'xstate.after.100.driver.busy' },
        delayMs: 100,
        startedAt: 1_000,
        remainingMs: 70,
        sourceId: actor.id,
        fromRoot: true,
        selfTargeted: true,
      },
    ]);
  });

  it('re-arms and cancels delays through the scheduler', () => {
    const clock = new ManualClock();
    const actor = createActor(driverV1Machine, { clock, snapshot: { ...(createActor(driverV1Machine).getPersistedSnapshot() as any), value: 'busy', context: { queue: ['a'], completed: 0 } } });
    instrumentScheduler(actor, clock);
    actor.start();
    expect(pendingDelays(actor, clock)).toEqual([]); // restore does not re-arm (xstate#5331)
    scheduleDelay(actor, { type: 'xstate.after.100.driver.busy' }, 25, 'xstate.after.100.driver.busy');
    expect(pendingDelays(actor, clock)[0]?.remainingMs).toBe(25);
    cancelDelay(actor, 'xstate.after.100.driver.busy');
    expect(pendingDelays(actor, clock)).toEqual([]);
    scheduleDelay(actor, { type: 'xstate.after.100.driver.busy' }, 25, 'xstate.after.100.driver.busy');
    clock.advance(25);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('maps `after` event types to their state and delay key', () => {
    expect([...delayedTransitions(driverV1Machine).values()]).toEqual([
      { eventType: 'xstate.after.100.driver.busy', statePath: 'busy', delayKey: '100' },
    ]);
  });

  it('tells promise logic from callback and machine logic', () => {
    expect(logicKind(fromPromise(async () => 1))).toBe('promise');
    expect(logicKind(fromCallback(() => undefined))).toBe('callback');
    expect(logicKind(driverV1Machine)).toBe('machine');
    expect(logicKind(undefined)).toBe('other');
  });
});
