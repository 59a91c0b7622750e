/**
 * Actor refs XState cannot restore. XState persists an actor ref as a marker `{ xstate$$type: 1, id }`
 * and revives it from the child with that id; a ref naming no child of the snapshot (a peer received in
 * an event, `self`, a stopped child, a child machine's parent) comes back `undefined`. A swap or a cold
 * restore that would do that is refused with `unrestorable-ref`, naming the path, and the old version
 * keeps its refs (G5, G3). (Refs that survive are in actor-refs.test.ts and refs-through-links.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, assign, createActor, sendTo, setup, stopChild } from 'xstate';
import { createRuntime, defineVersion, lineage } from '../../src/index.ts';

describe('actor refs XState would restore as undefined', () => {
  const peer = createActor(setup({}).createMachine({ id: 'peer' })).start();
  const leaf = setup({}).createMachine({ id: 'leaf' });
  type Refs = { peer: AnyActorRef | null; me: AnyActorRef | null; old: AnyActorRef | null };
  const holder = (n: number) =>
    setup({ types: { context: {} as Refs }, actors: { leaf } }).createMachine({
      id: `holder${n}`,
      context: { peer: null, me: null, old: null },
      on: {
        SET: {
          actions: [
            assign({ peer: ({ event }) => (event as unknown as { ref: AnyActorRef }).ref, me: ({ self }) => self, old: ({ spawn }) => spawn('leaf', { id: 'old' }) }),
            stopChild('old'),
          ],
        },
      },
    });
  const holders = lineage('holders', defineVersion({ version: 1, machine: holder(1) })).next(defineVersion({ version: 2, machine: holder(2) }), {
    up: (s) => s,
    down: (s) => s,
  });

  // Provenance: fourth internal review (actor refs held in context), F1.
  it('refuse a swap whose state holds a peer, `self` or a stopped child (unrestorable-ref), and the refs stay alive', async () => {
    const runtime = createRuntime();
    const c = runtime.start(holders, { version: 1 });
    c.send({ type: 'SET', ref: peer } as never);
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => [b.kind, (b as { path?: string }).path])).toEqual([
      ['unrestorable-ref', 'context.peer'],
      ['unrestorable-ref', 'context.me'],
      ['unrestorable-ref', 'context.old'],
    ]);
    expect(report.blockers[0]!.message).toBe(`'context.peer' holds an actor ref to '${peer.id}', which is not a child of the snapshot: v2 would restore it as undefined`);
    const context = (c.getSnapshot() as unknown as { context: Refs }).context;
    expect(context.peer).toBe(peer); // the old version keeps serving, refs and all
    // and a cold restore says so too, instead of starting with undefined refs
    expect(() => runtime.start(holders, { envelope: c.persist(), version: 2 })).toThrow(/'context.peer' holds an actor ref/);
    await runtime.stop();
  });

  // Provenance: fifth internal review, N1.
  it("refuse a child machine's ref to its parent, naming the path inside the child", async () => {
    const worker = setup({ types: { context: {} as { parent: AnyActorRef }, input: {} as { parent: AnyActorRef } } }).createMachine({
      id: 'worker',
      context: ({ input }) => ({ parent: input.parent }),
      on: { KICK: { actions: sendTo(({ context }) => context.parent, { type: 'DONE_WORK' }) } },
    });
    const host = (n: number) =>
      setup({ types: { context: {} as { done: number } }, actors: { worker } }).createMachine({
        id: `host${n}`,
        context: { done: 0 },
        invoke: { src: 'worker', id: 'w', input: ({ self }) => ({ parent: self }) },
        on: { KICK: { actions: sendTo('w', { type: 'KICK' }) }, DONE_WORK: { actions: assign({ done: ({ context }) => context.done + 1 }) } },
      });
    const l = lineage('parent-ref', defineVersion({ version: 1, machine: host(1) })).next(defineVersion({ version: 2, machine: host(2) }), { up: (s) => s, down: (s) => s });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'unrestorable-ref', path: 'children.w.context.parent' })]);
    c.send({ type: 'KICK' });
    expect((c.getSnapshot() as { context: { done: number } }).context.done).toBe(1); // v1 and its worker still talk
  });

  // Provenance: fifth internal review, N2.
  it('are all checked, however many (a stale one after the 50th is still refused)', async () => {
    const cell = setup({}).createMachine({ id: 'cell' });
    type Ctx = { workers: { ref: AnyActorRef }[] };
    const pool = (n: number) =>
      setup({ types: { context: {} as Ctx }, actors: { cell } }).createMachine({
        id: `pool${n}`,
        context: ({ spawn }) => ({ workers: Array.from({ length: 60 }, (_, i) => ({ ref: spawn('cell', { id: `c${i}` }) })) }),
        on: { DROP: { actions: stopChild('c59') } },
      });
    const l = lineage('pool', defineVersion({ version: 1, machine: pool(1) })).next(defineVersion({ version: 2, machine: pool(2) }), { up: (s) => s, down: (s) => s });
    const c = createRuntime().start(l, { version: 1 });
    c.send({ type: 'DROP' });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'unrestorable-ref', path: 'context.workers.59.ref', id: 'c59' })]);
  });

  // Provenance: fifth internal review, N6.
  it('include marker-shaped data in a live context, checked like a ref, live and cold alike', async () => {
    type Ctx = { saved: unknown };
    const m = (n: number) => setup({ types: { context: {} as Ctx } }).createMachine({ id: `m${n}`, context: { saved: { worker: { xstate$$type: 1, id: 'gone' } } } });
    const l = lineage('data', defineVersion({ version: 1, machine: m(1) })).next(defineVersion({ version: 2, machine: m(2) }), { up: (s) => s, down: (s) => s });
    const runtime = createRuntime();
    const c = runtime.start(l, { version: 1 });
    const live = await c.swap(2);
    expect(live.blockers.map((b) => b.kind)).toEqual(['unrestorable-ref']);
    expect(() => runtime.start(l, { envelope: c.persist(), version: 2 })).toThrow(/unrestorable-ref|holds an actor ref to 'gone'/);
    await runtime.stop();
  });
});
