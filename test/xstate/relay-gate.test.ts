/**
 * The relay gate (src/xstate/relay-gate.ts) against the installed XState: every way an event reaches
 * an actor of a system — `send`, a delayed event, a promise settling, a callback's `sendBack` — passes
 * the system's `_relay`, so a gate there holds, drops or passes each one; opening it relays what it
 * held in order. If an XState upgrade routed events around `_relay`, these tests fail.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor, fromCallback, fromPromise, setup, type AnyActorRef, type EventObject } from 'xstate';
import { discardRelay, gateRelay, openRelay, type RelayGate, type RelayVerdict, relaySealed } from '../../src/xstate/adapter.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const counter = setup({ types: { context: {} as { seen: string[] }, events: {} as { type: 'A' } | { type: 'B' } | { type: 'PING' } } }).createMachine({
  context: { seen: [] },
  on: {
    A: { actions: assign({ seen: ({ context }) => [...context.seen, 'A'] }) },
    B: { actions: assign({ seen: ({ context }) => [...context.seen, 'B'] }) },
    PING: { actions: assign({ seen: ({ context }) => [...context.seen, 'PING'] }) },
  },
});

/** A gate with a fixed verdict that records what it was asked about. */
function fixed(verdict: RelayVerdict): RelayGate & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    sealed: verdict === 'drop',
    admit: (_s: AnyActorRef | undefined, _t: AnyActorRef, e: EventObject) => {
      asked.push(e.type);
      return verdict;
    },
  };
}

describe('relay gate', () => {
  it('holds what is sent, and relays it in order when opened', () => {
    const actor = createActor(counter).start();
    const gate = fixed('hold');
    gateRelay(actor, gate);
    actor.send({ type: 'A' });
    actor.send({ type: 'B' });
    expect(actor.getSnapshot().context.seen).toEqual([]);
    expect(gate.asked).toEqual(['A', 'B']);
    const relayHeld = openRelay(actor);
    actor.send({ type: 'PING' }); // passes straight through once the gate is off
    expect(relayHeld()).toBe(2);
    expect(actor.getSnapshot().context.seen).toEqual(['PING', 'A', 'B']);
  });

  it('drops what a sealed gate receives, reports the system sealed, and forgets held events when discarded', () => {
    const actor = createActor(counter).start();
    gateRelay(actor, fixed('drop'));
    expect(relaySealed(actor)).toBe(true);
    actor.send({ type: 'A' });
    gateRelay(actor, fixed('hold'));
    expect(relaySealed(actor)).toBe(false);
    actor.send({ type: 'B' });
    discardRelay(actor);
    actor.send({ type: 'PING' });
    expect(actor.getSnapshot().context.seen).toEqual(['PING']);
    expect(relaySealed(actor)).toBe(false);
  });

  it('gates delayed events, promise settlements and callback sendBack too', async () => {
    let resolve!: (v: string) => void;
    const m = setup({
      actors: {
        fetcher: fromPromise(() => new Promise<string>((r) => (resolve = r))),
        pinger: fromCallback(({ sendBack, receive }) => receive(() => sendBack({ type: 'PONG' }))),
      },
      types: { context: {} as { seen: string[] } },
    }).createMachine({
      context: { seen: [] },
      invoke: [
        { src: 'fetcher', onDone: { actions: assign({ seen: ({ context }) => [...context.seen, 'done'] }) } },
        { id: 'pinger', src: 'pinger' },
      ],
      after: { 1: { actions: assign({ seen: ({ context }) => [...context.seen, 'after'] }) } },
      on: {
        PONG: { actions: assign({ seen: ({ context }) => [...context.seen, 'pong'] }) },
        PING: { actions: ({ self }) => (self.getSnapshot().children as Record<string, AnyActorRef>).pinger!.send({ type: 'PING' }) },
      },
    });
    const actor = createActor(m).start();
    const gate = fixed('hold');
    gateRelay(actor, gate);
    resolve('x');
    await new Promise((r) => setTimeout(r, 5));
    await tick();
    expect(actor.getSnapshot().context.seen).toEqual([]);
    expect(gate.asked).toEqual(expect.arrayContaining(['xstate.promise.resolve', expect.stringMatching(/^xstate\.after\.1\./)]));
    const relayHeld = openRelay(actor);
    relayHeld();
    actor.send({ type: 'PING' });
    expect(actor.getSnapshot().context.seen).toEqual(expect.arrayContaining(['done', 'after', 'pong']));
    // a callback's sendBack to its parent goes through the gate too (here: hold what targets the root)
    const asked: string[] = [];
    gateRelay(actor, { sealed: false, admit: (_s, target, e) => (asked.push(e.type), target === actor ? 'hold' : 'pass') });
    (actor.getSnapshot().children as Record<string, AnyActorRef>).pinger!.send({ type: 'PING' });
    expect(asked).toEqual(['PING', 'PONG']);
    expect(actor.getSnapshot().context.seen.filter((x) => x === 'pong')).toHaveLength(1);
    openRelay(actor)();
    expect(actor.getSnapshot().context.seen.filter((x) => x === 'pong')).toHaveLength(2);
    actor.stop();
  });

  it('refuses a system without `_relay` with a clear error', () => {
    const fake = { system: {} } as unknown as AnyActorRef;
    expect(() => gateRelay(fake, fixed('pass'))).toThrow(/system\._relay/);
  });
});
