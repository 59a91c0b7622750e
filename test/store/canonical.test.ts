/** The canonical JSON every envelope and state hash is computed over. */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonIterative, isQuotedCached, LEAF_MAX, leafText, sha256Hex } from '../../src/_internal/canonical.ts';
import { fcParams } from '../_support/fc.ts';

/** The definition hashes were first written with: JSON.stringify with a key-sorting replacer. */
function reference(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      Object.defineProperty(sorted, key, { value: (v as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
    }
    return sorted;
  });
}

const nested = (depth: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('canonicalJson', () => {
  const anything = fc.anything({
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withTypedArray: true,
    withObjectString: true,
    withUnicodeString: true,
  });
  fcTest.prop([anything], fcParams<[unknown]>(500))(
    'writes exactly what the key-sorting JSON.stringify wrote, so existing hashes do not change',
    (value) => {
      let expected: string | undefined;
      try {
        expected = reference(value);
      } catch {
        return; // JSON.stringify cannot write it either
      }
      if (expected === undefined) return;
      expect(canonicalJson(value)).toBe(expected);
    },
  );

  fcTest.prop([anything], fcParams<[unknown]>(300))('the recursive writer and the iterative one agree, throws included', (value) => {
    const outcome = (f: (v: unknown) => string): string => {
      try {
        return `ok:${f(value)}`;
      } catch (error) {
        return `threw:${(error as Error).message}`;
      }
    };
    expect(outcome(canonicalJson)).toBe(outcome(canonicalJsonIterative));
  });

  it('hands values deeper than the recursion limit to the iterative writer, with the same text', () => {
    for (const depth of [398, 399, 400, 401, 402, 5_000]) {
      const v = { deep: nested(depth), k: [1, { z: 1, a: 2 }] };
      expect(canonicalJson(v)).toBe(canonicalJsonIterative(v));
      if (depth < 1_000) expect(canonicalJson(v)).toBe(reference(v));
    }
  });

  it('keeps integer-like keys first, -0 as 0, toJSON results, and undefined/function members out, as before', () => {
    const value = {
      b: [undefined, () => 1, Symbol('s'), -0, NaN, Infinity],
      10: 'ten',
      9: 'nine',
      a: { toJSON: (key: string) => `to:${key}` },
      when: new Date(0),
      gone: undefined,
      __proto__x: 1,
    };
    expect(canonicalJson(value)).toBe(reference(value));
    expect(canonicalJson(value)).toBe(
      '{"9":"nine","10":"ten","__proto__x":1,"a":"to:a","b":[null,null,null,0,null,null],"when":"1970-01-01T00:00:00.000Z"}',
    );
    const proto = JSON.parse('{"z":1,"__proto__":{"x":1}}');
    expect(canonicalJson(proto)).toBe('{"__proto__":{"x":1},"z":1}');
  });

  it('orders integer-like keys exactly as the copy the replacer made listed them', () => {
    const keys = ['0', '10', '9', '01', '-1', '1.5', '4294967294', '4294967295', '4294967296', '1e3', 'a', '', ' 1', '00', '9007199254740993'];
    const value = Object.fromEntries(keys.map((k, i) => [k, i]));
    const reversed = Object.fromEntries([...keys].reverse().map((k, i) => [k, i]));
    expect(canonicalJson(value)).toBe(reference(value));
    expect(canonicalJson(reversed)).toBe(reference(reversed));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.nat().map(String), fc.string(), fc.constantFrom('4294967294', '4294967295', '007')), fc.nat()), (d) => {
        expect(canonicalJson(d)).toBe(reference(d));
      }),
      fcParams(300),
    );
  });

  it('hashes arrays nested 100,000 deep without overflowing the call stack', () => {
    // The replacer version overflowed at about 3,000 levels (a 6 KB envelope).
    expect(() => reference(nested(3_000))).toThrow(RangeError);
    const text = canonicalJson(nested(100_000));
    expect(text.length).toBe(200_001);
    expect(text.startsWith('[[[') && text.endsWith(']]]')).toBe(true);
    expect(sha256Hex(nested(3_000))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws a TypeError on a cycle or a BigInt instead of overflowing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
    const arr: unknown[] = [];
    arr.push({ arr });
    expect(() => canonicalJson(arr)).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    // the same object twice, not in a cycle, is fine
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  // small objects are sorted in place by insertion, larger ones by `sort()`: both must give `sort()`'s order
  fcTest.prop(
    [fc.dictionary(fc.oneof(fc.string({ unit: 'binary' }), fc.nat().map(String), fc.constantFrom('a', 'B', 'é', '𝒳', '10', '9', '-1', '01')), fc.nat(), { maxKeys: 40 })],
    fcParams<[Record<string, number>]>(300),
  )('orders any number of keys as sort() does, on either side of the insertion-sort limit', (value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('writes numbers and booleans as JSON does, from the smallest to non-finite', () => {
    const values = [0, -0, 1, -1.5, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity, true, false, null];
    expect(canonicalJson(values)).toBe(JSON.stringify(values));
  });
});

// Provenance: fourth internal review (actor refs held in context), F5.
describe('the quoted-key cache', () => {
  it('writes states keyed by long strings exactly, and keeps only short keys', () => {
    const long = 'k'.repeat(5_000);
    const value = { [long]: 1, [`${long}"\n`]: 2, short: 3 };
    expect(canonicalJson(value)).toBe(JSON.stringify({ [long]: 1, [`${long}"\n`]: 2, short: 3 }));
    expect(isQuotedCached('short')).toBe(true);
    expect(isQuotedCached(long)).toBe(false);
  });

  it('writes a frozen leaf as canonicalJson does, and counts a table\'s keys before it sorts them', () => {
    const leaf = Object.freeze({ b: 1, a: 'x', 10: true, 2: null, none: undefined });
    expect(leafText(leaf, 4096)).toBe(canonicalJson(leaf));
    expect(leafText(Object.freeze([1, 'two', false, null]), 4096)).toBe('[1,"two",false,null]');
    expect(leafText({ a: 1 }, 4096)).toBeUndefined(); // not frozen: it may change
    expect(leafText(Object.freeze({ a: { b: 1 } }), 4096)).toBeUndefined(); // an object member: no leaf
    expect(leafText(Object.freeze(['x'.repeat(100)]), 50)).toBeUndefined(); // past the length asked for
    // a 13,000-client table is no leaf: refused on its key count, never sorted (that took ~2 ms a swap)
    const table = Object.freeze(Object.fromEntries(Array.from({ length: 13_000 }, (_, i) => [`client-${13_000 - i}`, i])));
    const sort = Array.prototype.sort;
    let sorts = 0;
    Array.prototype.sort = function (this: unknown[], ...args: Parameters<typeof sort>) {
      sorts++;
      return sort.apply(this, args);
    } as typeof sort;
    try {
      expect(leafText(table, 4096)).toBeUndefined();
    } finally {
      Array.prototype.sort = sort;
    }
    expect(sorts).toBe(0);
    expect(Object.keys(table).length).toBeGreaterThan(LEAF_MAX);
  });
});
