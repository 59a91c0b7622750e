import { describe, expect, it } from 'vitest';
import { createActor, createMachine, fromCallback, fromPromise } from 'xstate';
import { ManualClock } from '../../src/index.ts';
import {
  acceptsEvent,
  cancelDelay,
  delayedTransitions,
  instrumentScheduler,
  logicKind,
  pendingDelays,
  scheduleDelay,
} from '../../src/xstate/adapter.ts';
import { driverV1Machine } from '../fixtures/driver.ts';

/** A driver actor on `clock`, its scheduler instrumented, busy with one job (a pending `after 100`). */
function busyDriver(clock: ManualClock) {
  const actor = createActor(driverV1Machine, { clock });
  instrumentScheduler(actor, clock);
  actor.start();
  actor.send({ type: 'ENQUEUE', id: 'a' });
  actor.send({ type: 'START' });
  return actor;
}

describe('the XState adapter against the installed xstate', () => {
  it('lists pending `after` events with remaining time on the injected clock', () => {
    const clock = new ManualClock(1_000);
    const actor = busyDriver(clock);
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
        sourceState: 'busy',
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

  it('owns the scheduler with XState\'s semantics: same keys, a readable table, stop cancels every timer', () => {
    const clock = new ManualClock(0);
    const actor = busyDriver(clock);
    // XState's own view of the table still reads (devtools, user code), keyed `sessionId.id`
    const table = (actor.system as unknown as { getSnapshot(): { _scheduledEvents: Record<string, { id: string; delay: number }> } }).getSnapshot()._scheduledEvents;
    expect(Object.keys(table)).toEqual([`${actor.sessionId}.xstate.after.100.driver.busy`]);
    expect(Object.values(table)[0]).toMatchObject({ id: 'xstate.after.100.driver.busy', delay: 100 });
    const serialised = JSON.parse(JSON.stringify((actor.system as unknown as { _snapshot: unknown })._snapshot)) as { _scheduledEvents: object };
    expect(Object.keys(serialised._scheduledEvents)).toEqual(Object.keys(table));
    expect(clock.pending).toBe(1);
    // the delay fires through the system, as XState's would, and leaves the table
    clock.advance(100);
    expect(actor.getSnapshot().value).toBe('idle');
    expect(pendingDelays(actor, clock)).toEqual([]);
    // stop() cancels what is pending (cancelAll), so no timer of a stopped actor stays armed
    actor.send({ type: 'ENQUEUE', id: 'b' });
    actor.send({ type: 'START' });
    expect(clock.pending).toBe(1);
    actor.stop();
    expect(clock.pending).toBe(0);
    expect(pendingDelays(actor, clock)).toEqual([]);
  });

  it('instruments a system once: a second call keeps the first table', () => {
    const clock = new ManualClock(0);
    const actor = busyDriver(clock);
    instrumentScheduler(actor, clock);
    expect(pendingDelays(actor, clock).map((d) => d.id)).toEqual(['xstate.after.100.driver.busy']);
    cancelDelay(actor, 'xstate.after.100.driver.busy');
    expect(clock.pending).toBe(0);
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

describe('acceptsEvent against the installed xstate', () => {
  const machine = createMachine({
    initial: 'a',
    on: { ROOT: {}, 'ns.*': { actions: () => {} } },
    states: { a: { on: { INERT: {}, LIST: [], ACT: { actions: () => {} } }, states: { deep: { on: { DEEP: {} } } }, initial: 'deep' }, b: {} },
  });

  it('counts inert transitions, which machine.events leaves out, at every depth', () => {
    expect(machine.events).not.toContain('INERT');
    for (const type of ['ROOT', 'INERT', 'LIST', 'ACT', 'DEEP', 'ns.x']) expect(acceptsEvent(machine, type), type).toBe(true);
  });

  it('refuses what no state names', () => {
    expect(acceptsEvent(machine, 'NOPE')).toBe(false);
    expect(acceptsEvent(machine, 'nsx')).toBe(false);
  });
});
