/**
 * The live swap's verify step refuses a state the new version could not run or could not persist,
 * and the old version keeps serving, unchanged (G2, G5). (Issue 9, items 2, 4, 5: a plugin whose
 * migration forgot a field committed and its next event killed the component; a migration returning
 * a `Map` committed and every `persist()` after it failed; a schema's defaults were thrown away.)
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { type AnyLineage, createRuntime, defineVersion, lineage, parseEnvelope } from '../../src/index.ts';

type V1 = { n: number };
type V2 = { n: number; step: number };

const v1Machine = setup({ types: { context: {} as V1, events: {} as { type: 'INC' } } }).createMachine({
  id: 'c',
  initial: 'on',
  context: { n: 0 },
  states: { on: { on: { INC: { actions: assign({ n: ({ context }) => context.n + 1 }) } } } },
});
/** v2 reads `step` on every INC: without it, `n` becomes NaN (or, for a nested read, the actor dies). */
const v2Machine = setup({ types: { context: {} as V2, events: {} as { type: 'INC' } } }).createMachine({
  id: 'c',
  initial: 'on',
  context: { n: 0, step: 1 },
  states: { on: { on: { INC: { actions: assign({ n: ({ context }) => context.n + context.step }) } } } },
});

const base = lineage('c', defineVersion({ version: 1, machine: v1Machine }));

/** A plugin arriving at run time: its link is not checked by a compiler. */
function plugin(up: (s: { value: unknown; context: V1 }) => unknown, schema?: unknown): AnyLineage {
  const version = defineVersion({ version: 2, machine: v2Machine, ...(schema === undefined ? {} : { schema: schema as never }) });
  return base.extend({ from: 1, version, link: { up: up as never } });
}

async function refusedAndStillServing(l: AnyLineage): Promise<readonly { kind: string; path?: string }[]> {
  const c = createRuntime().start(base, { version: 1 });
  c.send({ type: 'INC' });
  const report = await c.swap(2, { lineage: l });
  expect(report.outcome).toBe('refused');
  expect(report.phase).toBe('verify');
  // the old version keeps serving: same version, its state intact, its events processed
  expect(c.version).toBe(1);
  c.send({ type: 'INC' });
  expect(c.getSnapshot().context).toEqual({ n: 2 });
  expect(parseEnvelope(c.persist()).ok).toBe(true);
  return report.blockers as never;
}

describe('the live swap refuses at verify', () => {
  it('a migration that forgot a key the new version’s initial context has (missing-field)', async () => {
    const blockers = await refusedAndStillServing(plugin(({ value, context }) => ({ value, context: { ...context } })));
    expect(blockers).toEqual([expect.objectContaining({ kind: 'missing-field', path: 'context.step', source: 'initial-context' })]);
  });

  it('a migration whose result persist() could not write (unpersistable-value)', async () => {
    const blockers = await refusedAndStillServing(plugin(({ value, context }) => ({ value, context: { ...context, step: 1, seen: new Map() } })));
    expect(blockers).toEqual([expect.objectContaining({ kind: 'unpersistable-value', path: 'context.seen', found: 'a `Map` (JSON would not keep it)' })]);
  });
});

describe('the live swap installs', () => {
  it('the schema’s output: a zod `.default` fills in what the migration left out', async () => {
    const l = plugin(({ value, context }) => ({ value, context }), z.object({ n: z.number(), step: z.number().default(5) }));
    const c = createRuntime().start(base, { version: 1 });
    c.send({ type: 'INC' });
    const report = await c.swap(2, { lineage: l });
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    expect(c.getSnapshot().context).toEqual({ n: 1, step: 5 });
    c.send({ type: 'INC' });
    expect(c.getSnapshot().context).toEqual({ n: 6, step: 5 });
    const saved = parseEnvelope(c.persist());
    expect(saved.ok && saved.envelope.snapshot.context).toEqual({ n: 6, step: 5 });
  });
});
