/**
 * What verify makes of the state a migration hands back: a value XState would complete with initial
 * states or accept although no actor can be in it is refused, naming the path; and an invoked child
 * is carried only into a state that invokes its src under its id — in `migrate()` and cold restore.
 */
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { type Blocker, createEnvelope, createRuntime, ManualClock, migrate, type PersistedSnapshot, restoreEnvelope, verifyState } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { deskAfter, deskV1, deskWith } from '../fixtures/desk.ts';
import { type FetcherOptions, makeFetcher } from '../fixtures/fetcher.ts';

const shape = (blockers: readonly Blocker[]) => blockers.map(({ message: _, ...rest }) => rest);

describe('state values XState would complete or accept', () => {
  const refusals: readonly [string, unknown, PersistedSnapshot, readonly object[]][] = [
    ['a dropped parallel region', { both: { left: 'b' } }, deskAfter('SPLIT', 'B', 'Y'), [{ kind: 'incomplete-state-value', version: 2, path: 'both.right', initial: ['both.right.x'] }]],
    ['a parallel state named by one region', { both: 'left' }, deskAfter('SPLIT'), [{ kind: 'incomplete-state-value', version: 2, path: 'both.right', initial: ['both.right.x'] }]],
    ['`{}` for the root (a component in parked)', {}, deskAfter('PARK'), [{ kind: 'incomplete-state-value', version: 2, path: '', initial: ['idle'] }]],
    ['`{}` for a compound state', { busy: {} }, deskAfter('WORK', 'WRITE'), [{ kind: 'incomplete-state-value', version: 2, path: 'busy', initial: ['busy.reading'] }]],
    [
      'two siblings of a non-parallel state',
      { parked: {}, busy: {} },
      deskAfter('PARK'),
      [
        { kind: 'contradictory-state-value', version: 2, path: '', states: ['parked', 'busy'] },
        { kind: 'incomplete-state-value', version: 2, path: 'busy', initial: ['busy.reading'] },
      ],
    ],
    ['two siblings inside a region', { both: { left: { a: {}, b: {} }, right: 'x' } }, deskAfter('SPLIT'), [{ kind: 'contradictory-state-value', version: 2, path: 'both.left', states: ['both.left.a', 'both.left.b'] }]],
    ['`[]`', [], deskAfter('PARK'), [{ kind: 'malformed-state-value', version: 2, path: '', got: 'an array' }]],
    ['an array below a state', { busy: ['reading'] }, deskAfter('WORK'), [{ kind: 'malformed-state-value', version: 2, path: 'busy', got: 'an array' }]],
    ['a number', { busy: 3 }, deskAfter('WORK'), [{ kind: 'malformed-state-value', version: 2, path: 'busy', got: 'a number' }]],
    ['null', null, deskAfter(), [{ kind: 'malformed-state-value', version: 2, path: '', got: 'null' }]],
    ['a history pseudo-state', { busy: 'hist' }, deskAfter('WORK'), [{ kind: 'malformed-state-value', version: 2, path: 'busy.hist', got: 'a history pseudo-state' }]],
  ];
  for (const [name, value, from, expected] of refusals) {
    it(`refuses ${name}, naming the path`, () => {
      const r = migrate(deskWith(value), from, { from: 1, to: 2 });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.failedAt).toEqual({ from: 1, to: 2 });
      expect(shape(r.blockers)).toEqual(expected);
    });
  }

  it('says what XState would have done, in the message', () => {
    const r = migrate(deskWith({}), deskAfter('PARK'), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => b.message)).toEqual([
      "state value leaves the root state out in v2: XState would enter 'idle' without a word (map it to the state it should be in)",
    ]);
    const s = migrate(deskWith({ parked: {}, busy: 'reading' }), deskAfter('PARK'), { from: 1, to: 2 });
    expect(s.ok ? [] : s.blockers.map((b) => b.message)).toEqual(["state value puts the root state in 'parked' and 'busy' at once in v2, but the root state is not parallel"]);
  });

  it('accepts every value a real actor is in, and the shorthand of a compound state for its initial child', () => {
    const reached = [deskAfter(), deskAfter('PARK'), deskAfter('WORK'), deskAfter('WORK', 'WRITE'), deskAfter('SPLIT'), deskAfter('SPLIT', 'B', 'Y')];
    for (const s of reached) {
      const r = migrate(deskWith(s.value), s, { from: 1, to: 2 });
      expect(r.ok, JSON.stringify(s.value)).toBe(true);
      expect(verifyState(deskV1, s)).toEqual([]);
    }
    for (const shorthand of ['busy', 'both', { busy: 'reading' }, { idle: {} }]) {
      expect(migrate(deskWith(shorthand), deskAfter(), { from: 1, to: 2 }).ok, JSON.stringify(shorthand)).toBe(true);
    }
  });
});

/** A real v1 fetcher's persisted snapshot with `load` in flight, and what it takes to read it. */
function loadingSnapshot(options: FetcherOptions) {
  const fixture = makeFetcher(options);
  const actor = createActor(fixture.fetcher.get(1)!.machine).start();
  actor.send({ type: 'LOAD' });
  const snapshot = actor.getPersistedSnapshot() as PersistedSnapshot;
  actor.stop();
  return { ...fixture, snapshot };
}

describe('invoked children in migrate() and cold restore', () => {
  it('refuses to carry an in-flight child into a state that does not invoke it, or invokes another src under its id', () => {
    const none = loadingSnapshot({ loading: 'none' });
    const a = migrate(none.fetcher, none.snapshot, { from: 1, to: 2 });
    expect(a.ok ? [] : shape(a.blockers)).toEqual([{ kind: 'orphaned-child', version: 2, child: 'load', src: 'load', state: 'loading', invokes: null, states: [] }]);

    const other = loadingSnapshot({ loading: 'other' });
    const b = migrate(other.fetcher, other.snapshot, { from: 1, to: 2 });
    expect(b.ok ? [] : shape(b.blockers)).toEqual([{ kind: 'orphaned-child', version: 2, child: 'load', src: 'load', state: 'loading', invokes: 'fetch2', states: [] }]);

    const same = loadingSnapshot({ loading: 'same' });
    expect(migrate(same.fetcher, same.snapshot, { from: 1, to: 2 }).ok).toBe(true);
  });

  it('names the states that would invoke it when the child lands elsewhere', () => {
    const { fetcher, snapshot } = loadingSnapshot({ loading: 'same' });
    const l = fetcher.get(1)!;
    const moved = { ...snapshot, value: 'idle' };
    expect(shape(verifyState(l, moved))).toEqual([{ kind: 'orphaned-child', version: 1, child: 'load', src: 'load', state: 'idle', invokes: null, states: ['loading'] }]);
    expect(verifyState(l, moved)[0]!.message).toBe("child actor 'load' (src load) is carried into v1 state 'idle', which does not invoke it ('loading' would)");
  });

  it('refuses a cold restore of an envelope with an in-flight child into such a state (restoreEnvelope, runtime.start)', async () => {
    for (const loading of ['none', 'other'] as const) {
      const { fetcher, snapshot, calls } = loadingSnapshot({ loading });
      const envelope = createEnvelope({ component: 'fetcher', version: 1, snapshot });
      const r = restoreEnvelope(fetcher, envelope, { to: 2 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.blockers).toEqual([expect.objectContaining({ kind: 'orphaned-child', child: 'load', state: 'loading' })]);
      expect(() => createRuntime({ clock: new ManualClock() }).start(fetcher, { version: 2, envelope })).toThrowError(expect.objectContaining({ code: 'MIGRATION_REFUSED' }));
      await flush();
      expect(calls.map((c) => `v${c.version}:${c.src}`)).toEqual(['v1:load']); // no version started it again
    }
    // into v1 itself, the same envelope restores: `loading` invokes `load` (XState starts it again)
    const { fetcher, snapshot } = loadingSnapshot({ loading: 'none' });
    expect(restoreEnvelope(fetcher, createEnvelope({ component: 'fetcher', version: 1, snapshot }), { to: 1 }).ok).toBe(true);
  });
});
