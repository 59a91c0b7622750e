/**
 * How `hotswap check` grades links a team changes on purpose (src/check/fields.ts, round-trip.ts,
 * link.ts, states.ts, scores.ts): renames into nested paths, lossy rollbacks, shared invariants, and
 * evidence too thin to grade on. Fixture: test/fixtures/check/tunable.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { checkLineages, type LinkReport } from '../../src/check/index.ts';
import { reasonScores } from '../../src/check/scores.ts';
import { defineVersion, lineage } from '../../src/index.ts';
import * as tunable from '../fixtures/check/tunable.ts';

const opts = { runs: 60, seed: 7, config: tunable.hotswapCheck };
const report = (...ls: Parameters<typeof checkLineages>[0]) => checkLineages(ls, opts);
const link = (links: readonly LinkReport[], from: number, to: number): LinkReport => links.find((l) => l.from === from && l.to === to)!;
const kinds = (l: LinkReport) => l.reasons.map((r) => r.kind);

describe('renames into nested paths', () => {
  it('reports a declared move `endpoint` → `endpoints[0]` as a rename, verified in every sample', () => {
    const up = link(report(tunable.endpoint).links, 1, 2);
    expect(up.verdict).toBe('SAFE');
    const renamed = up.reasons.find((r) => r.kind === 'field-renamed')!;
    expect(renamed).toMatchObject({ subject: 'endpoint', total: up.samples.migrated, count: up.samples.migrated });
    expect(renamed.message).toContain("field 'endpoint' is renamed to 'endpoints[0]', as declared in the link's `renames`");
    expect(kinds(up)).not.toContain('data-loss');
  });

  it('reports the same move undeclared as data loss, with the hint to declare it', () => {
    const up = link(report(tunable.endpointUndeclared).links, 1, 2);
    expect(up.verdict).toBe('UNSAFE');
    expect(up.reasons[0]).toMatchObject({ kind: 'data-loss', subject: 'endpoint' });
    expect(up.reasons[0]!.message).toContain('(or `renames` if it moved)');
  });

  it('catches a declared rename the migration does not honour', () => {
    const up = link(report(tunable.endpointWrong).links, 1, 2);
    expect(up.verdict).toBe('UNSAFE');
    expect(up.reasons[0]!.message).toMatch(/^field 'endpoint' does not arrive at 'endpoints\[1\]' as the link's `renames` declares — \d+ of \d+ states/);
  });
});

describe('lossy rollbacks', () => {
  it('grades a lossy `down` at or below a missing `down`: WARNING, risk no higher', () => {
    const lossy = link(report(tunable.notes).links, 2, 1);
    const missing = link(report(tunable.notesOneWay).links, 2, 1);
    expect(missing).toMatchObject({ verdict: 'WARNING', risk: reasonScores.irreversible.score });
    expect(lossy.verdict).toBe('WARNING');
    expect(lossy.risk).toBeGreaterThan(0);
    expect(lossy.risk).toBeLessThanOrEqual(missing.risk);
    expect(lossy.reasons[0]).toMatchObject({ kind: 'round-trip', severity: 'warning', subject: 'notes' });
    expect(lossy.reasons[0]!.message).toContain("if intended, list it in the link's `downDrops`");
  });

  it('treats what a link declares in `downDrops` as intended: SAFE, counted towards a budget', () => {
    const down = link(report(tunable.notesDeclared).links, 2, 1);
    expect(down.verdict).toBe('SAFE');
    expect(down.reasons[0]).toMatchObject({ kind: 'field-dropped', severity: 'info', score: 5, subject: 'notes' });
    expect(down.risk).toBe(5);
  });

  it("reports a field the `down` drops though the older version has it as 'lossy-down', below a missing down", () => {
    type Ev = { type: 'TAG'; tag: string };
    const machine = setup({ types: { context: {} as { tag?: string }, events: {} as Ev } }).createMachine({
      id: 't',
      initial: 'on',
      context: {},
      states: { on: { on: { TAG: { actions: assign({ tag: ({ event }) => event.tag }) } } } },
    });
    const l = lineage('t', defineVersion({ version: 1, machine })).next(defineVersion({ version: 2, machine }), {
      up: (s) => s,
      down: ({ value }) => ({ value, context: {} }),
    });
    const r = checkLineages([l], { runs: 40, seed: 3, config: { events: { t: fc.record({ type: fc.constant('TAG'), tag: fc.constantFrom('a', 'b') }) } } });
    const down = link(r.links, 2, 1);
    expect(down.verdict).toBe('WARNING');
    const lossy = down.reasons.find((r) => r.kind === 'lossy-down')!;
    expect(lossy).toMatchObject({ severity: 'warning', subject: 'tag' });
    expect(lossy.message).toMatch(/^rolling back drops field 'tag' — \d+ of \d+ states/);
    // lost both on the way down and in the round trip: one loss, never scored above a missing down
    expect(kinds(down)).toContain('round-trip');
    expect(down.risk).toBe(reasonScores.irreversible.score);
  });
});

describe('invariants', () => {
  it('does not grade an identity link UNSAFE because the machine can break an invariant both versions share', () => {
    const r = report(tunable.counter);
    expect(r.links.map((l) => l.verdict)).toEqual(['SAFE', 'SAFE']);
    const coverage = r.links[0]!.reasons.find((x) => x.kind === 'coverage')!;
    expect(coverage.message).toMatch(/sampled states of v1 break its own invariant \(v1 invariant violated at 'context.count': must be <= 3, got \d+\), left out/);
  });

  it('still grades UNSAFE a link whose migration breaks the target invariant on a state that satisfied its own', () => {
    const doubled = lineage('doubled', tunable.counter.get(1)!).next(tunable.counter.get(2)!, {
      up: ({ value, context }) => ({ value, context: { count: context.count * 2 } }),
      down: ({ value, context }) => ({ value, context: { count: Math.floor(context.count / 2) } }),
    });
    const r = checkLineages([doubled], { ...opts, config: { events: { doubled: fc.constantFrom({ type: 'INC' }, { type: 'RESET' }) } } });
    const up = link(r.links, 1, 2);
    expect(up.verdict).toBe('UNSAFE');
    expect(up.reasons[0]).toMatchObject({ kind: 'invariant-violation' });
  });
});

describe('coverage', () => {
  type Ev = { type: 'SET'; value: number } | { type: 'CLEAR' };
  const machine = setup({ types: { context: {} as { value: number }, events: {} as Ev } }).createMachine({
    id: 'setting',
    initial: 'empty',
    context: { value: 0 },
    states: {
      empty: { on: { SET: { target: 'set', actions: assign({ value: ({ event }) => event.value }) } } },
      set: { on: { CLEAR: 'empty' } },
    },
  });
  const setting = lineage('setting', defineVersion({ version: 1, machine })).next(defineVersion({ version: 2, machine }), {
    up: (s) => s,
    down: (s) => s,
  });

  it("makes events that change nothing (the typo 'SETT') a low-coverage WARNING and names the unknown type", () => {
    const typo = fc.record({ type: fc.constant('SETT'), value: fc.nat(9) });
    const r = checkLineages([setting], { runs: 40, seed: 5, config: { events: { setting: typo } } });
    for (const l of r.links) {
      expect(l.verdict).toBe('WARNING');
      expect(l.reasons.find((x) => x.kind === 'low-coverage')?.message).toContain('only 1 sampled state: the events never changed the state or context');
    }
    expect(r.warnings).toEqual([
      "hotswapCheck.events.setting produces 'SETT', which no version of setting accepts (CLEAR, SET); such events change nothing",
    ]);
  });

  it('gives no low-coverage warning once the events reach the states', () => {
    const events = fc.oneof(fc.record({ type: fc.constant('SET' as const), value: fc.nat(9) }), fc.constant({ type: 'CLEAR' as const }));
    const r = checkLineages([setting], { runs: 40, seed: 5, config: { events: { setting: events } } });
    expect(r.links.map((l) => l.verdict)).toEqual(['SAFE', 'SAFE']);
    expect(r.warnings).toBeUndefined();
  });
});
