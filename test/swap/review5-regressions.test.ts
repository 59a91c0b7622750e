/**
 * Defects found by the fifth internal review (the actor-ref fixes of review 4), each reproduced first.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, type AnyStateMachine, assign, sendTo, setup, stopChild } from 'xstate';
import { createRuntime, defineVersion, lineage, migrate } from '../../src/index.ts';

describe('review 5 regressions', () => {
  it("N1: a child machine's ref to its parent would come back undefined: refused, naming the path inside the child", async () => {
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

  it('N2: every ref is checked, however many (a stale one after the 50th is still refused)', async () => {
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

  it('N3: a child that fails to restore in the new version refuses the install (XState reports it only as a status)', async () => {
    const worker1 = setup({}).createMachine({ id: 'worker', initial: 'idle', states: { idle: { on: { GO: 'busy' } }, busy: {} } });
    const worker2 = setup({}).createMachine({ id: 'worker', initial: 'idle', states: { idle: { on: { GO: 'working' } }, working: {} } });
    const host = (worker: AnyStateMachine) =>
      setup({ actors: { worker } }).createMachine({ id: 'host', invoke: { src: 'worker', id: 'w' }, on: { GO: { actions: sendTo('w', { type: 'GO' }) } } });
    const l = lineage('child-error', defineVersion({ version: 1, machine: host(worker1) })).next(defineVersion({ version: 2, machine: host(worker2) }), {
      up: (s) => s,
      down: (s) => s,
    });
    const runtime = createRuntime({ onError: () => undefined });
    const c = runtime.start(l, { version: 1 });
    c.send({ type: 'GO' });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers[0]).toMatchObject({ kind: 'install-failed', version: 2 });
    expect(report.blockers[0]!.message).toMatch(/child 'w' failed to restore: Error: State 'busy' does not exist/);
    expect(c.version).toBe(1);
    expect(() => runtime.start(l, { envelope: c.persist(), version: 2 })).toThrow(/child 'w' failed to restore/);
    await runtime.stop();
  });

  it('N5: a ref a later link puts back after an earlier link dropped it is still checked and revived', () => {
    const leaf = setup({}).createMachine({ id: 'leaf' });
    type Ctx = { w?: AnyActorRef; stash?: unknown; v: number };
    const m = (n: number) =>
      setup({ types: { context: {} as Ctx }, actors: { leaf } }).createMachine({ id: `m${n}`, context: ({ spawn }) => ({ w: spawn('leaf', { id: 'w' }), v: n }) });
    let kept: unknown;
    const l = lineage('chain', defineVersion({ version: 1, machine: m(1) }))
      .next(defineVersion({ version: 2, machine: m(2) }), { up: ({ value, context }) => ((kept = context.w), { value, context: { v: 2 } }) })
      .next(defineVersion({ version: 3, machine: m(3) }), { up: ({ value }) => ({ value, context: { w: kept as AnyActorRef, v: 3 } }) });
    const runtime = createRuntime();
    const c = runtime.start(l, { version: 1 });
    const persisted = c.persist().snapshot;
    const stale = { ...persisted, children: {} };
    const r = migrate(l, stale, { from: 1, to: 3 });
    expect(!r.ok && r.blockers.map((b) => b.kind)).toEqual(['unrestorable-ref']);
    return c.swap(3).then((report) => {
      expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
      const s = c.getSnapshot() as unknown as { context: Ctx; children: Record<string, AnyActorRef> };
      expect(s.context.w).toBe(s.children['w']);
    });
  });

  it('N6: marker-shaped data in a live context is checked like a ref, live and cold alike', async () => {
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
