/**
 * A context that holds actor refs (the usual home of `spawn`): XState persists each ref as a marker
 * and, on restore, writes the revived ref into the object that held the marker. hotswap freezes what
 * links see, so it hands XState a copy with those objects unfrozen — swaps, reverts, persist and cold
 * restore all keep the refs alive.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, assign, createActor, sendTo, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, restoreEnvelope } from '../../src/index.ts';

const counter = setup({ types: { context: {} as { n: number } } }).createMachine({
  id: 'counter',
  context: { n: 0 },
  on: { BUMP: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

type Ctx = { readonly worker: AnyActorRef | undefined; readonly pool: { readonly spare: AnyActorRef | undefined }; readonly label: string };

const version = (n: number) =>
  setup({ types: { context: {} as Ctx }, actors: { counter } }).createMachine({
    id: 'host',
    context: { worker: undefined, pool: { spare: undefined }, label: `v${n}` },
    initial: 'ready',
    states: {
      ready: {
        entry: assign({
          worker: ({ spawn }) => spawn('counter', { id: 'worker' }),
          pool: ({ spawn }) => ({ spare: spawn('counter', { id: 'spare' }) }),
        }),
        on: { BUMP: { actions: sendTo(({ context }) => context.worker!, { type: 'BUMP' }) } },
      },
    },
  });

const refs = lineage('refs', defineVersion({ version: 1, machine: version(1) })).next(defineVersion({ version: 2, machine: version(2) }), {
  up: ({ value, context }) => ({ value, context: { ...context, label: 'v2' } }),
  down: ({ value, context }) => ({ value, context: { ...context, label: 'v1' } }),
});

function workerCount(snapshot: { context: Ctx; children: Record<string, AnyActorRef | undefined> }): number {
  expect(snapshot.context.worker).toBe(snapshot.children['worker']);
  expect(snapshot.context.pool.spare).toBe(snapshot.children['spare']);
  return (snapshot.context.worker!.getSnapshot() as { context: { n: number } }).context.n;
}

describe('actor refs held in context', () => {
  it('survive a swap and a revert: the new version holds the revived children, with their state', async () => {
    const runtime = createRuntime();
    const c = runtime.start(refs, { version: 1 });
    c.send({ type: 'BUMP' });
    const up = await c.swap(2);
    expect(up.outcome, JSON.stringify(up.blockers)).toBe('committed');
    const snap = c.getSnapshot() as unknown as { context: Ctx; children: Record<string, AnyActorRef> };
    expect(snap.context.label).toBe('v2');
    expect(workerCount(snap)).toBe(1);
    c.send({ type: 'BUMP' }); // the revived ref is live: events reach the child through it
    expect(workerCount(c.getSnapshot() as never)).toBe(2);

    const down = await c.revert();
    expect(down.outcome, JSON.stringify(down.blockers)).toBe('committed');
    expect(workerCount(c.getSnapshot() as never)).toBe(2);
    await runtime.stop();
  });

  it('survive persist and a cold restore, through the runtime and through restoreEnvelope', async () => {
    const runtime = createRuntime();
    const c = runtime.start(refs, { version: 1 });
    c.send({ type: 'BUMP' });
    const envelope = c.persist();
    await c.stop();

    const again = runtime.start(refs, { envelope, version: 2 });
    expect(workerCount(again.getSnapshot() as never)).toBe(1);

    const r = restoreEnvelope(refs, envelope, { to: 2 });
    if (!r.ok) throw new Error(r.error.message);
    const actor = createActor(refs.get(2)!.machine, { snapshot: r.snapshot }).start();
    expect(actor.getSnapshot().status).toBe('active');
    expect(workerCount(actor.getSnapshot() as never)).toBe(1);
    actor.stop();
    await runtime.stop();
  });

  it('survive a start from a live actor\'s own persisted snapshot', async () => {
    const bare = createActor(refs.get(1)!.machine).start();
    bare.send({ type: 'BUMP' });
    const runtime = createRuntime();
    const c = runtime.start(refs, { version: 2, from: 1, snapshot: bare.getPersistedSnapshot() });
    expect(workerCount(c.getSnapshot() as never)).toBe(1);
    bare.stop();
    await runtime.stop();
  });
});
