/**
 * Values posted across the worker boundary as changes (src/worker/_internal/delta.ts): what is left
 * out, what is always posted again, what the receiver rebuilds, and a property that the rebuilt value
 * always deep-equals the sender's, whatever mix of immutable updates, changes in place, freezes,
 * new and deleted members the sender makes. Each wire goes through `structuredClone`, as a port does.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bringsUnsafeKey, DeltaDecoder, DeltaEncoder, type Wire } from '../../src/worker/_internal/delta.ts';
import { fcParams, seed, soak } from '../_support/fc.ts';

/** Encodes `value`, sends the wire through structured clone, decodes it; returns both ends. */
function pair(): { send(value: unknown): { wire: Wire; got: unknown } } {
  const enc = new DeltaEncoder();
  const dec = new DeltaDecoder();
  return {
    send(value) {
      const wire = enc.encode(value);
      enc.commit();
      return { wire, got: dec.decode(structuredClone(wire)) };
    },
  };
}

const deepFreeze = <T>(x: T): T => {
  if (x !== null && typeof x === 'object') {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
};

describe('what crosses', () => {
  it('posts the first value whole, then only the members that changed, leaving out a frozen subtree posted before', () => {
    const p = pair();
    const directory = deepFreeze({ a: { plan: 'free' }, b: { plan: 'team' } });
    const v1 = { seq: { processed: 1 }, recent: [[1, 1]], directory };
    // the first from nothing: member by member, the frozen directory marked so the receiver freezes it
    expect(p.send(v1).wire).toEqual({ o: { seq: { o: { processed: { v: 1 } } }, recent: { v: [[1, 1]] }, directory: { v: directory, f: true } } });
    const v2 = { ...v1, seq: { processed: 2 }, recent: [[1, 1], [2, 0]] };
    const { wire, got } = p.send(v2);
    expect(wire).toEqual({ set: { seq: { set: { processed: { v: 2 } } }, recent: { v: [[1, 1], [2, 0]] } } });
    expect(got).toEqual(v2);
    // an unfrozen array may have changed in place: posted again; everything else is left out
    expect(p.send(v2).wire).toEqual({ set: { recent: { v: [[1, 1], [2, 0]] } } });
    const v3 = deepFreeze({ ...v2 });
    p.send(v3);
    expect(p.send(v3).wire).toBeNull();
  });

  it('mirrors an object changed in place: unfrozen objects are compared with their members as posted', () => {
    const p = pair();
    const state = { counts: { a: 1 }, list: [1] };
    p.send(state);
    state.counts.a = 2;
    state.list.push(2);
    const { wire, got } = p.send(state);
    expect(wire).toEqual({ set: { counts: { set: { a: { v: 2 } } }, list: { v: [1, 2] } } });
    expect(got).toEqual({ counts: { a: 2 }, list: [1, 2] });
  });

  it('posts a same object again when it was not frozen when posted, even though it is frozen now', () => {
    const p = pair();
    const inner = { n: 1 };
    p.send({ inner });
    inner.n = 2; // changed after it was posted…
    deepFreeze(inner); // …then frozen: being frozen now proves nothing about the last post
    expect(p.send({ inner }).got).toEqual({ inner: { n: 2 } });
    expect(p.send({ inner }).wire).toBeNull(); // frozen when posted: left out from now on
  });

  it('deletes members, and keeps a member named `__proto__` as data', () => {
    const p = pair();
    p.send({ a: 1, b: { c: 2 } });
    const evil = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const { got } = p.send({ b: evil });
    expect(Object.keys(got as object)).toEqual(['b']);
    expect(Object.hasOwn((got as { b: object }).b, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('what the receiver holds', () => {
  it('rebuilds values that share unchanged parts, frozen where the worker had them frozen and along every change', () => {
    const p = pair();
    const directory = deepFreeze({ a: { plan: 'free' } });
    const first = p.send({ n: 1, directory }).got as { n: number; directory: object };
    const second = p.send({ n: 2, directory }).got as { n: number; directory: object };
    expect(Object.isFrozen(first.directory) && Object.isFrozen(second)).toBe(true);
    expect(p.send({ n: 3, directory, list: [1] }).got).toMatchObject({ list: [1] });
    expect(Object.isFrozen((p.send({ n: 3, directory, list: [2] }).got as { list: number[] }).list)).toBe(false); // not frozen in the worker
    expect(second.directory).toBe(first.directory);
    expect(first.n).toBe(1);
    expect(() => {
      (second as { n: number }).n = 3;
    }).toThrow(TypeError);
  });
});

describe('unsafe keys in what is new', () => {
  it('finds `constructor` or `__proto__` in a whole value, in a new member name, and nowhere in an unchanged value', () => {
    const enc = new DeltaEncoder();
    expect(bringsUnsafeKey(enc.encode({ a: JSON.parse('{"x": {"constructor": 1}}') }))).toBe(true);
    enc.reset();
    enc.encode({ a: 1 });
    enc.commit();
    expect(bringsUnsafeKey(enc.encode({ a: 1, ['constructor']: 2 }))).toBe(true);
    expect(bringsUnsafeKey(enc.encode({ a: 2 }))).toBe(false);
    expect(bringsUnsafeKey(enc.encode({ a: 1 }))).toBe(false);
  });
});

// ── property ────────────────────────────────────────────────────────────────

type Tree = { [k: string]: Tree | number | number[] };
type Op =
  | { readonly kind: 'assign'; readonly path: readonly string[]; readonly value: number }
  | { readonly kind: 'mutate'; readonly path: readonly string[]; readonly value: number }
  | { readonly kind: 'push'; readonly path: readonly string[]; readonly value: number }
  | { readonly kind: 'freeze'; readonly path: readonly string[] }
  | { readonly kind: 'delete'; readonly path: readonly string[] }
  | { readonly kind: 'graft'; readonly path: readonly string[] };

const KEYS = ['a', 'b', 'c', 'd'] as const;
const path = fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 4 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('assign' as const), path, value: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ kind: fc.constant('mutate' as const), path, value: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ kind: fc.constant('push' as const), path, value: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ kind: fc.constant('freeze' as const), path }),
  fc.record({ kind: fc.constant('delete' as const), path }),
  fc.record({ kind: fc.constant('graft' as const), path }),
);

const isTree = (x: unknown): x is Tree => x !== null && typeof x === 'object' && !Array.isArray(x);

/** An immutable update along `path` (copies each object on the way, as `assign` would); frozen ones are copied too. */
function assignAt(t: Tree, p: readonly string[], leaf: (old: Tree[string] | undefined) => Tree[string] | undefined): Tree {
  const [k, ...rest] = p as [string, ...string[]];
  const out: Tree = { ...t };
  const next = rest.length === 0 ? leaf(t[k]) : assignAt(isTree(t[k]) ? t[k] : {}, rest, leaf);
  if (next === undefined) delete out[k];
  else out[k] = next;
  return out;
}

/** The object at `path`, when every step is an unfrozen object (so it can be changed in place). */
function mutableAt(t: Tree, p: readonly string[]): Tree | undefined {
  let node: Tree = t;
  for (const k of p.slice(0, -1)) {
    const n = node[k];
    if (!isTree(n)) return undefined;
    node = n;
  }
  return Object.isFrozen(node) ? undefined : node;
}

/** Every object reachable from `x`. */
function objectsIn(x: unknown, out = new Set<object>()): Set<object> {
  if (x !== null && typeof x === 'object' && !out.has(x)) {
    out.add(x);
    for (const v of Object.values(x)) objectsIn(v, out);
  }
  return out;
}

const covered = new Map<string, number>();
afterAll(() => {
  console.log(`delta round trip, seed ${seed}${soak ? ' (soak)' : ''}: ${[...covered].map(([k, n]) => `${k} ${n}`).join(', ')}`);
});

describe('property', () => {
  it('rebuilds a value deep-equal to the sender’s after every step, whatever the sender does to it, sharing only frozen parts', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const p = pair();
        let state: Tree = { a: { b: 1 }, b: [1, 2] };
        const shared: Tree = deepFreeze({ c: { d: 4 }, a: 1 });
        let previous = p.send(state).got;
        expect(previous).toEqual(state);
        for (const o of ops) {
          const last = o.path[o.path.length - 1]!;
          let done = true;
          if (o.kind === 'assign') state = assignAt(state, o.path, () => o.value);
          else if (o.kind === 'delete') state = assignAt(state, o.path, () => undefined);
          else if (o.kind === 'graft') state = assignAt(state, o.path, () => shared);
          else if (o.kind === 'freeze') {
            const parent = mutableAt(state, o.path) ?? state;
            deepFreeze(parent[last]);
          } else {
            const parent = mutableAt(state, o.path);
            const here = parent?.[last];
            if (parent === undefined) done = false;
            else if (o.kind === 'mutate') parent[last] = o.value;
            else if (Array.isArray(here) && !Object.isFrozen(here)) here.push(o.value);
            else done = false;
          }
          covered.set(o.kind, (covered.get(o.kind) ?? 0) + (done ? 1 : 0));
          const { wire, got } = p.send(state);
          covered.set('changes posted', (covered.get('changes posted') ?? 0) + (wire !== null && !('set' in wire && Object.keys(wire.set).length === 0) ? 1 : 0));
          expect(got).toEqual(state);
          // what the new value shares with the last one is frozen: holding an old value, nobody can change a new one
          const before = objectsIn(previous);
          for (const x of objectsIn(got)) if (before.has(x)) expect(Object.isFrozen(x)).toBe(true);
          previous = got;
        }
      }),
      fcParams(300),
    );
  });
});
