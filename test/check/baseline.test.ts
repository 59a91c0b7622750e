/**
 * Baselines (src/check/baseline.ts): a reviewed allow-list of findings. Accepted findings are shown but
 * fail nothing; a new finding still fails; stale entries are reported; a bad file is a typed refusal.
 * End to end through the command line: test/cli/baseline.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { applyBaseline, baselineOf, checkLineages, formatBaseline, gateFailures, parseBaseline } from '../../src/check/index.ts';
import { isHotswapError } from '../../src/index.ts';
import * as dropped from '../fixtures/check/dropped-field.ts';

const report = checkLineages([dropped.profile, dropped.declared], { runs: 60, seed: 7, config: dropped.hotswapCheck });
const refusal = (text: string): string => {
  try {
    parseBaseline(text, 'base.json');
  } catch (error) {
    expect(isHotswapError(error, 'CHECK_BASELINE_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('baselines', () => {
  it('accepts a reviewed finding: the link no longer fails, and the reason is kept with its note', () => {
    expect(gateFailures(report.links)).toEqual(['profile v1 → v2 is UNSAFE']);
    const baseline = parseBaseline(
      formatBaseline([{ component: 'profile', from: 1, to: 2, kind: 'data-loss', subject: 'note', note: 'notes moved to the notes service' }]),
      'base.json',
    );
    const { report: applied, accepted, stale } = applyBaseline(report, baseline);
    expect(accepted).toBe(1);
    expect(stale).toEqual([]);
    const up = applied.links.find((l) => l.component === 'profile' && l.from === 1)!;
    expect(up).toMatchObject({ verdict: 'SAFE', risk: 0 });
    expect(up.reasons[0]).toMatchObject({ kind: 'data-loss', accepted: 'notes moved to the notes service' });
    expect(gateFailures(applied.links)).toEqual([]);
    expect(applied.summary.unsafe).toBe(0);
  });

  it('still fails on a finding the baseline does not list (another field, another link), and reports stale entries', () => {
    const baseline = parseBaseline(
      formatBaseline([
        { component: 'profile', from: 1, to: 2, kind: 'data-loss', subject: 'email', note: 'emails are gone' },
        { component: 'declared', from: 1, to: 2, kind: 'data-loss', subject: 'note', note: 'was lost once' },
      ]),
      'base.json',
    );
    const { report: applied, accepted, stale } = applyBaseline(report, baseline);
    expect(accepted).toBe(0);
    expect(gateFailures(applied.links)).toEqual(['profile v1 → v2 is UNSAFE']);
    expect(stale.map((e) => e.subject)).toEqual(['email', 'note']);
  });

  it('lists every finding that can fail a gate, keeps the notes of entries that still match, and sorts them', () => {
    const previous = parseBaseline(
      formatBaseline([{ component: 'profile', from: 1, to: 2, kind: 'data-loss', subject: 'note', note: 'reviewed in #412' }]),
      'base.json',
    );
    const entries = baselineOf(report, { previous, note: 'new' });
    expect(entries).toEqual([
      { component: 'declared', from: 1, to: 2, kind: 'field-dropped', subject: 'note', note: 'new' },
      { component: 'declared', from: 2, to: 1, kind: 'irreversible', note: 'new' },
      { component: 'profile', from: 1, to: 2, kind: 'data-loss', subject: 'note', note: 'reviewed in #412' },
      { component: 'profile', from: 2, to: 1, kind: 'irreversible', note: 'new' },
    ]);
    const all = applyBaseline(report, parseBaseline(formatBaseline(entries), 'base.json')).report;
    expect(gateFailures(all.links, { strict: true, budget: 0 })).toEqual([]);
  });

  it('refuses a file that is not a baseline, naming the file and what is wrong', () => {
    expect(refusal('{')).toMatch(/^Baseline `base.json` is not JSON: /);
    expect(refusal('{"accepted": []}')).toBe('Baseline `base.json` is not a hotswap baseline: expected an object with `"hotswapBaseline": 1`');
    expect(refusal('{"hotswapBaseline": 1}')).toBe('Baseline `base.json` has no `accepted` list');
    expect(refusal('{"hotswapBaseline": 1, "accepted": [{"component": "p", "from": 1, "to": 2, "kind": "data-lost", "note": "x"}]}')).toMatch(
      /^Baseline `base.json` entry 1: expected `kind` to be a reason kind \(migration-failed, .*\), got `data-lost`$/,
    );
    expect(refusal('{"hotswapBaseline": 1, "accepted": [{"component": "p", "from": "1", "to": 2, "kind": "data-loss", "note": "x"}]}')).toBe(
      'Baseline `base.json` entry 1: expected `from` to be a version number, got `"1"`',
    );
  });

  it('refuses an entry without a note (a finding nobody said why it is fine), unless rewriting the file', () => {
    const text = formatBaseline([{ component: 'profile', from: 1, to: 2, kind: 'data-loss', subject: 'note', note: ' ' }]);
    expect(refusal(text)).toBe("Baseline `base.json` entry 1 (profile v1 → v2 data-loss 'note') has no note: say why this finding is accepted");
    expect(parseBaseline(text, 'base.json', { requireNotes: false }).accepted).toHaveLength(1);
  });
});
