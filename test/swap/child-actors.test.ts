/**
 * Invoked and spawned children across a swap: callback actors are restarted (or refuse the swap under
 * `callbacks: block`), and a child the new version could not run or would not hold is a blocker, never
 * dropped (G5). (Work of child machines is in nested-children.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, type AnyStateMachine, fromCallback, setup } from 'xstate';
import { createRuntime, defineVersion, lineage } from '../../src/index.ts';
import { makeLoader } from '../fixtures/loader.ts';

// Provenance: first review of the coordinator.
describe('callback actors', () => {
  it('records restarted callback actors, and refuses them with policy callbacks: block', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    const committed = await c.swap(2);
    expect(committed.effects.restarted).toEqual(['listener']);
    const refused = await c.swap(3, { policies: { callbacks: 'block', timers: 'cancel' } });
    expect(refused.blockers.map((b) => b.message)).toEqual(["invoked actor 'listener' (src listener) in flight for 0 ms; policy: block"]);
  });
});

describe('children the new version cannot hold', () => {
  // Provenance: first review of the coordinator.
  it('refuses to carry an invoked child into a state that does not invoke it (G5)', async () => {
    const { loader } = makeLoader();
    const leaves = lineage('loader', loader.versions[0]).next(loader.versions[1], {
      up: ({ value, context }) => ({ value: value === 'loading' ? ('idle' as const) : value, context }),
    });
    const c = createRuntime().start(leaves, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const report = await c.swap(2, { policies: { promises: 'abort' } });
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual([
      "child actor 'fetch' (src fetchData) is carried into v2 state 'idle', which does not invoke it ('loading' would)",
    ]);
  });

  // Provenance: sixth internal review (second pass over actor refs), R3.
  it("refuses a child machine's own child whose src its new logic lacks (XState would drop it silently)", async () => {
    const helper = fromCallback(() => () => undefined);
    const worker1 = setup({ types: { context: {} as { h: AnyActorRef | undefined } }, actors: { helper } }).createMachine({
      id: 'worker',
      context: ({ spawn }) => ({ h: spawn('helper', { id: 'hp' }) }),
    });
    const worker2 = setup({ types: { context: {} as { h: AnyActorRef | undefined } } }).createMachine({ id: 'worker', context: { h: undefined } });
    const host = (worker: AnyStateMachine) => setup({ actors: { worker } }).createMachine({ id: 'host', invoke: { src: 'worker', id: 'w' } });
    const l = lineage('grandchild', defineVersion({ version: 1, machine: host(worker1) })).next(defineVersion({ version: 2, machine: host(worker2) }), {
      up: (s) => s,
      down: (s) => s,
    });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'unresolvable-child', child: 'w/hp', src: 'helper' })]);
  });
});
