import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { checkLink } from '../../src/check/link.ts';
import { defineVersion, lineage } from '../../src/index.ts';
import { deskMachine, deskWith } from '../fixtures/desk.ts';
import { sampleOf } from './_support.ts';

type Ev = { type: 'GO' } | { type: 'HOLD' };
const v1Machine = setup({ types: { events: {} as Ev } }).createMachine({
  id: 'm',
  initial: 'idle',
  states: {
    idle: { on: { GO: 'busy', HOLD: 'held' } },
    busy: { after: { 100: 'idle' } },
    held: {},
  },
});
const v2Machine = setup({ types: { events: {} as Ev } }).createMachine({
  id: 'm',
  initial: 'idle',
  states: { idle: { on: { GO: 'working' } }, working: { after: { 100: 'idle' } }, waiting: { after: { 250: 'idle' } } },
});
const v1 = defineVersion({ version: 1, machine: v1Machine });
const v2 = defineVersion({ version: 2, machine: v2Machine });
const idle = sampleOf(v1Machine);
const busy = sampleOf(v1Machine, [{ type: 'GO' }]);
const held = sampleOf(v1Machine, [{ type: 'HOLD' }]);
const v2Idle = sampleOf(v2Machine);

const rename = (value: string) => (value === 'busy' ? 'working' : value === 'held' ? 'idle' : value) as 'idle' | 'working';

describe('state analysis', () => {
  it('reports a removed state the migration leaves unmapped as UNSAFE, with the event sequence that reaches it', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: value as 'idle', context: {} }), renamedStates: { busy: 'working' } });
    const [up] = checkLink(l, 1, { older: [idle, busy], newer: [v2Idle] });
    expect(up.verdict).toBe('UNSAFE');
    expect(up.reasons[0]).toMatchObject({ kind: 'unmapped-state', score: 60, count: 1, total: 2, example: ['GO'] });
    expect(up.reasons[0]!.message).toBe("state 'busy' does not exist in v2 — 1 of 2 states, e.g. after GO");
  });

  it('says a removed state was never reached (its mapping is unverified) and lists unreached states as coverage', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: rename(value), context: {} }) });
    const [up] = checkLink(l, 1, { older: [idle], newer: [v2Idle] });
    expect(up.reasons.filter((r) => r.kind === 'unverified-state').map((r) => r.message)).toEqual([
      "state 'busy' does not exist in v2 and was never reached in 1 sampled state: its mapping is unverified",
      "state 'held' does not exist in v2 and was never reached in 1 sampled state: its mapping is unverified",
    ]);
    expect(up.verdict).toBe('WARNING');
    // one sampled state of three: the evidence is thin too (low-coverage, +20)
    expect(up.reasons.filter((r) => r.severity === 'warning').map((r) => r.kind)).toEqual(['unverified-state', 'unverified-state', 'low-coverage']);
    expect(up.risk).toBe(60);
  });

  it('reports how a reached removed state is mapped, as info', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: rename(value), context: {} }), renamedStates: { busy: 'working' } });
    const [up] = checkLink(l, 1, { older: [idle, busy, held], newer: [v2Idle] });
    expect(up.reasons.map((r) => r.message)).toEqual([
      "state 'busy' does not exist in v2; the migration maps it to 'working' (1 of 1 states)",
      "state 'held' does not exist in v2; the migration maps it to 'idle' (1 of 1 states)",
    ]);
    expect(up.verdict).toBe('SAFE');
  });

  it('counts states never reached on the down direction too', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: rename(value), context: {} }), down: ({ value }) => ({ value: value === 'working' ? 'busy' : 'idle', context: {} }) });
    const [, down] = checkLink(l, 1, { older: [idle], newer: [v2Idle] });
    expect(down.reasons.find((r) => r.kind === 'coverage')).toBeUndefined();
    expect(down.reasons.map((r) => r.kind)).toEqual(['unverified-state', 'unverified-state', 'low-coverage']);
  });
});

describe('state values', () => {
  // the desk's v1 → v2 link returns whatever value it is given; v1 and v2 are the same machine
  const deskSamples = [sampleOf(deskMachine), sampleOf(deskMachine, [{ type: 'WORK' }, { type: 'WRITE' }]), sampleOf(deskMachine, [{ type: 'PARK' }])];

  it('shows, as info, where a link relies on the shorthand of a compound state for its initial child', () => {
    const [up] = checkLink(deskWith('busy'), 1, { older: deskSamples, newer: [sampleOf(deskMachine)] });
    expect(up.samples).toEqual({ total: 3, migrated: 3 });
    const line = up.reasons.find((r) => r.kind === 'state-shorthand');
    expect(line).toMatchObject({ severity: 'info', score: 0, count: 3, total: 3, example: [] });
    expect(line?.message).toBe(
      "the migration names compound state 'busy' without a child in v2; XState's shorthand enters its initial 'busy.reading' (3 of 3 migrated states, e.g. the initial state)",
    );
    // nothing but info, besides three hand-picked samples being thin evidence
    expect(up.reasons.filter((r) => r.severity !== 'info').map((r) => r.kind)).toEqual(['low-coverage']);
    const [exact] = checkLink(deskWith({ busy: 'writing' }), 1, { older: deskSamples, newer: [sampleOf(deskMachine)] });
    expect(exact.reasons.map((r) => r.kind)).not.toContain('state-shorthand');
  });

  it('reports a link that returns an incomplete or contradictory state value as UNSAFE, naming the path', () => {
    const [up] = checkLink(deskWith({ both: { left: 'b' } }), 1, { older: deskSamples, newer: [sampleOf(deskMachine)] });
    expect(up.verdict).toBe('UNSAFE');
    expect(up.reasons[0]).toMatchObject({ kind: 'unmapped-state', count: 3, total: 3 });
    expect(up.reasons[0]!.message).toMatch(/^state value leaves 'both.right' out in v2: XState would enter 'both.right.x'/);
  });
});

describe('timer analysis', () => {
  it('warns when a pending `after` cannot be carried because the link does not rename its state', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: rename(value), context: {} }) });
    const [up] = checkLink(l, 1, { older: [idle, busy, held], newer: [v2Idle] });
    const timer = up.reasons.find((r) => r.kind === 'timer-dropped');
    expect(timer).toMatchObject({ severity: 'warning', score: 20, count: 1, total: 3, example: ['GO'] });
    expect(timer?.message).toContain("pending 'after 100 ms' of state 'busy' cannot be carried: 'working' declares it, but the link does not rename");
  });

  it('carries a pending `after` to the renamed state that declares the same delay', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: rename(value), context: {} }), renamedStates: { busy: 'working' } });
    const [up] = checkLink(l, 1, { older: [busy], newer: [v2Idle] });
    expect(up.reasons.find((r) => r.kind === 'timer-dropped')).toBeUndefined();
  });

  it('warns when the mapped state declares no such delay', () => {
    const l = lineage('m', v1).next(v2, { up: ({ value }) => ({ value: value === 'busy' ? 'idle' : rename(value), context: {} }) });
    const [up] = checkLink(l, 1, { older: [busy], newer: [v2Idle] });
    expect(up.reasons.find((r) => r.kind === 'timer-dropped')?.message).toContain(
      "state 'busy' is gone in v2 and 'idle' declares no 100 ms delay",
    );
  });
});
