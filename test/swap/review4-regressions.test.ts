/**
 * Defects found by the fourth internal review (actor refs held in context), each reproduced first.
 * XState persists an actor ref as a marker `{ xstate$$type: 1, id }` and revives it from the child with
 * that id, writing it into the object that held the marker.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, assign, createActor, setup, stopChild } from 'xstate';
import { createRuntime, defineVersion, lineage, migrate, restoreEnvelope } from '../../src/index.ts';
import { canonicalJson, isQuotedCached } from '../../src/_internal/canonical.ts';

describe('review 4 regressions', () => {
  // Refs that name no child of the component: a peer received in an event, `self`, a stopped child.
  // XState restores them as `undefined`; hotswap used to commit such a swap and lose them (G5, G3).
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

  it('F1: refuses a swap whose state holds refs XState cannot restore (unrestorable-ref), and the refs stay alive', async () => {
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

  it('F2: a cold restore revives refs a child machine holds in its own context (the envelope is frozen whole)', async () => {
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

  type Slots = { slots: { ref: AnyActorRef | undefined }[]; primary?: { ref: AnyActorRef | undefined }; w?: unknown; label: string };
  const slotted = (n: number) =>
    setup({ types: { context: {} as Slots }, actors: { leaf } }).createMachine({
      id: 'slotted',
      context: ({ spawn }) => ({ slots: [{ ref: spawn('leaf', { id: 'w' }) }], label: `v${n}` }),
    });

  it('F3: a link that shares one ref-holding object between two places commits, both places revived', async () => {
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

  it('F4: a link that writes a marker for a child the old version held no ref to commits, and the ref is live', async () => {
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

  it('F5: hashing states keyed by long strings writes them exactly (the quoted-key cache keeps only short keys)', () => {
    const long = 'k'.repeat(5_000);
    const value = { [long]: 1, [`${long}"\n`]: 2, short: 3 };
    expect(canonicalJson(value)).toBe(JSON.stringify({ [long]: 1, [`${long}"\n`]: 2, short: 3 }));
    expect(isQuotedCached('short')).toBe(true);
    expect(isQuotedCached(long)).toBe(false);
  });
});
