import { describe, expect, it } from 'vitest';
import { checkLineages } from '../../src/check/check.ts';
import { formatReport } from '../../src/check/format.ts';
import { gateFailures, reasonScores } from '../../src/check/scores.ts';
import type { LinkReport } from '../../src/check/types.ts';
import { isHotswapError } from '../../src/errors.ts';
import * as brokenMachine from '../fixtures/check/broken-machine.ts';
import * as roundTrip from '../fixtures/check/broken-round-trip.ts';
import * as driver from '../fixtures/check/driver.ts';
import * as dropped from '../fixtures/check/dropped-field.ts';
import * as lostDelay from '../fixtures/check/lost-delay.ts';
import * as removed from '../fixtures/check/removed-state.ts';
import * as misnamed from '../fixtures/check/misnamed-events.ts';
import * as safe from '../fixtures/check/safe.ts';
import * as singleBroken from '../fixtures/check/single-broken.ts';
import { setup } from 'xstate';
import { defineVersion, lineage } from '../../src/index.ts';

const opts = { runs: 100, seed: 7 };
const link = (links: readonly LinkReport[], component: string, from: number, to: number): LinkReport =>
  links.find((l) => l.component === component && l.from === from && l.to === to)!;

describe('checkLineages on fixture lineages', () => {
  it('finds every link of the safe lineage SAFE, both ways', () => {
    const r = checkLineages([safe.counter], { ...opts, config: safe.hotswapCheck });
    expect(r.links.map((l) => [l.from, l.to, l.direction, l.verdict])).toEqual([
      [1, 2, 'up', 'SAFE'],
      [2, 1, 'down', 'SAFE'],
    ]);
    expect(r.summary).toEqual({ links: 2, safe: 2, warning: 0, unsafe: 0, maxRisk: 0 });
  });

  it('finds the driver SAFE except the irreversible v3 → v2 (WARNING, risk 30), and sees its rename', () => {
    const r = checkLineages([driver.driver], { ...opts, config: driver.hotswapCheck });
    expect(r.links.map((l) => l.verdict)).toEqual(['SAFE', 'SAFE', 'SAFE', 'WARNING']);
    expect(link(r.links, 'driver', 3, 2).reasons).toEqual([expect.objectContaining({ kind: 'irreversible', score: 30 })]);
    expect(link(r.links, 'driver', 2, 3).reasons.map((x) => x.message)).toContain(
      "field 'completed' is renamed to 'stats.completed' (equal values in " + link(r.links, 'driver', 2, 3).samples.migrated + ' states)',
    );
    // The events reach `busy`, so the rename busy → working is verified, not guessed.
    expect(link(r.links, 'driver', 1, 2).reasons.find((x) => x.kind === 'state-mapped')?.message).toMatch(/maps it to 'working'/);
  });

  it('reports partial data loss, declared drops and type changes', () => {
    const r = checkLineages([dropped.profile, dropped.declared, dropped.retyped], { ...opts, config: dropped.hotswapCheck });
    expect(link(r.links, 'profile', 1, 2).verdict).toBe('UNSAFE');
    const loss = link(r.links, 'profile', 1, 2).reasons[0]!;
    expect(loss.kind).toBe('data-loss');
    expect(loss.count).toBeGreaterThan(0);
    expect(loss.count).toBeLessThan(loss.total!);
    expect(link(r.links, 'declared', 1, 2).verdict).toBe('SAFE');
    expect(link(r.links, 'retyped', 1, 2).reasons.map((x) => x.kind)).toEqual(['type-change', 'field-dropped']);
  });

  it('reports an unmapped removed state and a lost delay', () => {
    const r = checkLineages([removed.player, lostDelay.job], { ...opts, config: { events: { ...removed.hotswapCheck.events, ...lostDelay.hotswapCheck.events } } });
    expect(link(r.links, 'player', 1, 2).reasons[0]).toMatchObject({ kind: 'unmapped-state', example: ['PLAY', 'PAUSE'] });
    expect(link(r.links, 'job', 1, 2)).toMatchObject({ verdict: 'WARNING', risk: 20 });
  });

  it('reports a broken round trip on the down link, graded as a lossy rollback: WARNING, never above a missing down', () => {
    const r = checkLineages([roundTrip.meter], { ...opts, config: roundTrip.hotswapCheck });
    const down = link(r.links, 'meter', 2, 1);
    expect(down.verdict).toBe('WARNING');
    expect(down.risk).toBeLessThanOrEqual(30);
    expect(down.reasons[0]).toMatchObject({ kind: 'round-trip', severity: 'warning', subject: 'count', example: ['TICK'] });
    expect(down.reasons[0]!.message).toContain("field 'count' does not come back equal");
  });

  it('gives the same report for the same seed', () => {
    const a = checkLineages([driver.driver], { ...opts, config: driver.hotswapCheck });
    const b = checkLineages([driver.driver], { ...opts, config: driver.hotswapCheck });
    expect(formatReport(b)).toBe(formatReport(a));
  });

  it('refuses a version whose machine cannot start, with CHECK_SAMPLING_FAILED', () => {
    let error: unknown;
    try {
      checkLineages([brokenMachine.broken], opts);
    } catch (e) {
      error = e;
    }
    expect(isHotswapError(error, 'CHECK_SAMPLING_FAILED')).toBe(true);
    expect((error as Error).message).toBe("Could not start broken@1's machine: Error: cannot build the initial context");
  });

  it('refuses a single-version lineage whose machine cannot start, though it has no link to check', () => {
    expect(() => checkLineages([singleBroken.lonely], opts)).toThrow(
      expect.objectContaining({ code: 'CHECK_SAMPLING_FAILED', message: "Could not start lonely@1's machine: Error: cannot build the initial context" }),
    );
    // a single version that starts is fine: no links, nothing to fail
    expect(checkLineages([lineage('solo', safe.counter.versions[0]!)], opts).summary.links).toBe(0);
  });

  it('refuses seeds fast-check cannot tell apart (outside the 32-bit integer range)', () => {
    for (const seed of [2 ** 32 + 1, 2 ** 31, -(2 ** 31) - 1, 1.5]) {
      expect(() => checkLineages([safe.counter], { ...opts, seed }), String(seed)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('from -2147483648 to 2147483647') }),
      );
    }
    expect(checkLineages([safe.counter], { runs: 5, seed: -(2 ** 31) }).settings.seed).toBe(-(2 ** 31));
  });

  it('warns about hotswapCheck.events keys naming no exported component or no version of it', () => {
    const r = checkLineages([misnamed.counter], { ...opts, config: misnamed.hotswapCheck });
    expect(r.warnings).toEqual([
      'hotswapCheck.events.countr names no exported component (exported: counter); its events are unused',
      'hotswapCheck.events.counter.7 names no version of counter (versions: 1, 2); its events are unused',
    ]);
    expect(formatReport(r)).toContain('\nwarning: hotswapCheck.events.countr names no exported component');
    expect(checkLineages([safe.counter], { ...opts, config: safe.hotswapCheck }).warnings).toBeUndefined();
  });
});

describe('gate', () => {
  const r = (verdict: LinkReport['verdict'], risk: number): LinkReport => ({
    component: 'c',
    from: 1,
    to: 2,
    direction: 'up',
    verdict,
    risk,
    samples: { total: 1, migrated: 1 },
    reasons: [],
  });

  it('fails on UNSAFE always, on WARNING only with strict, and over a budget', () => {
    expect(gateFailures([r('SAFE', 0), r('WARNING', 30)])).toEqual([]);
    expect(gateFailures([r('UNSAFE', 60)])).toEqual(['c v1 → v2 is UNSAFE']);
    expect(gateFailures([r('WARNING', 30)], { strict: true })).toEqual(['c v1 → v2 is WARNING (--strict)']);
    expect(gateFailures([r('WARNING', 30)], { budget: 30 })).toEqual([]);
    expect(gateFailures([r('WARNING', 30)], { budget: 29 })).toEqual(['c v1 → v2 risk 30 exceeds the budget of 29']);
  });

  it('scores unsafe reasons at 50 or more, warnings 10–30 and info at most 5', () => {
    for (const { severity, score } of Object.values(reasonScores)) {
      if (severity === 'unsafe') expect(score).toBeGreaterThanOrEqual(50);
      else if (severity === 'warning') expect(score >= 10 && score <= 30).toBe(true);
      else expect(score).toBeLessThanOrEqual(5);
    }
  });
});

describe('versions without a reference shape', () => {
  const machine = (context: unknown) =>
    setup({ types: { context: {} as { n: number } } }).createMachine({ id: 'm', initial: 's', context: context as never, states: { s: {} } });
  const fromInput = (extra: object = {}) => defineVersion({ version: 2, machine: machine(() => ({ n: 0 })), ...extra });
  const check = (v2: ReturnType<typeof fromInput>) =>
    checkLineages([lineage('m', defineVersion({ version: 1, machine: machine({ n: 0 }) })).next(v2, { up: (s) => s, down: (s) => s })], opts);

  it('warns on the links into a version whose context is a factory and that declares no shape or schema', () => {
    const r = check(fromInput());
    expect(r.links.map((l) => [l.from, l.to, l.verdict, l.reasons.map((x) => x.kind)])).toEqual([
      [1, 2, 'WARNING', ['unknown-shape']],
      [2, 1, 'SAFE', []],
    ]);
    expect(r.links[0]!.reasons[0]!.message).toBe(
      'v2 has no reference shape: its initial context is a function (of input), which hotswap does not call, and it declares neither `shape` nor `schema`; a key a migration leaves out would not be refused (declare `shape`)',
    );
  });

  it('does not warn once the version declares its shape', () => {
    expect(check(fromInput({ shape: { n: true } })).links.map((l) => l.verdict)).toEqual(['SAFE', 'SAFE']);
  });
});
