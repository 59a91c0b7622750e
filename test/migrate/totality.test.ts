/**
 * Totality beyond `undefined`: a migrated context must have every key of the target version's
 * reference shape (`missing-field`), and be plain data an envelope can hold (`unpersistable-value`),
 * so that what is installed is what the new code can read and what `persist()` can write.
 * (Issue 9, items 2 and 4: a `{ ...context }` that forgot a field committed and killed the component
 * on its next event; a `Map`, a `Date` or a cycle committed and made every `persist()` fail.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, setup } from 'xstate';
import {
  type Blocker,
  type PersistedSnapshot,
  createEnvelope,
  defineVersion,
  isHotswapError,
  lineage,
  migrate,
  verifyState,
} from '../../src/index.ts';
import { referenceShape } from '../../src/migrate/_internal/shape.ts';
import { MAX_ENVELOPE_DEPTH } from '../../src/_internal/json.ts';
import { fcParams } from '../_support/fc.ts';

const state = (context: unknown, value: unknown = 'a'): PersistedSnapshot => ({ status: 'active', value, context, children: {}, historyValue: {} });

/** A one-state machine whose initial context is `context` (an object, a factory, or none). */
const machineWith = (context?: unknown): AnyStateMachine =>
  setup({}).createMachine({ id: 'm', initial: 'a', ...(context === undefined ? {} : { context: context as never }), states: { a: {} } }) as AnyStateMachine;

/** v1 (no context requirements) → v2, through `up`. */
function link(v2: ReturnType<typeof defineVersion>, up: (s: { value: unknown; context: any }) => unknown) {
  return lineage('m', defineVersion({ version: 1, machine: machineWith() })).next(v2 as never, { up: up as never });
}

function blockersOf(r: ReturnType<typeof migrate>): readonly Blocker[] {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.snapshot)}`);
  return r.blockers;
}
const kinds = (r: ReturnType<typeof migrate>): string[] => (r.ok ? [] : r.blockers.map((b) => `${b.kind} ${'path' in b ? b.path : ''}`.trim()));

describe('missing-field: every key of the target’s reference shape', () => {
  const v2 = defineVersion({ version: 2, machine: machineWith({ n: 0, label: 'x', stats: { completed: 0, failed: 0 } }) });

  it('refuses a `{ ...context }` that forgot a key the next version’s initial context has, naming link and path', () => {
    const l = link(v2, ({ value, context }) => ({ value, context: { ...context, label: 'y', stats: { completed: 1, failed: 0 } } }));
    expect(blockersOf(migrate(l, state({ extra: 1 }), { from: 1, to: 2 }))).toEqual([
      {
        kind: 'missing-field',
        link: { from: 1, to: 2 },
        path: 'context.n',
        source: 'initial-context',
        message: "migration v1 → v2 left out field 'context.n', which v2's initial context has",
      },
    ]);
  });

  it('looks at any depth of plain objects', () => {
    const l = link(v2, ({ value }) => ({ value, context: { n: 1, label: 'y', stats: { completed: 1 } } }));
    expect(kinds(migrate(l, state({}), { from: 1, to: 2 }))).toEqual(['missing-field context.stats.failed']);
  });

  it('checks subtrees passed through from the input too: v1’s `stats` can lack a key of v2’s', () => {
    // `stats` comes from the frozen input untouched, so the `undefined` walk skips it; the shape must not
    const l = link(v2, ({ value, context }) => ({ value, context: { ...context, n: 1, label: 'y' } }));
    expect(kinds(migrate(l, state({ stats: { completed: 3 } }), { from: 1, to: 2 }))).toEqual(['missing-field context.stats.failed']);
  });

  it('counts a key whose value is `undefined` as missing (JSON drops it), reported once', () => {
    const l = link(v2, ({ value }) => ({ value, context: { n: undefined, label: 'y', stats: { completed: 1, failed: 0 } } }));
    expect(kinds(migrate(l, state({}), { from: 1, to: 2 }))).toEqual(['undefined-field context.n']);
  });

  it('accepts a context with every key, and more', () => {
    const l = link(v2, ({ value }) => ({ value, context: { n: 1, label: 'y', stats: { completed: 1, failed: 0, extra: [] }, more: true } }));
    expect(migrate(l, state({}), { from: 1, to: 2 }).ok).toBe(true);
  });

  it('does not enter arrays (element shapes are not inferred), nor a non-object in place of an object', () => {
    const v = defineVersion({ version: 2, machine: machineWith({ items: [{ id: 1, name: 'a' }], user: { name: 'x' } }) });
    const l = link(v, ({ value }) => ({ value, context: { items: [{ id: 2 }], user: null } }));
    expect(migrate(l, state({}), { from: 1, to: 2 }).ok).toBe(true);
  });

  it('treats an initial key whose value is `undefined` as optional', () => {
    const v = defineVersion({ version: 2, machine: machineWith({ n: 0, note: undefined }) });
    expect(migrate(link(v, ({ value }) => ({ value, context: { n: 1 } })), state({}), { from: 1, to: 2 }).ok).toBe(true);
  });

  it('refuses a context that is not an object: it lacks every key', () => {
    const l = link(defineVersion({ version: 2, machine: machineWith({ n: 0 }) }), ({ value }) => ({ value, context: 'n' }));
    expect(kinds(migrate(l, state({}), { from: 1, to: 2 }))).toEqual(['missing-field context.n']);
  });

  it('never calls a context factory: such a version has no shape unless it declares one', () => {
    let calls = 0;
    const factory = () => {
      calls++;
      return { n: 0 };
    };
    const v = defineVersion({ version: 2, machine: machineWith(factory) });
    expect(migrate(link(v, ({ value }) => ({ value, context: {} })), state({}), { from: 1, to: 2 }).ok).toBe(true);
    expect(calls).toBe(0);
    expect(referenceShape(v)).toMatchObject({ source: 'none' });

    const declared = defineVersion({ version: 2, machine: machineWith(factory), shape: { n: true, stats: { failed: true } } as never });
    const r = migrate(link(declared, ({ value }) => ({ value, context: { stats: {} } })), state({}), { from: 1, to: 2 });
    expect(blockersOf(r).map((b) => b.kind === 'missing-field' && [b.path, b.source])).toEqual([
      ['context.n', 'shape'],
      ['context.stats.failed', 'shape'],
    ]);
    expect(blockersOf(r)[0]?.message).toBe("migration v1 → v2 left out field 'context.n', which v2's declared `shape` has");
    expect(calls).toBe(0);
  });

  it('lets a declared `shape` make an initial key optional', () => {
    const v = defineVersion({ version: 2, machine: machineWith({ n: 0, filter: { text: '' } }), shape: { n: true } as never });
    expect(migrate(link(v, ({ value }) => ({ value, context: { n: 1, filter: {} } })), state({}), { from: 1, to: 2 }).ok).toBe(true);
  });

  it('compiles a version’s shape once', () => {
    expect(referenceShape(v2)).toBe(referenceShape(v2));
    expect(referenceShape(v2)).toMatchObject({ source: 'initial-context', root: { keys: ['n', 'label', 'stats'] } });
  });

  it('applies without a link too: verifyState and a migration from a version to itself', () => {
    expect(verifyState(v2, state({ n: 1, label: 'x', stats: { completed: 0 } })).map((b) => b.kind === 'missing-field' && b.path)).toEqual([
      'context.stats.failed',
    ]);
    const same = lineage('m', v2);
    expect(kinds(migrate(same, state({ label: 'x', stats: { completed: 0, failed: 0 } }), { from: 2, to: 2 }))).toEqual(['missing-field context.n']);
  });

  it('defineVersion refuses a `shape` that is not a tree of `true`s', () => {
    for (const [shape, path] of [[{ n: 1 }, 'shape.n'], [{ a: { b: [] } }, 'shape.a.b'], [[], 'shape']] as const) {
      let error: unknown;
      try {
        defineVersion({ version: 2, machine: machineWith(), shape: shape as never });
      } catch (e) {
        error = e;
      }
      expect(isHotswapError(error, 'LINEAGE_INVALID_VERSION')).toBe(true);
      expect((error as Error).message).toMatch(new RegExp(`^Expected \`${path.replace('.', '\\.')}\` of v2 to be \`true\` or an object of required keys`));
    }
  });
});

/** A v2 with no key requirements and a schema that lets anything through: only plain data is checked. */
const anything = defineVersion({
  version: 2,
  machine: machineWith({}),
  schema: { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } } as never,
});

class Point {
  constructor(readonly x: number) {}
}

describe('unpersistable-value: what is installed is what persist() can write', () => {
  const cyclic = (): object => {
    const o: Record<string, unknown> = { a: 1 };
    o['self'] = o;
    return o;
  };
  const cases: [string, () => unknown, string, string][] = [
    ['a Map', () => new Map([[1, 2]]), 'context.v', 'a `Map` (JSON would not keep it)'],
    ['a Set', () => new Set([1]), 'context.v', 'a `Set` (JSON would not keep it)'],
    ['a Date', () => new Date(0), 'context.v', 'a `Date` (JSON would not keep it)'],
    ['a class instance', () => new Point(1), 'context.v', 'a `Point` (JSON would not keep it)'],
    ['a BigInt', () => 1n, 'context.v', 'a BigInt'],
    ['a function', () => () => 1, 'context.v', 'a function'],
    ['NaN', () => Number.NaN, 'context.v', '`NaN` (JSON writes `null`)'],
    ['undefined in an array', () => [1, undefined], 'context.v.1', 'undefined in an array (JSON writes `null`)'],
    ['a symbol key', () => ({ [Symbol('s')]: 1 }), 'context.v', 'an object with a symbol key `Symbol(s)` (JSON drops it)'],
    ['a cycle', () => ({ inner: cyclic() }), 'context.v.inner.self', 'a cycle back to `context.v.inner`'],
  ];

  it.each(cases)('refuses %s, naming the path and the rule', (_name, make, path, found) => {
    const r = migrate(link(anything, ({ value }) => ({ value, context: { ok: 1, v: make() } })), state({}), { from: 1, to: 2 });
    expect(blockersOf(r)).toEqual([
      {
        kind: 'unpersistable-value',
        link: { from: 1, to: 2 },
        path,
        found,
        message: `migration v1 → v2 put ${found} at '${path}': persist() could not write this state (envelopes hold plain JSON)`,
      },
    ]);
  });

  it('checks the state value too', () => {
    const r = migrate(link(anything, ({ context }) => ({ value: new Date(0), context })), state({}), { from: 1, to: 2 });
    expect(kinds(r)).toContain('unpersistable-value value');
  });

  it('refuses exactly what createEnvelope refuses (one definition of plain data)', () => {
    const key = fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'xstate$$type');
    const value = fc.anything({ key, maxDepth: 3, withMap: true, withSet: true, withDate: true, withBigInt: true, withBoxedValues: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: false });
    fc.assert(
      fc.property(value, (v) => {
        const l = link(anything, ({ value: sv }) => ({ value: sv, context: { v } }));
        const r = migrate(l, state({}), { from: 1, to: 2 });
        let written: boolean;
        try {
          createEnvelope({ component: 'm', version: 2, snapshot: state({ v }) });
          written = true;
        } catch (error) {
          if (!isHotswapError(error, 'ENVELOPE_INVALID')) throw error;
          written = false;
        }
        expect(r.ok).toBe(written);
        if (!r.ok) expect(r.blockers.map((b) => b.kind)).toEqual(['unpersistable-value']);
      }),
      fcParams(300),
    );
  });

  it('refuses exactly what createEnvelope refuses in data passed through from the input (found plain as it is frozen)', () => {
    // `migrate`'s freeze records what it finds plain, and verify then steps over it: the padding makes
    // every subtree around `v` big enough to be recorded, so a miss there would let `v` through
    const key = fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'xstate$$type');
    const value = fc.anything({ key, maxDepth: 3, withMap: true, withSet: true, withDate: true, withBigInt: true, withBoxedValues: true, withSparseArray: true, withNullPrototype: true, withObjectString: false });
    const padded = (v: unknown) => ({ wrap: { v, pad: Array.from({ length: 40 }, (_, i) => ({ i })) } });
    const through = link(anything, ({ value: sv, context }) => ({ value: sv, context: { ...context } }));
    fc.assert(
      fc.property(value, (v) => {
        const r = migrate(through, state(padded(v)), { from: 1, to: 2 });
        let written: boolean;
        try {
          createEnvelope({ component: 'm', version: 2, snapshot: state(padded(v)) });
          written = true;
        } catch (error) {
          if (!isHotswapError(error, 'ENVELOPE_INVALID')) throw error;
          written = false;
        }
        expect(r.ok).toBe(written);
        if (!r.ok) expect(r.blockers.map((b) => b.kind)).toEqual(['unpersistable-value']);
      }),
      fcParams(300),
    );
  });

  it('holds the envelope’s depth limit: the context sits two levels down in an envelope', () => {
    /** `objects` nested objects, the context included: `{ v: { v: … 1 } }` */
    const nest = (objects: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < objects; i++) v = { v };
      return v;
    };
    const most = MAX_ENVELOPE_DEPTH - 1; // the deepest at envelope depth 2 + (most - 1) = the limit
    const at = (objects: number) => migrate(link(anything, ({ value }) => ({ value, context: nest(objects) })), state({}), { from: 1, to: 2 });
    const written = (objects: number) => createEnvelope({ component: 'm', version: 2, snapshot: state(nest(objects)) });
    expect(at(most).ok).toBe(true);
    expect(() => written(most)).not.toThrow();
    expect(blockersOf(at(most + 1))).toEqual([
      expect.objectContaining({ kind: 'unpersistable-value', path: `context${'.v'.repeat(most)}`, found: `nesting deeper than ${MAX_ENVELOPE_DEPTH} levels (counted from the envelope)` }),
    ]);
    expect(() => written(most + 1)).toThrow(/nest at most/);
  });

  it('steps over a frozen subtree found plain before, unless a migration moves it past the depth limit', () => {
    const deep = (levels: number): unknown => {
      let v: unknown = Object.freeze({ end: true });
      for (let i = 0; i < levels; i++) v = Object.freeze({ v, pad: Object.freeze(Array.from({ length: 40 }, (_, j) => j)) });
      return v;
    };
    const tree = deep(400);
    const through = link(anything, ({ value }) => ({ value, context: { tree } }));
    expect(migrate(through, state({}), { from: 1, to: 2 }).ok).toBe(true); // checked whole, now cached
    // the same frozen tree, 200 levels further down: past the limit, found by walking it again
    let wrapped: unknown = { tree };
    for (let i = 0; i < 200; i++) wrapped = { w: wrapped };
    const deeper = link(anything, ({ value }) => ({ value, context: wrapped }));
    expect(blockersOf(migrate(deeper, state({}), { from: 1, to: 2 })).map((b) => b.kind)).toEqual(['unpersistable-value']);
  });

  it('allows what XState writes as data: actor-ref markers in a persisted context', () => {
    const v = defineVersion({ version: 2, machine: machineWith({}) });
    const r = migrate(link(v, ({ value, context }) => ({ value, context })), { ...state({ child: { xstate$$type: 1, id: 'c' } }), children: {} }, { from: 1, to: 2 });
    // refused for another reason (no such child), not as unpersistable data
    expect(blockersOf(r).map((b) => b.kind)).toEqual(['unrestorable-ref']);
  });
});
