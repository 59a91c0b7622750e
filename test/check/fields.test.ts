import { describe, expect, it } from 'vitest';
import { type EventObject, assign, setup } from 'xstate';
import { checkLink } from '../../src/check/link.ts';
import { defineVersion, lineage } from '../../src/index.ts';
import { sampleOf } from './_support.ts';

type Ev = { type: 'SET'; note: string } | { type: 'ADD' };
const v1Machine = setup({ types: { context: {} as { n: number; zero: number; note?: string }, events: {} as Ev } }).createMachine({
  id: 'm',
  initial: 'on',
  context: { n: 1, zero: 0 },
  states: {
    on: {
      on: {
        SET: { actions: assign({ note: ({ event }) => event.note }) },
        ADD: { actions: assign({ n: ({ context }) => context.n + 1 }) },
      },
    },
  },
});
const v2Machine = setup({ types: { context: {} as Record<string, unknown>, events: {} as Ev } }).createMachine({
  id: 'm',
  initial: 'on',
  context: {},
  states: { on: {} },
});
const v1 = defineVersion({ version: 1, machine: v1Machine });
const v2 = defineVersion({ version: 2, machine: v2Machine });
const samples = [sampleOf(v1Machine), sampleOf(v1Machine, [{ type: 'SET', note: 'x' } as EventObject]), sampleOf(v1Machine, [{ type: 'ADD' }, { type: 'ADD' }])];
const newer = [sampleOf(v2Machine)];

const up = (link: Parameters<ReturnType<typeof lineage<'m', typeof v1>>['next']>[1]) =>
  checkLink(lineage('m', v1).next(v2, link), 1, { older: samples, newer })[0];

describe('field analysis', () => {
  it('reports a field dropped in only some reachable states as UNSAFE data loss, with the count and an example', () => {
    const r = up({ up: ({ value, context: { note: _, ...context } }) => ({ value, context }) });
    expect(r.verdict).toBe('UNSAFE');
    const loss = r.reasons.find((x) => x.kind === 'data-loss');
    expect(loss).toMatchObject({ severity: 'unsafe', score: 50, count: 1, total: 3, example: ['SET{"note":"x"}'] });
    expect(loss?.message).toContain("field 'note' is dropped");
  });

  it('reports a drop declared in `drops` as info, not a failure, and still scores it', () => {
    const r = up({ up: ({ value, context: { note: _, ...context } }) => ({ value, context }), drops: ['note'] });
    expect(r.verdict).toBe('SAFE');
    expect(r.reasons.find((x) => x.kind === 'field-dropped')).toMatchObject({ severity: 'info', score: 5 });
    expect(r.risk).toBe(5);
  });

  it('recognises a rename when the dropped value reappears under a new path in every sample', () => {
    const r = up({ up: ({ value, context: { n, ...context } }) => ({ value, context: { ...context, count: n } }) });
    expect(r.reasons.map((x) => x.kind)).toEqual(['field-renamed']);
    expect(r.reasons[0]!.message).toBe("field 'n' is renamed to 'count' (equal values in 3 states)");
    expect(r.verdict).toBe('SAFE');
  });

  it('does not call a constant field a rename of an unrelated field with the same constant', () => {
    // `zero` is 0 in every sample; `other` is 0 too, but nothing says it is `zero` under a new name.
    const r = up({ up: ({ value, context: { zero: _, ...context } }) => ({ value, context: { ...context, other: 0 } }) });
    expect(r.reasons.map((x) => x.kind).sort()).toEqual(['data-loss', 'field-added']);
  });

  it('follows a rename into a nested object and reports the rest of the object as added', () => {
    const r = up({ up: ({ value, context: { n, ...context } }) => ({ value, context: { ...context, stats: { n, failed: 0 } } }) });
    expect(r.reasons.map((x) => x.message)).toEqual(["field 'n' is renamed to 'stats.n' (equal values in 3 states)", "field 'stats.failed' is added"]);
  });

  it('reports a type change as a WARNING', () => {
    const r = up({ up: ({ value, context }) => ({ value, context: { ...context, n: String(context.n) } }) });
    expect(r.verdict).toBe('WARNING');
    expect(r.reasons).toEqual([expect.objectContaining({ kind: 'type-change', score: 20, count: 3, total: 3, example: [] })]);
    expect(r.reasons[0]!.message).toContain("field 'n' changes type number → string");
  });
});
