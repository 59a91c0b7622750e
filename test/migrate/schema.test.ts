/**
 * A version's Standard Schema: what it validates is what is installed. (Issue 9, item 5: with a zod
 * `.default(7)` on `b` the installed context was `{ a: 1 }`, the schema's output `{ a: 1, b: 7 }`
 * thrown away.) The schema's type is checked against the machine's context in test/types/schema.test-d.ts.
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { z } from 'zod';
import { type PersistedSnapshot, defineVersion, lineage, migrate, verifyState } from '../../src/index.ts';

type Ctx = { a: number; b: number };

const machine = setup({ types: { context: {} as Ctx } }).createMachine({ id: 'm', initial: 's', context: { a: 0, b: 0 }, states: { s: {} } });
/** The same context, made by a factory: no initial context to read a shape from. */
const factoryMachine = setup({ types: { context: {} as Ctx } }).createMachine({ id: 'm', initial: 's', context: () => ({ a: 0, b: 0 }), states: { s: {} } });

const v1 = defineVersion({ version: 1, machine: setup({ types: { context: {} as { a: number } } }).createMachine({ id: 'm', initial: 's', context: { a: 0 }, states: { s: {} } }) });
const state = (context: unknown): PersistedSnapshot => ({ status: 'active', value: 's', context, children: {}, historyValue: {} });

describe('the schema’s output is installed', () => {
  const withDefault = defineVersion({ version: 2, machine, schema: z.object({ a: z.number(), b: z.number().default(7) }) });

  it('fills in a zod `.default`: the migrated context is `{ a: 1, b: 7 }`, frozen', () => {
    const l = lineage('m', v1).next(withDefault, { up: ({ value, context }) => ({ value, context: context as never }) });
    const r = migrate(l, state({ a: 1 }), { from: 1, to: 2 });
    if (!r.ok) throw new Error(r.blockers.map((b) => b.message).join('\n'));
    expect(r.snapshot.context).toEqual({ a: 1, b: 7 });
    expect(Object.isFrozen(r.snapshot.context)).toBe(true);
  });

  it('is what the invariant sees, and what the next link receives', () => {
    const seen: unknown[] = [];
    const v2 = defineVersion({ ...withDefault, invariant: ({ context }) => (seen.push(context), true) });
    const v3 = defineVersion({ version: 3, machine, schema: z.object({ a: z.number(), b: z.number() }) });
    const l = lineage('m', v1)
      .next(v2, { up: ({ value, context }) => ({ value, context: context as never }) })
      .next(v3, { up: ({ value, context }) => (seen.push(context), { value, context: { ...context, a: context.b } }) });
    const r = migrate(l, state({ a: 1 }), { from: 1, to: 3 });
    expect(r.ok && r.snapshot.context).toEqual({ a: 7, b: 7 });
    expect(seen).toEqual([{ a: 1, b: 7 }, { a: 1, b: 7 }]);
  });

  it('holds only what the schema keeps: a key it strips is missing when the initial context has it', () => {
    // a schema that knows `a` only (a plugin's, say: no compiler in between), on a machine that reads `b`
    const stripping = defineVersion({ version: 2, machine, schema: z.object({ a: z.number() }) as never });
    const l = lineage('m', v1).next(stripping, { up: ({ value, context }) => ({ value, context: { ...context, b: 2 } }) });
    const r = migrate(l, state({ a: 1 }), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => b.kind === 'missing-field' && b.path)).toEqual(['context.b']);
  });

  it('is checked for plain data like any migrated context', () => {
    const dated = defineVersion({ version: 2, machine: factoryMachine, schema: z.object({ a: z.number(), b: z.number().transform((n) => new Date(n)) }) as never });
    const l = lineage('m', v1).next(dated, { up: ({ value, context }) => ({ value, context: { ...context, b: 0 } }) });
    const r = migrate(l, state({ a: 1 }), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => b.kind === 'unpersistable-value' && [b.path, b.found])).toEqual([['context.b', 'a `Date` (JSON would not keep it)']]);
  });

  it('makes the schema the shape of a version whose context is a factory', () => {
    const v2 = defineVersion({ version: 2, machine: factoryMachine, schema: z.object({ a: z.number(), b: z.number() }) });
    const l = lineage('m', v1).next(v2, { up: ({ value, context }) => ({ value, context: context as never }) });
    const r = migrate(l, state({ a: 1 }), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => `${b.kind} ${'path' in b ? b.path : ''}`)).toEqual(['schema-issue context.b']);
  });

  it('verifyState checks the output, and leaves the snapshot it was given as it was', () => {
    const snapshot = state({ a: 1 });
    expect(verifyState(withDefault, snapshot)).toEqual([]);
    expect(snapshot.context).toEqual({ a: 1 });
  });
});
