/**
 * A cold restore of a state whose child machines hold actor refs in their own context: the envelope is
 * frozen whole, and XState's restore must still revive every ref — through `runtime.start({ envelope })`
 * and through `restoreEnvelope` + `createActor` alike.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, assign, createActor, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, restoreEnvelope } from '../../src/index.ts';

describe('a cold restore of refs held by child machines', () => {
  // Provenance: fourth internal review (actor refs held in context), F2.
  it('revives refs a child machine holds in its own context (the envelope is frozen whole)', async () => {
    const leaf = setup({}).createMachine({ id: 'leaf' });
    const mid = setup({ types: { context: {} as { leaf: AnyActorRef | undefined } }, actors: { leaf } }).createMachine({
      id: 'mid',
      context: { leaf: undefined },
      entry: assign({ leaf: ({ spawn }) => spawn('leaf', { id: 'leaf' }) }),
    });
    const host = (n: number) =>
      setup({ types: { context: {} as { label: string } }, actors: { mid } }).createMachine({ id: 'host', context: { label: `v${n}` }, invoke: { src: 'mid', id: 'mid' } });
    const l = lineage('nested-refs', defineVersion({ version: 1, machine: host(1) })).next(defineVersion({ version: 2, machine: host(2) }), {
      up: () => ({ value: {}, context: { label: 'v2' } }),
      down: () => ({ value: {}, context: { label: 'v1' } }),
    });
    const runtime = createRuntime();
    const c = runtime.start(l, { version: 1 });
    const envelope = c.persist();
    await c.stop();
    const midOf = (snapshot: unknown) => (snapshot as { children: Record<string, AnyActorRef> }).children['mid']!;
    const again = runtime.start(l, { envelope, version: 2 });
    const restored = midOf(again.getSnapshot()).getSnapshot() as { status: string; context: { leaf: unknown }; children: Record<string, unknown> };
    expect(restored.status).toBe('active');
    expect(restored.context.leaf).toBe(restored.children['leaf']);

    const r = restoreEnvelope(l, envelope, { to: 2 });
    if (!r.ok) throw new Error(r.error.message);
    const actor = createActor(l.get(2)!.machine, { snapshot: r.snapshot }).start();
    expect(midOf(actor.getSnapshot()).getSnapshot().status).toBe('active');
    actor.stop();
    await runtime.stop();
  });
});
