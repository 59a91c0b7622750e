/**
 * XState delayed events (`after`) across a swap, beyond the policies: a delay that already fired is
 * nothing to carry, a delay the new version adds is a blocker under `carry`, and delay plans reused by
 * state shape never mix two states (G5). (carry / restart / cancel and targets that are gone are in
 * policies.test.ts; plans across repeated swaps in delay-plans.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock } from '../../src/index.ts';

const same = { up: ({ value, context }: { value: any; context: any }) => ({ value, context }) };

// Provenance: second review of the coordinator.
describe('after transitions with nothing pending', () => {
  const plain = setup({}).createMachine({ id: 'g', initial: 'a', states: { a: { tags: ['x'] } , b: {} } });
  const withAfter = setup({ guards: { never: () => false } }).createMachine({
    id: 'g',
    initial: 'a',
    states: { a: { after: { 100: { target: 'b', guard: 'never' } } }, b: {} },
  });

  it('a delay that already fired in the old version (guarded, still in the state) is nothing to carry: the swap commits', async () => {
    const clock = new ManualClock();
    const l = lineage('g', defineVersion({ version: 1, machine: withAfter })).next(defineVersion({ version: 2, machine: withAfter }), { up: (s) => s });
    const c = createRuntime({ clock }).start(l, { version: 1 });
    clock.advance(100); // fired, guard false: still in `a`, nothing pending
    expect(c.ledger().delays).toEqual([]);
    expect((await c.swap(2)).outcome).toBe('committed');
  });

  it('a delay the new version adds is a blocker under carry, and armed in full under restart (G5)', async () => {
    const clock = new ManualClock();
    const l = lineage('g', defineVersion({ version: 1, machine: plain })).next(defineVersion({ version: 2, machine: withAfter }), { up: (s) => s as never });
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const refused = await c.swap(2);
    expect(refused.blockers.map((b) => b.kind)).toEqual(['unarmed-delay']);
    const committed = await c.swap(2, { policies: { delays: 'restart' } });
    expect(committed.outcome).toBe('committed');
    expect(c.ledger().delays).toMatchObject([{ id: 'xstate.after.100.g.a', remainingMs: 100 }]);
  });
});

// Provenance: third review (2026-11-22).
describe('delay plans reused by shape', () => {
  it('do not mix a state named like JSON with the object value it spells (G5)', async () => {
    const odd = '{"p":"q"}';
    const machine = (v: number) =>
      setup({ types: { events: {} as { type: 'TO_PQ' } | { type: 'TO_ODD' } } }).createMachine({
        id: `k${v}`,
        initial: 'start',
        states: {
          start: { on: { TO_PQ: 'p', TO_ODD: odd } },
          p: { initial: 'q', states: { q: {} } },
          // v2 adds a delay here: a swap landing in this state under `carry` must be refused
          [odd]: v === 2 ? { after: { 500: 'start' } } : {},
        },
      });
    const l = lineage('k', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), same);
    const runtime = createRuntime();
    const a = runtime.start(l, { version: 1, id: 'a' });
    a.send({ type: 'TO_PQ' });
    expect((await a.swap(2)).outcome).toBe('committed');
    const b = runtime.start(l, { version: 1, id: 'b' });
    b.send({ type: 'TO_ODD' });
    const refused = await b.swap(2);
    expect(refused.blockers.map((x) => x.kind)).toEqual(['unarmed-delay']);
  });
});
