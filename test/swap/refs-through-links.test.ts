/**
 * Actor refs a link moves around: shared between two places, written as a marker for a child the old
 * version held no ref to, or put back after an earlier link dropped it. Each is checked (a marker naming
 * no child is `unrestorable-ref`) and, when restorable, revived as the live child in every place —
 * one object, as XState restores it.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor, fromCallback, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, migrate } from '../../src/index.ts';

const leaf = setup({}).createMachine({ id: 'leaf' });
type Slots = { slots: { ref: AnyActorRef | undefined }[]; primary?: { ref: AnyActorRef | undefined }; w?: unknown; label: string };
const slotted = (n: number) =>
  setup({ types: { context: {} as Slots }, actors: { leaf } }).createMachine({
    id: 'slotted',
    context: ({ spawn }) => ({ slots: [{ ref: spawn('leaf', { id: 'w' }) }], label: `v${n}` }),
  });

describe('actor refs a link shares, writes or puts back', () => {
  // Provenance: fourth internal review (actor refs held in context), F3.
  it('a link that shares one ref-holding object between two places commits, both places revived', async () => {
    const l = lineage('shared', defineVersion({ version: 1, machine: slotted(1) })).next(defineVersion({ version: 2, machine: slotted(2) }), {
      up: ({ value, context }) => ({ value, context: { ...context, primary: context.slots[0], label: 'v2' } }),
      down: ({ value, context }) => ({ value, context: { slots: context.slots, label: 'v1' } }),
    });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    const s = c.getSnapshot() as unknown as { context: Slots; children: Record<string, AnyActorRef> };
    expect(s.context.primary?.ref).toBe(s.children['w']);
    expect(s.context.slots[0]!.ref).toBe(s.children['w']);
    expect(s.context.primary).toBe(s.context.slots[0]); // still one object, as XState restores it
  });

  // Provenance: sixth internal review (second pass over actor refs), R1.
  it('an object holding a ref, shared into a large frozen list, is not taken for ref-free (the swap commits, both places revived)', async () => {
    const pinger = fromCallback(() => () => undefined);
    type Ctx = { job: { worker: AnyActorRef | undefined }; jobs: { n: number; worker?: AnyActorRef }[] };
    const m = (v: number) =>
      setup({ types: { context: {} as Ctx }, actors: { pinger } }).createMachine({
        id: `m${v}`,
        context: ({ spawn }) => ({ job: { worker: spawn('pinger', { id: 'p' }) }, jobs: Array.from({ length: 300 }, (_, n) => ({ n })) }),
      });
    const l = lineage('shared-list', defineVersion({ version: 1, machine: m(1) })).next(defineVersion({ version: 2, machine: m(2) }), {
      up: ({ value, context }) => ({ value, context: { job: context.job, jobs: [...context.jobs, context.job as never] } }),
      down: (s) => s,
    });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    const s = c.getSnapshot() as unknown as { context: Ctx; children: Record<string, AnyActorRef> };
    expect(s.context.job.worker).toBe(s.children['p']);
    expect(s.context.jobs[300]).toBe(s.context.job);
  });

  // Provenance: fourth internal review, F4.
  it('a link that writes a marker for a child the old version held no ref to commits, and the ref is live', async () => {
    const l = lineage('written', defineVersion({ version: 1, machine: slotted(1) })).next(defineVersion({ version: 2, machine: slotted(2) }), {
      up: ({ value }) => ({ value, context: { slots: [], w: { xstate$$type: 1, id: 'w' }, label: 'v2' } }),
      down: ({ value, context }) => ({ value, context: { slots: context.slots, label: 'v1' } }),
    });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    const s = c.getSnapshot() as unknown as { context: Slots; children: Record<string, AnyActorRef> };
    expect(s.context.w).toBe(s.children['w']);
    // and migrate() says the same of a marker whose child does not exist
    const persisted = createActor(slotted(1)).getPersistedSnapshot() as never;
    const bad = lineage('bad', defineVersion({ version: 1, machine: slotted(1) })).next(defineVersion({ version: 2, machine: slotted(2) }), {
      up: ({ value }) => ({ value, context: { slots: [], w: { xstate$$type: 1, id: 'nobody' }, label: 'v2' } }),
    });
    const r = migrate(bad, persisted, { from: 1, to: 2 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.blockers.map((b) => b.kind)).toEqual(['unrestorable-ref']);
  });

  // Provenance: fifth internal review, N5.
  it('a ref a later link puts back after an earlier link dropped it is still checked and revived', () => {
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
});
