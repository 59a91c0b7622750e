/**
 * One test per blocker kind that `migrate` and `verifyState` produce, each from a real lineage.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Blocker, type PersistedSnapshot, defineVersion, lineage, migrate, verifySnapshot, verifyState } from '../../src/index.ts';
import { driver, driverV1, driverV2, driverV2Machine, driverV3 } from '../fixtures/driver.ts';
import { playerV1, playerV1After, playerV2 } from './fixtures.ts';

type V1Context = { queue: string[]; completed: number };

const v1 = (value: string, context: V1Context): PersistedSnapshot => ({ status: 'active', value, context, children: {}, historyValue: {} });
const busy = v1('busy', { queue: ['a', 'b'], completed: 2 });

/** The blockers of a refused migration (fails the test when it was not refused). */
function blockersOf(r: ReturnType<typeof migrate>): readonly Blocker[] {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.snapshot)}`);
  return r.blockers;
}

/** The driver lineage with `up` as its only (v1 → v2) link. */
const withUp = (up: (s: { value: 'idle' | 'busy'; context: V1Context }) => unknown) =>
  lineage('driver', driverV1).next(driverV2, { up: up as never });

describe('migrate: planning blockers', () => {
  it('unknown-version: names each version the lineage does not have, with the known ones', () => {
    expect(blockersOf(migrate(driver, busy, { from: 1, to: 5 }))).toEqual([
      { kind: 'unknown-version', version: 5, known: [1, 2, 3], message: 'version 5 is not in the lineage (known: 1, 2, 3)' },
    ]);
    expect(blockersOf(migrate(driver, busy, { from: 0, to: 7 })).map((b) => b.kind === 'unknown-version' && b.version)).toEqual([0, 7]);
  });

  it('irreversible: a down path through a link without `down` names that link', () => {
    const r = migrate(driver, v1('working', { queue: [], completed: 0 }), { from: 3, to: 1 });
    expect(blockersOf(r)).toEqual([
      { kind: 'irreversible', link: { from: 2, to: 3 }, message: 'link v2 → v3 has no down migration: v2 cannot be restored from v3' },
    ]);
  });

  // `no-path` is not reachable through `migrate`: versions of a lineage are consecutive, so a path
  // exists whenever both ends are known, and an unknown end is `unknown-version`.
});

describe('migrate: blockers from the link itself', () => {
  it('migration-threw: a throwing link is a blocker with the link and the error, not a crash', () => {
    const r = migrate(withUp(() => { throw new Error('no retries for you'); }), busy, { from: 1, to: 2 });
    expect(r).toMatchObject({ ok: false, failedAt: { from: 1, to: 2 } });
    expect(blockersOf(r)).toEqual([
      {
        kind: 'migration-threw',
        link: { from: 1, to: 2 },
        error: { name: 'Error', message: 'no retries for you' },
        message: 'migration v1 → v2 threw Error: no retries for you',
      },
    ]);
  });

  it('migration-mutated-input: a link that writes to its frozen input is refused and the input is unchanged', () => {
    const input = v1('busy', { queue: ['a'], completed: 0 });
    const r = migrate(
      withUp(({ value, context }) => {
        context.queue.push('sneaky');
        return { value, context: { ...context, retries: 0 } };
      }),
      input,
      { from: 1, to: 2 },
    );
    const [b] = blockersOf(r);
    expect(b).toMatchObject({ kind: 'migration-mutated-input', link: { from: 1, to: 2 } });
    expect(b?.message).toMatch(/^migration v1 → v2 tried to mutate its \(frozen\) input: Cannot add property 1/);
    expect(input.context).toEqual({ queue: ['a'], completed: 0 });
  });

  it('migration-bad-output: null, a missing `context`, or a Promise is refused with the reason', () => {
    const reasons = [() => null, ({ value }: { value: unknown }) => ({ value }), async () => ({ value: 'idle', context: {} })].map(
      (up) => blockersOf(migrate(withUp(up), busy, { from: 1, to: 2 })).map((b) => b.kind === 'migration-bad-output' && b.reason),
    );
    expect(reasons).toEqual([
      ['expected `{ value, context }`, got `null`'],
      ['expected `{ value, context }`, got `object`'],
      ['it returned a Promise; migrations must be synchronous'],
    ]);
  });
});

describe('verify: totality', () => {
  it('undefined-field: names every undefined field at any depth, array elements included', () => {
    const r = migrate(
      withUp(({ context }) => ({
        value: 'idle',
        context: { ...context, retries: undefined, queue: ['a', undefined], extra: { deep: { note: undefined } } },
      })),
      busy,
      { from: 1, to: 2 },
    );
    const found = blockersOf(r).flatMap((b) => (b.kind === 'undefined-field' ? [b.path] : []));
    expect(found.sort()).toEqual(['context.extra.deep.note', 'context.queue.1', 'context.retries']);
    expect(blockersOf(r).find((b) => b.kind === 'undefined-field' && b.path === 'context.retries')?.message).toBe(
      "migration v1 → v2 left field 'context.retries' undefined",
    );
  });

  it('schema-issue: a zod schema on the target rejects the migrated context, with the path of each issue', () => {
    const v2WithSchema = defineVersion({
      version: 2,
      machine: driverV2Machine,
      schema: z.object({ queue: z.array(z.string()), completed: z.number().int().nonnegative(), retries: z.number().int().max(3) }),
    });
    const l = lineage('driver', driverV1).next(v2WithSchema, {
      up: ({ value, context }) => ({ value: value === 'busy' ? ('working' as const) : value, context: { ...context, retries: 5, queue: [...context.queue, 7 as never] } }),
    });
    const issues = blockersOf(migrate(l, busy, { from: 1, to: 2 }));
    expect(issues.map((b) => b.kind === 'schema-issue' && [b.version, b.path])).toEqual([
      [2, 'context.queue.2'],
      [2, 'context.retries'],
    ]);
    expect(issues[1]?.message).toMatch(/^v2 schema rejects 'context.retries': Too big/);
  });

  it('a schema replaces the undefined-field walk: what the schema allows is accepted', () => {
    // `note` is no key of v2's initial context: only the schema has a say on it
    const lenient = defineVersion({
      version: 2,
      machine: driverV2Machine,
      schema: z.object({ queue: z.array(z.string()), completed: z.number(), retries: z.number(), note: z.string().optional() }),
    });
    const l = lineage('driver', driverV1).next(lenient, {
      up: ({ context }) => ({ value: 'idle' as const, context: { ...context, retries: 0, note: undefined } }),
    });
    expect(migrate(l, busy, { from: 1, to: 2 }).ok).toBe(true);
  });
});

describe('verify: states, history and children', () => {
  it('unmapped-state (value): a state the migration did not map to the target is named', () => {
    const r = migrate(withUp(({ value, context }) => ({ value, context: { ...context, retries: 0 } })), busy, { from: 1, to: 2 });
    expect(blockersOf(r)).toEqual([
      { kind: 'unmapped-state', version: 2, state: 'busy', where: 'value', message: "state 'busy' does not exist in v2" },
    ]);
  });

  it('unmapped-state (history): a history entry pointing at a renamed state is named', () => {
    // v1 went on → paused → off, so history remembers `player.on.paused`, which v2 renamed to `halted`.
    const before = playerV1After('ON', 'PAUSE', 'OFF');
    expect(before.historyValue).toEqual({ 'player.on.hist': [{ id: 'player.on.paused' }] });
    const l = lineage('player', playerV1).next(playerV2, { up: ({ context }) => ({ value: 'off' as const, context }) });
    expect(blockersOf(migrate(l, before, { from: 1, to: 2 }))).toEqual([
      { kind: 'unmapped-state', version: 2, state: 'player.on.paused', where: 'history', message: "history entry 'player.on.paused' does not exist in v2" },
    ]);
    const mapped = lineage('player', playerV1).next(playerV2, {
      up: ({ context }) => ({ value: 'off' as const, context, historyValue: { 'player.on.hist': [{ id: 'player.on.halted' }] } }),
    });
    expect(migrate(mapped, before, { from: 1, to: 2 }).ok).toBe(true);
  });

  it('unresolvable-child: an invoked actor whose src the target does not provide is named', () => {
    const loading = playerV1After('ON', 'LOAD');
    expect(loading.children).toMatchObject({ fetch: { src: 'fetcher' } });
    const l = lineage('player', playerV1).next(playerV2, { up: ({ value, context }) => ({ value: value as never, context }) });
    expect(blockersOf(migrate(l, loading, { from: 1, to: 2 }))).toEqual([
      { kind: 'unresolvable-child', version: 2, child: 'fetch', src: 'fetcher', message: "child actor 'fetch' (src fetcher) cannot be resolved by v2" },
    ]);
  });

  it('unrestorable-ref: an actor ref in context that names no child of the snapshot would come back undefined', () => {
    // what XState persists for a ref to an actor that is not a child (a peer from an event, `self`)
    const on = playerV1After('ON');
    const before = { ...on, context: { ...(on.context as object), peer: { xstate$$type: 1, id: 'x:7' } } };
    const l = lineage('player', playerV1).next(playerV2, { up: ({ value, context }) => ({ value: value as never, context }) });
    expect(blockersOf(migrate(l, before, { from: 1, to: 2 }))).toEqual([
      {
        kind: 'unrestorable-ref',
        version: 2,
        path: 'context.peer',
        id: 'x:7',
        message: "'context.peer' holds an actor ref to 'x:7', which is not a child of the snapshot: v2 would restore it as undefined",
      },
    ]);
  });
});

describe('verify: invariants', () => {
  it('invariant-violation: each violation of the target invariant is a blocker with path and message', () => {
    const r = migrate(withUp(({ context }) => ({ value: 'idle', context: { ...context, retries: 9, completed: -1 } })), busy, { from: 1, to: 2 });
    expect(blockersOf(r)).toEqual([
      { kind: 'invariant-violation', version: 2, path: 'context.completed', violation: 'must be >= 0, got -1', message: "v2 invariant violated at 'context.completed': must be >= 0, got -1" },
      { kind: 'invariant-violation', version: 2, path: 'context.retries', violation: 'must be <= 3, got 9', message: "v2 invariant violated at 'context.retries': must be <= 3, got 9" },
    ]);
  });

  it('invariant-violation: a throwing invariant is a violation, not a crash', () => {
    const v2 = defineVersion({ ...driverV2, invariant: () => { throw new TypeError('cannot read stats'); } });
    const r = migrate(lineage('driver', driverV1).next(v2, { up: ({ context }) => ({ value: 'idle' as const, context: { ...context, retries: 0 } }) }), busy, { from: 1, to: 2 });
    expect(blockersOf(r)).toMatchObject([{ kind: 'invariant-violation', version: 2, path: '', violation: 'invariant threw TypeError: cannot read stats' }]);
  });

  it('verifyState checks a same-version state too: migrate with from = to verifies without running a link', () => {
    expect(migrate(driver, v1('idle', { queue: [], completed: -3 }), { from: 1, to: 1 })).toMatchObject({
      ok: false,
      path: [],
      blockers: [{ kind: 'invariant-violation', version: 1, path: 'context.completed' }],
    });
    expect(verifyState(driverV3, { status: 'active', value: 'working', context: { queue: [], stats: { completed: 0, failed: 0 }, retries: 0 }, children: {} })).toEqual([]);
  });
});

describe('migrate: success', () => {
  it('walks v1 → v3 and back down where it can, returning a deeply frozen snapshot', () => {
    const up = migrate(driver, busy, { from: 1, to: 3 });
    expect(up).toMatchObject({ ok: true, path: [{ from: 1, to: 2 }, { from: 2, to: 3 }] });
    if (!up.ok) return;
    expect(up.snapshot.value).toBe('working');
    expect(up.snapshot.context).toEqual({ queue: ['a', 'b'], retries: 0, stats: { completed: 2, failed: 0 } });
    expect(Object.isFrozen((up.snapshot.context as { stats: object }).stats)).toBe(true);
    const down = migrate(driver, { ...busy, value: 'working', context: { queue: ['a'], completed: 1, retries: 2 } }, { from: 2, to: 1 });
    expect(down.ok && [down.snapshot.value, down.snapshot.context]).toEqual(['busy', { queue: ['a'], completed: 1 }]);
  });
});

describe('verifySnapshot, the result form of verifyState', () => {
  it('is { ok: true } for a state that may run, and { ok: false, blockers } with what the deprecated verifyState lists', () => {
    const fine: PersistedSnapshot = { status: 'active', value: 'working', context: { queue: [], stats: { completed: 0, failed: 0 }, retries: 0 }, children: {} };
    expect(verifySnapshot(driverV3, fine)).toEqual({ ok: true });
    const stale = v1('busy', { queue: ['a'], completed: 1 }); // v1's state, against v3: no 'busy', no 'stats'
    const r = verifySnapshot(driverV3, stale);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.blockers.length).toBeGreaterThan(0);
    expect(r.blockers.map((b) => b.kind)).toContain('unmapped-state');
    expect(r.blockers).toEqual(verifyState(driverV3, stale));
  });
});
