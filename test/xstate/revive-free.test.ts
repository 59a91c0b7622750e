/**
 * The restore that skips XState's `reviveContext` walk (src/xstate/actor.ts) when `restorable` knows
 * finds the root context holds no actor marker — against the installed XState: the restored actor is the
 * one XState restores, the context is not walked, and a context with refs still gets them revived.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor, fromCallback, setup } from 'xstate';
import { ManualClock } from '../../src/index.ts';
import { createHostedActor } from '../../src/xstate/actor.ts';
import { isReviveFree, persistState, restorable } from '../../src/xstate/adapter.ts';
import type { PersistedSnapshot } from '../../src/xstate/persisted.ts';
import { migrate } from '../../src/migrate/migrate.ts';
import { defineVersion, lineage } from '../../src/index.ts';

const machine = setup({
  types: { context: {} as { n: number; bag: object; ref?: unknown } },
  actors: { child: fromCallback(() => undefined) },
}).createMachine({
  id: 'm',
  context: { n: 0, bag: {} },
  initial: 'a',
  states: {
    a: { on: { GO: { target: 'b', actions: assign({ n: ({ context }) => context.n + 1 }) } } },
    b: { invoke: { id: 'kid', src: 'child' }, on: { REF: { actions: assign({ ref: ({ self }) => self.getSnapshot().children.kid }) } } },
  },
});
const one = lineage('m', defineVersion({ version: 1, machine }));
const host = () => ({}) as never;
const hosted = (snapshot: PersistedSnapshot) => createHostedActor(machine, { clock: new ManualClock(), inspect: undefined, snapshot, input: undefined, host });

/** An object whose keys are counted when listed: XState's walk lists them (`for … in`). */
function counted(): { bag: object; listed: () => number } {
  let n = 0;
  const bag = new Proxy(Object.freeze({ deep: Object.freeze({ x: 1 }) }), {
    ownKeys(t) {
      n++;
      return Reflect.ownKeys(t);
    },
  });
  return { bag, listed: () => n };
}

function persistedOf(send: readonly string[], bag: object): PersistedSnapshot {
  const a = createActor(machine, { snapshot: undefined }).start();
  for (const type of send) a.send({ type });
  const p = persistState(a).snapshot;
  a.stop();
  return { ...p, context: { ...(p.context as object), bag } } as PersistedSnapshot;
}

describe('restoring without the revive walk, against the installed XState', () => {
  it('restores what XState restores, without listing the context', () => {
    const { bag, listed } = counted();
    // restorable looks for markers (and lists the bag once); the restore must not walk it again
    const ready = restorable(persistedOf(['GO'], bag));
    expect(isReviveFree(ready)).toBe(true);
    const before = listed();
    const restoreBefore = machine.restoreSnapshot;
    const actor = hosted(ready);
    expect(listed()).toBe(before); // not walked
    const reference = createActor(machine, { snapshot: JSON.parse(JSON.stringify({ ...ready, context: { n: 1, bag: {} } })) });
    const [mine, theirs] = [actor.getSnapshot(), reference.getSnapshot()];
    expect(mine.value).toEqual(theirs.value);
    expect(mine.context.bag).toBe((ready.context as { bag: object }).bag);
    expect(mine.context.n).toBe(1);
    expect(Object.keys(mine.children)).toEqual(Object.keys(theirs.children));
    expect(machine.restoreSnapshot).toBe(restoreBefore); // the override is gone
    actor.start();
    actor.send({ type: 'REF' });
    expect(actor.getSnapshot().context.ref).toBe(actor.getSnapshot().children.kid);
    actor.stop();
  });

  it('leaves a context holding an actor ref to XState, which revives it', () => {
    const live = createActor(machine).start();
    live.send({ type: 'GO' });
    live.send({ type: 'REF' });
    const result = migrate(one, persistState(live).snapshot, { from: 1, to: 1 });
    live.stop();
    if (!result.ok) throw new Error(JSON.stringify(result.blockers));
    const ready = restorable(result.snapshot);
    expect(isReviveFree(ready)).toBe(false);
    const actor = hosted(ready);
    expect(actor.getSnapshot().context.ref).toBe(actor.getSnapshot().children.kid);
  });

  it('knows nothing of a snapshot restorable did not see', () => {
    expect(isReviveFree({ context: {} })).toBe(false);
    expect(isReviveFree(undefined)).toBe(false);
  });
});
