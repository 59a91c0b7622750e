/**
 * hotswap builds a machine's persisted snapshot itself (`persistedSnapshotOf`, one tenth of XState's
 * cost on a small state): it must be the very object XState builds — same keys, same order, same
 * context copy with actor refs as markers, same children and history — on every state a machine can
 * reach. And a frozen snapshot must stay restorable where XState writes revived refs back (`restorable`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, assign, createActor, createMachine, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import { deepFreeze } from '../../src/migrate/_internal/freeze.ts';
import { holdsActorRefs, persistedSnapshotOf, restorable } from '../../src/xstate/adapter.ts';
import type { PersistedSnapshot } from '../../src/xstate/persisted.ts';
import { fcParams } from '../_support/fc.ts';

const pinger = fromCallback(() => () => undefined);
const child = setup({ types: { context: {} as { n: number } } }).createMachine({
  id: 'child',
  context: { n: 0 },
  on: { BUMP: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

interface Ctx {
  readonly refs: (AnyActorRef | undefined)[];
  readonly nested: { readonly deep: { readonly ref: AnyActorRef | undefined; readonly note: string } };
  readonly count: number;
  readonly list: readonly number[];
}

/** Parallel regions, deep history, spawned refs held in arrays and nested objects, invoked children. */
const machine = setup({
  types: { context: {} as Ctx },
  actors: { pinger, child, job: fromPromise(() => new Promise<number>(() => undefined)) },
}).createMachine({
  id: 'rich',
  type: 'parallel',
  context: { refs: [], nested: { deep: { ref: undefined, note: 'n' } }, count: 0, list: [1, 2] },
  states: {
    work: {
      initial: 'idle',
      states: {
        idle: { on: { GO: 'busy' } },
        busy: {
          invoke: { src: 'job', id: 'job' },
          initial: 'one',
          states: { one: { on: { NEXT: 'two' } }, two: {}, hist: { type: 'history', history: 'deep' } },
          on: { STOP: 'idle', BACK: '.hist' },
        },
      },
    },
    refs: {
      initial: 'none',
      states: {
        none: {
          on: {
            SPAWN: {
              target: 'some',
              actions: assign({
                refs: ({ context, spawn }) => [...context.refs, spawn('pinger')],
                nested: ({ spawn }) => ({ deep: { ref: spawn('child', { id: 'kid' }), note: 'spawned' } }),
              }),
            },
          },
        },
        some: {
          on: {
            BUMP: { actions: sendTo('kid', { type: 'BUMP' }) },
            DROP: { target: 'none', actions: assign({ refs: [], nested: { deep: { ref: undefined, note: 'dropped' } } }) },
          },
        },
      },
    },
  },
  on: { INC: { actions: assign({ count: ({ context }) => context.count + 1, list: ({ context }) => [...context.list, context.count] }) } },
});

const events = ['GO', 'NEXT', 'STOP', 'BACK', 'SPAWN', 'BUMP', 'DROP', 'INC'] as const;

describe('persistedSnapshotOf', () => {
  it('builds exactly what XState\'s getPersistedSnapshot builds, on every reachable state (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 25 }), (script) => {
        const actor = createActor(machine).start();
        const check = (): void => {
          const ours = persistedSnapshotOf(actor);
          const theirs = actor.getPersistedSnapshot() as PersistedSnapshot;
          expect(ours).toStrictEqual(theirs);
          expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs)); // same keys in the same order
          expect(Object.keys(ours)).toEqual(Object.keys(theirs));
          expect(holdsActorRefs(ours)).toBe(JSON.stringify(theirs.context).includes('xstate$$type'));
        };
        check();
        for (const type of script) {
          actor.send({ type });
          check();
        }
        actor.stop();
      }),
      fcParams(150),
    );
  });

  it('never shares the live context when it holds refs, and shares it as XState does when it does not', () => {
    const actor = createActor(machine).start();
    const live = actor.getSnapshot().context;
    expect(persistedSnapshotOf(actor).context).toBe(live); // no refs: XState does not copy either
    actor.send({ type: 'SPAWN' });
    const persisted = persistedSnapshotOf(actor);
    expect(persisted.context).not.toBe(actor.getSnapshot().context);
    expect((persisted.context as Ctx).list).toBe(actor.getSnapshot().context.list); // untouched subtrees are shared
    actor.stop();
  });

  it('goes through XState for a snapshot shape it does not know', () => {
    const actor = createActor(machine).start();
    actor.send({ type: 'SPAWN' });
    const snapshot = actor.getSnapshot() as unknown as Record<string, unknown>;
    snapshot['extra'] = 'a field a later xstate might add';
    const ours = persistedSnapshotOf(actor);
    expect(ours).toStrictEqual(actor.getPersistedSnapshot());
    expect(ours['extra']).toBe('a field a later xstate might add');
    expect(holdsActorRefs(ours)).toBe(true);
    actor.stop();
  });

  it('persists a plain createMachine machine the same way', () => {
    const plain = createMachine({ id: 'plain', initial: 'a', context: { x: 1 }, states: { a: { on: { T: 'b' } }, b: {} } });
    const actor = createActor(plain).start();
    actor.send({ type: 'T' });
    expect(JSON.stringify(persistedSnapshotOf(actor))).toBe(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
  });
});

describe('restorable', () => {
  it('returns the snapshot itself when its context holds no actor marker', () => {
    const actor = createActor(machine).start();
    const persisted = persistedSnapshotOf(actor);
    expect(restorable(persisted)).toBe(persisted);

    actor.stop();
  });

  it('lets XState restore a frozen snapshot whose context holds refs, and leaves the frozen one untouched', () => {
    const actor = createActor(machine).start();
    actor.send({ type: 'SPAWN' });
    actor.send({ type: 'BUMP' });
    const persisted = persistedSnapshotOf(actor);
    deepFreeze(persisted.context);
    const before = JSON.stringify(persisted);

    // without thawing, XState's restore writes the revived ref into a frozen object
    const broken = createActor(machine, { snapshot: persisted as never });
    expect(broken.getSnapshot().status).toBe('error');

    const ready = restorable(persisted);
    expect(ready).not.toBe(persisted);
    const restored = createActor(machine, { snapshot: ready as never }).start();
    const snap = restored.getSnapshot();
    expect(snap.status).toBe('active');
    expect(snap.context.nested.deep.ref).toBe(snap.children['kid']);
    expect(snap.context.refs[0]).toBe(Object.values(snap.children).find((c) => c !== snap.children['kid'] && c?.src === 'pinger'));
    expect((snap.context.nested.deep.ref?.getSnapshot() as { context: { n: number } }).context.n).toBe(1);
    // what was frozen is still frozen and unchanged; untouched subtrees are shared
    expect(JSON.stringify(persisted)).toBe(before);
    expect(Object.isFrozen((persisted.context as Ctx).nested.deep)).toBe(true);
    expect((ready.context as Ctx).list).toBe((persisted.context as Ctx).list);
    restored.stop();
    actor.stop();
  });
});
