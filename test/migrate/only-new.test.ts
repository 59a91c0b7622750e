import { describe, expect, it } from 'vitest';
import { produce } from 'immer';
import { setup } from 'xstate';
import { defineVersion, lineage, migrate } from '../../src/index.ts';

const machine = setup({ types: { context: {} as { big: { note?: string | undefined }; added?: { x: unknown } } } }).createMachine({
  id: 'm',
  initial: 'a',
  context: { big: {} },
  states: { a: {} },
});
const v1 = defineVersion({ version: 1, machine });
const v2 = defineVersion({ version: 2, machine });

describe('totality walks what the migration built', () => {
  const persisted = { status: 'active', value: 'a', context: { big: { note: undefined } }, children: {}, historyValue: {} };

  it('does not re-walk a subtree passed through from the (frozen) input', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value, context }) => ({ value, context: { ...context, added: { x: 1 } } }) });
    const r = migrate(l, structuredClone(persisted), { from: 1, to: 2 });
    expect(r.ok).toBe(true);
  });

  it('flags an undefined field in an object the migration created', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value, context }) => ({ value, context: { ...context, added: { x: undefined } } }) });
    const r = migrate(l, structuredClone(persisted), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => b.message)).toEqual(["migration v1 → v2 left field 'context.added.x' undefined"]);
  });

  it('flags an undefined field in frozen objects a migration returns (immer produce), found by review', () => {
    const l = lineage('m', v1).next(v2, {
      up: (s) => produce(s, (d) => {
        (d.context as { added?: { x: unknown } }).added = { x: undefined };
      }),
    });
    const r = migrate(l, structuredClone(persisted), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => b.message)).toEqual(["migration v1 → v2 left field 'context.added.x' undefined"]);
  });

  it('freezes the value and context of the result deeply, so the next swap freezes only what changes', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value, context }) => ({ value, context: { ...context, added: { x: 2 } } }) });
    const r = migrate(l, structuredClone(persisted), { from: 1, to: 2 });
    if (!r.ok) throw new Error('refused');
    expect(Object.isFrozen(r.snapshot.context)).toBe(true);
    expect(Object.isFrozen((r.snapshot.context as { added: object }).added)).toBe(true);
  });

  it('hands each link a frozen input: writing to it, wrapper included, names the link', () => {
    const l = lineage('m', v1).next(v2, {
      up: (s) => {
        (s as { value: unknown }).value = 'elsewhere';
        return s;
      },
    });
    const r = migrate(l, structuredClone(persisted), { from: 1, to: 2 });
    expect(r.ok ? [] : r.blockers.map((b) => b.kind)).toEqual(['migration-mutated-input']);
  });
});
