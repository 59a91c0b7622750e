/**
 * The journal's state hash (src/_internal/state-digest.ts): defined by the data alone, sha256 of
 * canonical JSON for small states, big subtrees by their own digest; frozen subtrees remembered.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/_internal/canonical.ts';
import { DIGEST_MIN_BYTES, isDigestCached, stateDigest } from '../../src/_internal/state-digest.ts';
import { fcParams } from '../_support/fc.ts';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const rows = (n: number, tag = 'x'): { id: number; name: string }[] => Array.from({ length: n }, (_, id) => ({ id, name: `${tag}-${id}` }));
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

/** A copy of `v` with the same members (functions and undefined kept), no object of it frozen. */
function unfrozen(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(unfrozen);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = unfrozen((v as Record<string, unknown>)[k]);
  return out;
}

describe('stateDigest', () => {
  it('is sha256 of canonical JSON for a state up to the digest size, whatever the key order', () => {
    const a = { b: [1, 'two', null, { z: true, a: undefined }], a: 1 };
    expect(canonicalJson(a).length).toBeLessThan(DIGEST_MIN_BYTES);
    expect(stateDigest(a)).toBe(sha256Hex(a));
    expect(stateDigest({ a: 1, b: [1, 'two', null, { a: undefined, z: true }] })).toBe(stateDigest(a));
  });

  it('writes frozen leaves (tuples, records) at once, to the same text as the long way, whatever they hold', () => {
    // JSON-ish values, now and then with a member JSON writes its own way (undefined, NaN, ±Infinity, a
    // function), frozen throughout (leaves take the short way) against an unfrozen copy (the long way)
    const plain = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null), fc.constant(-0));
    const odd = fc.oneof(fc.constant(undefined), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY), fc.constant(() => 1));
    const member = fc.oneof({ weight: 30, arbitrary: plain }, { weight: 1, arbitrary: odd });
    const leaf = fc.oneof(fc.array(member, { maxLength: 40 }), fc.dictionary(fc.string({ maxLength: 6 }), member, { maxKeys: 40 }), fc.array(fc.string({ minLength: 200, maxLength: 300 }), { maxLength: 20 }));
    const state = fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(leaf, fc.array(leaf, { maxLength: 12 }), member), { maxKeys: 8 });
    const isPlain = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    let short = 0;
    let long = 0;
    const count = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      const members = Object.values(v);
      if (members.length <= 32 && members.every(isPlain)) short++;
      else if (members.every((m) => m === null || typeof m !== 'object')) long++;
      members.forEach(count);
    };
    fc.assert(
      fc.property(state, (s) => {
        const copy = unfrozen(s);
        count(s);
        expect(stateDigest(deepFreeze(s))).toBe(stateDigest(copy));
      }),
      fcParams(300),
    );
    // what the property covered: leaves the short way can take, and leaves it must leave to the long way
    expect(short).toBeGreaterThan(500);
    expect(long).toBeGreaterThan(100);
  });

  it('writes a subtree past the digest size as # and its own digest, inside its parent', () => {
    const items = rows(400);
    expect(canonicalJson(items).length).toBeGreaterThan(DIGEST_MIN_BYTES);
    const state = { count: 1, items };
    expect(stateDigest(state)).toBe(sha(`{"count":1,"items":#${sha(canonicalJson(items))}}`));
    expect(stateDigest(items)).toBe(sha(canonicalJson(items)));
  });

  it('hashes the same data the same, frozen or not, and a changed leaf deep inside differently', () => {
    const plain = { level: { items: rows(500), more: { items: rows(300, 'y') } } };
    const frozen = deepFreeze(structuredClone(plain));
    expect(stateDigest(frozen)).toBe(stateDigest(plain));
    expect(stateDigest(frozen)).toBe(stateDigest(frozen)); // again, from the cache
    plain.level.more.items[299]!.name = 'changed';
    expect(stateDigest(plain)).not.toBe(stateDigest(frozen));
  });

  it('remembers the digest of a subtree frozen throughout, and not of one with a mutable part', () => {
    const frozenItems = deepFreeze(rows(400));
    const shallow = Object.freeze({ inner: rows(400) }); // frozen, but its contents are not
    stateDigest({ frozenItems, shallow });
    expect(isDigestCached(frozenItems)).toBe(true);
    expect(isDigestCached(shallow)).toBe(false);
    const before = stateDigest(shallow);
    shallow.inner[0]!.name = 'moved';
    expect(stateDigest(shallow)).not.toBe(before);
  });

  it('does not remember a frozen value that writes itself with toJSON', () => {
    let n = 0;
    const odd = Object.freeze({ toJSON: () => rows(400, String(n++)) });
    const first = stateDigest({ odd });
    expect(stateDigest({ odd })).not.toBe(first);
    expect(isDigestCached(odd)).toBe(false);
  });

  it('refuses what JSON refuses (a cycle, a BigInt) and hashes any depth', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => stateDigest(cycle)).toThrow(TypeError);
    expect(() => stateDigest({ n: 1n })).toThrow(TypeError);
    let deep: unknown = rows(300);
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(stateDigest(deep)).toMatch(/^[0-9a-f]{64}$/);
  });

  // the cycle check's set is shared by every digest (src/_internal/state-digest.ts: ACTIVE)
  it('hashes a value met again after a walk that threw as if it were new: the cycle check starts empty', () => {
    const shared = { n: 1 };
    const cycle: Record<string, unknown> = { shared };
    cycle.self = cycle;
    expect(() => stateDigest(cycle)).toThrow(TypeError);
    expect(() => stateDigest({ shared, n: 2n })).toThrow(TypeError);
    expect(stateDigest({ a: shared, b: shared, c: cycle.shared })).toBe(sha256Hex({ a: { n: 1 }, b: { n: 1 }, c: { n: 1 } }));
  });

  it('gives a digest asked for inside another its own cycle check (a toJSON hashing a value the outer walk is inside)', () => {
    let calls = 0;
    const probe = { toJSON: (): string => (calls++ === 0 ? stateDigest(inner) : 'again') };
    const inner = { x: [1, 2], probe };
    const nested = sha256Hex({ x: [1, 2], probe: 'again' });
    expect(stateDigest({ inner })).toBe(sha256Hex({ inner: { x: [1, 2], probe: nested } }));
  });
});
