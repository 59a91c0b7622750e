import { describe, expect, it } from 'vitest';
import { findProblems } from '../../src/migrate/_internal/walk.ts';

const undefinedFields = { undefinedFields: true, unsafeKeys: false } as const;

describe('findProblems', () => {
  it('names undefined fields at any depth with their paths', () => {
    const found = findProblems({ a: 1, b: undefined, c: { d: [1, { e: undefined }] } }, 'context', undefinedFields);
    expect(found.map((f) => f.path).sort()).toEqual(['context.b', 'context.c.d.1.e']);
  });

  it('terminates on cycles, back to the root included, and reports each place once', () => {
    const root: Record<string, unknown> = { x: undefined };
    const child: Record<string, unknown> = { root, y: undefined };
    root.child = child;
    child.self = child;
    const found = findProblems(root, 'context', undefinedFields);
    expect(found.map((f) => f.path).sort()).toEqual(['context.child.y', 'context.x']);
  });

  it('does not enter objects in `skip`', () => {
    const old = { stale: undefined };
    expect(findProblems({ old, fresh: { gone: undefined } }, 'context', { ...undefinedFields, skip: new WeakSet([old]) }).map((f) => f.path)).toEqual([
      'context.fresh.gone',
    ]);
  });

  it('finds unsafe keys when asked', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"polluted":true}}}') as unknown;
    expect(findProblems(parsed, '', { undefinedFields: false, unsafeKeys: true })).toEqual([{ path: 'a.__proto__', key: '__proto__', reason: 'unsafe-key' }]);
  });
});
