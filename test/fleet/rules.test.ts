/**
 * The rollout's rules without I/O: how a plan becomes waves, the state machine's legal moves, and how a
 * gate turns evidence into a verdict.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE, judge, transition, type Evidence, type Rollout } from '../../src/fleet/index.ts';
import { assignWaves, checkGate, checkWaves } from '../../src/fleet/rules.ts';

const rows = (agents: number, per: number) =>
  Array.from({ length: agents * per }, (_, k) => ({ component: 'c', instance: `i${k % per}`, version: 1, agentId: `a${Math.floor(k / per)}`, alive: true }));

describe('planning waves', () => {
  it('reads waves as cumulative targets: a canary of one, then 10 %, then the rest', () => {
    expect(assignWaves(rows(4, 25), [{ count: 1 }, { share: 0.1 }, { share: 1 }]).sizes).toEqual([1, 9, 90]);
  });

  it('gives the last wave everything left, even when the plan stops short of 100 %', () => {
    expect(assignWaves(rows(1, 10), [{ count: 2 }, { share: 0.5 }]).sizes).toEqual([2, 8]);
  });

  it('takes whole processes for `processes` waves, in agent order', () => {
    const plan = assignWaves(rows(3, 4), [{ processes: 1 }, { processes: 2 }, { share: 1 }]);
    expect(plan.sizes).toEqual([4, 4, 4]);
    expect(plan.order.filter((_, i) => plan.waveOf[i] === 0).map((r) => r.agentId)).toEqual(['a0', 'a0', 'a0', 'a0']);
  });

  it('makes an empty wave of a target already reached', () => {
    expect(assignWaves(rows(1, 10), [{ count: 5 }, { count: 3 }, { share: 1 }]).sizes).toEqual([5, 0, 5]);
  });

  it('refuses malformed plans and gates with INVALID_ARGUMENT naming the field', () => {
    expect(() => checkWaves([])).toThrow(/Expected `waves` to be a non-empty array/);
    expect(() => checkWaves([{ share: 1.5 }])).toThrow(/`waves\[0\]`/);
    expect(() => checkWaves([{ count: 1, share: 0.5 }])).toThrow(/`waves\[0\]`/);
    expect(() => checkGate({ soakMs: -1 })).toThrow(/`gate.soakMs`/);
    expect(() => checkGate({ maxFailureRate: 2 })).toThrow(/`gate.maxFailureRate`/);
    expect(() => checkGate({ onUnknown: 'shrug' as 'pause' })).toThrow(/`gate.onUnknown`/);
    expect(checkGate(undefined)).toEqual(DEFAULT_GATE);
  });
});

const rollout = (status: Rollout['status'], wave = 0, waves = 3): Rollout => ({
  id: 'r', component: 'c', from: 1, to: 2, waves: [], sizes: Array(waves).fill(1), gate: DEFAULT_GATE, status, wave, version: 1, gateStartedAt: null, createdAt: 0, updatedAt: 0, reason: null,
});
const evidence = (e: Partial<Evidence> = {}): Evidence => ({ wave: 0, attempted: 1, done: 1, failed: 0, unknown: 0, failureRate: 0, blockers: {}, ...e });

describe('the rollout state machine', () => {
  it('settles a wave into its gate, and a passed gate opens the next wave or completes the last', () => {
    expect(transition(rollout('waving'), { kind: 'settle-wave' })).toMatchObject({ status: 'gating', effect: 'start-gate' });
    expect(transition(rollout('gating'), { kind: 'decide', verdict: 'pass', evidence: evidence(), reason: '' })).toMatchObject({ status: 'waving', wave: 1, effect: 'open-next-wave' });
    expect(transition(rollout('gating', 2), { kind: 'decide', verdict: 'pass', evidence: evidence(), reason: '' })).toMatchObject({ status: 'completed', effect: 'none' });
  });

  it('reverts on a failed gate or an abort, pauses on an inconclusive one, and resumes a pause forward', () => {
    expect(transition(rollout('gating'), { kind: 'decide', verdict: 'fail', evidence: evidence(), reason: 'x' })).toMatchObject({ status: 'reverting', effect: 'start-revert' });
    expect(transition(rollout('gating'), { kind: 'decide', verdict: 'inconclusive', evidence: evidence(), reason: 'x' })).toMatchObject({ status: 'paused' });
    expect(transition(rollout('paused'), { kind: 'resume', by: 'p' })).toMatchObject({ status: 'waving', wave: 1 });
    for (const s of ['waving', 'gating', 'paused'] as const) expect(transition(rollout(s), { kind: 'abort', by: 'p', reason: 'r' })).toMatchObject({ status: 'reverting' });
    expect(transition(rollout('reverting'), { kind: 'finish-revert' })).toMatchObject({ status: 'aborted' });
  });

  it('refuses moves that make no sense from where the rollout is', () => {
    expect(transition(rollout('completed'), { kind: 'abort', by: 'p', reason: 'r' })).toEqual({ refused: 'cannot abort a rollout that is completed' });
    expect(transition(rollout('waving'), { kind: 'resume', by: 'p' })).toHaveProperty('refused');
    expect(transition(rollout('gating'), { kind: 'settle-wave' })).toHaveProperty('refused');
    expect(transition(rollout('aborted'), { kind: 'finish-revert' })).toHaveProperty('refused');
  });
});

describe('judging a gate', () => {
  it('fails above the allowed failure rate, and on a failing check', () => {
    expect(judge(DEFAULT_GATE, evidence({ done: 3, failed: 1, failureRate: 0.25 })).verdict).toBe('fail');
    expect(judge({ ...DEFAULT_GATE, maxFailureRate: 0.3 }, evidence({ done: 3, failed: 1, failureRate: 0.25 })).verdict).toBe('pass');
    expect(judge(DEFAULT_GATE, evidence({ check: { verdict: 'fail' } })).verdict).toBe('fail');
  });

  it('treats unknown instances as the gate says: pause, fail or ignore', () => {
    const e = evidence({ unknown: 2 });
    expect(judge(DEFAULT_GATE, e)).toMatchObject({ verdict: 'inconclusive', reason: expect.stringMatching(/2 instance\(s\) unknown/) });
    expect(judge({ ...DEFAULT_GATE, onUnknown: 'fail' }, e).verdict).toBe('fail');
    expect(judge({ ...DEFAULT_GATE, onUnknown: 'ignore' }, e).verdict).toBe('pass');
  });

  it('pauses on an inconclusive check', () => {
    expect(judge(DEFAULT_GATE, evidence({ check: { verdict: 'inconclusive' } })).verdict).toBe('inconclusive');
  });
});
