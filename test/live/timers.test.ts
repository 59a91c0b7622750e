/**
 * Runtime timers (`startTimer` / `cancelTimer`, src/live/timers.ts): started through the component's
 * clock, listed in the ledger, replaced by name, turned into an event by the running version's handler —
 * and a handler that throws is recorded and reported, never thrown into the clock.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import { cancelTimer, createRuntime, defineVersion, lineage, ManualClock, startTimer } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

type Ev = { type: 'ARM'; ms: number } | { type: 'DISARM' } | { type: 'FIRED'; payload: unknown };

/** A machine that arms timer `t` on ARM (payload: the delay), cancels it on DISARM and logs FIRED. */
const armer = setup({
  types: { context: {} as { fired: unknown[] }, events: {} as Ev },
  actions: {
    arm: startTimer('t', { delay: ({ event }) => (event as { ms: number }).ms, payload: ({ event }: { event: { ms: number } }) => `after ${event.ms}` }),
    disarm: cancelTimer('t'),
  },
}).createMachine({
  id: 'armer',
  context: { fired: [] },
  on: {
    ARM: { actions: 'arm' },
    DISARM: { actions: 'disarm' },
    FIRED: { actions: assign({ fired: ({ context, event }) => [...context.fired, event.payload] }) },
  },
});
const armers = lineage('armer', defineVersion({ version: 1, machine: armer, handlers: { t: (payload) => ({ type: 'FIRED' as const, payload }) } }));

describe('runtime timers', () => {
  it('fire the handler of the running version after their delay on the component clock, with their payload', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(armers);
    c.send({ type: 'ARM', ms: 30 });
    expect(c.ledger().timers).toMatchObject([{ name: 't', handler: 't', payload: 'after 30', delayMs: 30, dueAt: 30, remainingMs: 30 }]);
    clock.advance(29);
    expect(c.getSnapshot().context.fired).toEqual([]);
    expect(c.ledger().timers[0]!.remainingMs).toBe(1);
    clock.advance(1);
    expect(c.getSnapshot().context.fired).toEqual(['after 30']);
    expect(c.ledger().timers).toEqual([]);
  });

  it('starting a timer whose name is pending replaces it: only the new one fires', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(armers);
    c.send({ type: 'ARM', ms: 10 });
    c.send({ type: 'ARM', ms: 50 });
    expect(c.ledger().timers).toMatchObject([{ name: 't', delayMs: 50 }]);
    clock.advance(10);
    expect(c.getSnapshot().context.fired).toEqual([]);
    clock.advance(40);
    expect(c.getSnapshot().context.fired).toEqual(['after 50']);
  });

  it('cancelTimer stops a pending timer and clears its clock timer; cancelling none is a no-op', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(armers);
    const idle = clock.pending;
    c.send({ type: 'DISARM' });
    c.send({ type: 'ARM', ms: 10 });
    expect(clock.pending).toBe(idle + 1);
    c.send({ type: 'DISARM' });
    expect(clock.pending).toBe(idle);
    expect(c.ledger().timers).toEqual([]);
    clock.advance(100);
    expect(c.getSnapshot().context.fired).toEqual([]);
  });

  it('a delay Node cannot keep (past 2^31 − 1 ms) is refused with INVALID_ARGUMENT, and nothing is armed', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(armers);
    // the action throws inside XState: the actor fails with the error, the component stops
    c.send({ type: 'ARM', ms: 2 ** 31 });
    expect(c.getSnapshot().error).toMatchObject({ code: 'INVALID_ARGUMENT', message: "Expected the delay of timer 't' to be a number from 0 to 2147483647 ms, got `2147483648`" });
    expect(clock.pending).toBe(0);
    expect(c.status).toBe('stopped');
  });

  it('startTimer in an actor no runtime hosts throws TIMER_OUTSIDE_RUNTIME', () => {
    const actor = createActor(armer);
    actor.subscribe({ error: () => undefined }); // XState would rethrow an unobserved actor error later
    actor.start();
    actor.send({ type: 'ARM', ms: 5 });
    expect(actor.getSnapshot().status).toBe('error');
    expect(actor.getSnapshot().error).toMatchObject({ code: 'TIMER_OUTSIDE_RUNTIME' });
  });

  // Provenance: first review of the coordinator.
  it('a handler that throws is recorded and reported, and does not escape into the clock', () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const { loader, calls, v1 } = makeLoader();
    const throwing = lineage('loader', defineVersion({ ...v1, handlers: { refresh: () => { throw new Error('handler boom'); } } }));
    void loader;
    const c = createRuntime({ clock, onError: (e) => errors.push(e) }).start(throwing, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    return flush().then(() => {
      expect(() => clock.advance(500)).not.toThrow();
      expect(errors).toEqual([new Error('handler boom')]);
      expect(c.late).toMatchObject([{ id: 'refresh', src: 'timer:refresh', outcome: 'rejected' }]);
    });
  });
});
