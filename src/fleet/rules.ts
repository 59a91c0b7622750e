/**
 * The rollout's rules, in one place and free of I/O: how a plan becomes wave sizes, which move is legal
 * from which status and where it leads, and how a gate turns evidence into a verdict. Both stores apply
 * {@link transition} inside their compare-and-set transaction, so the in-memory store and PostgreSQL
 * cannot disagree on the state machine. Tests: test/fleet/rules.test.ts.
 */
import { HotswapError, shown } from '../errors.ts';
import type { Evidence, GateSpec, GateVerdict, InstanceRow, Move, Rollout, RolloutStatus, WaveSpec } from './types.ts';

/** Argo Rollouts' classic canary: one instance, then 10 %, then everything. */
export const DEFAULT_WAVES: readonly WaveSpec[] = [{ count: 1 }, { share: 0.1 }, { share: 1 }];

/** The gate's defaults. */
export const DEFAULT_GATE: Required<GateSpec> = { soakMs: 0, maxFailureRate: 0, onUnknown: 'pause' };

/** Checks a plan, throwing `INVALID_ARGUMENT` for a malformed one. */
export function checkWaves(waves: unknown): readonly WaveSpec[] {
  if (!Array.isArray(waves) || waves.length === 0) throw new HotswapError('INVALID_ARGUMENT', `Expected \`waves\` to be a non-empty array, got ${shown(waves)}`);
  waves.forEach((w: unknown, i) => {
    const o = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
    const keys = Object.keys(o);
    const ok =
      keys.length === 1 &&
      ((keys[0] === 'count' && Number.isInteger(o['count']) && (o['count'] as number) >= 0) ||
        (keys[0] === 'processes' && Number.isInteger(o['processes']) && (o['processes'] as number) >= 0) ||
        (keys[0] === 'share' && typeof o['share'] === 'number' && (o['share'] as number) > 0 && (o['share'] as number) <= 1));
    if (!ok) throw new HotswapError('INVALID_ARGUMENT', `Expected \`waves[${i}]\` to be { count: n } or { processes: n } (n ≥ 0) or { share: s } (0 < s ≤ 1), got ${shown(JSON.stringify(w))}`);
  });
  return waves as readonly WaveSpec[];
}

/** Checks a gate spec and fills in its defaults. */
export function checkGate(gate: GateSpec | undefined): Required<GateSpec> {
  const g = { ...DEFAULT_GATE, ...(gate ?? {}) };
  if (!Number.isInteger(g.soakMs) || g.soakMs < 0 || g.soakMs > 2 ** 31 - 1) throw new HotswapError('INVALID_ARGUMENT', `Expected \`gate.soakMs\` to be a number of ms from 0 to 2147483647, got ${shown(g.soakMs)}`);
  if (typeof g.maxFailureRate !== 'number' || !(g.maxFailureRate >= 0 && g.maxFailureRate <= 1)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`gate.maxFailureRate\` to be from 0 to 1, got ${shown(g.maxFailureRate)}`);
  if (!['pause', 'fail', 'ignore'].includes(g.onUnknown)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`gate.onUnknown\` to be 'pause', 'fail' or 'ignore', got ${shown(g.onUnknown)}`);
  return g;
}

/**
 * Assigns instances to waves: sorted by agent then instance (so `processes` waves take whole agents),
 * each wave up to its cumulative target, the last wave everything left. Returns the wave of each
 * instance (same order as the sorted list) and the sizes.
 */
export function assignWaves(instances: readonly InstanceRow[], waves: readonly WaveSpec[]): { readonly order: readonly InstanceRow[]; readonly waveOf: readonly number[]; readonly sizes: readonly number[] } {
  const order = [...instances].sort((a, b) => cmp(a.agentId, b.agentId) || cmp(a.instance, b.instance));
  const total = order.length;
  const agentEnds: number[] = [];
  order.forEach((r, i) => {
    if (order[i + 1]?.agentId !== r.agentId) agentEnds.push(i + 1);
  });
  let done = 0;
  const sizes = waves.map((w, i) => {
    const target =
      i === waves.length - 1 ? total
      : 'count' in w ? w.count
      : 'share' in w ? Math.ceil(w.share * total)
      : (agentEnds[Math.min(w.processes, agentEnds.length) - 1] ?? 0);
    const size = Math.max(0, Math.min(total, target) - done);
    done += size;
    return size;
  });
  const waveOf: number[] = [];
  sizes.forEach((size, wave) => {
    for (let k = 0; k < size; k++) waveOf.push(wave);
  });
  return { order, waveOf, sizes };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a move does beyond changing the rollout row. */
export type Effect = 'open-next-wave' | 'start-revert' | 'start-gate' | 'none';

/** Where a legal move leads. */
export interface Transition {
  readonly status: RolloutStatus;
  readonly wave: number;
  readonly effect: Effect;
  readonly reason: string | null;
  /** The audit entry the move writes. */
  readonly audit: 'wave-settled' | 'gate-decision' | 'resumed' | 'abort-requested' | 'aborted';
}

/** The state machine: where `move` takes `rollout`, or why it cannot be made from here. */
export function transition(rollout: Rollout, move: Move): Transition | { readonly refused: string } {
  const { status, wave } = rollout;
  const last = wave >= rollout.sizes.length - 1;
  const forward = (audit: Transition['audit'], reason: string): Transition =>
    last ? { status: 'completed', wave, effect: 'none', reason, audit } : { status: 'waving', wave: wave + 1, effect: 'open-next-wave', reason: null, audit };
  switch (move.kind) {
    case 'settle-wave':
      return status === 'waving' ? { status: 'gating', wave, effect: 'start-gate', reason: null, audit: 'wave-settled' } : refused(move, status);
    case 'decide':
      if (status !== 'gating') return refused(move, status);
      if (move.verdict === 'pass') return forward('gate-decision', `gate ${wave + 1} passed: ${move.reason}`);
      if (move.verdict === 'fail') return { status: 'reverting', wave, effect: 'start-revert', reason: `gate ${wave + 1} failed: ${move.reason}`, audit: 'gate-decision' };
      return { status: 'paused', wave, effect: 'none', reason: `gate ${wave + 1} inconclusive: ${move.reason}`, audit: 'gate-decision' };
    case 'resume':
      return status === 'paused' ? forward('resumed', `resumed by ${move.by}`) : refused(move, status);
    case 'abort':
      return status === 'waving' || status === 'gating' || status === 'paused'
        ? { status: 'reverting', wave, effect: 'start-revert', reason: `aborted by ${move.by}: ${move.reason}`, audit: 'abort-requested' }
        : refused(move, status);
    case 'finish-revert':
      return status === 'reverting' ? { status: 'aborted', wave, effect: 'none', reason: rollout.reason, audit: 'aborted' } : refused(move, status);
  }
}

function refused(move: Move, status: RolloutStatus): { refused: string } {
  return { refused: `cannot ${move.kind} a rollout that is ${status}` };
}

/** A caller's check, run at gate time as a live query (never a cached value). */
export type GateCheck = (context: { readonly rollout: Rollout; readonly evidence: Evidence }) => GateVerdict | { readonly verdict: GateVerdict; readonly detail?: unknown } | Promise<GateVerdict | { readonly verdict: GateVerdict; readonly detail?: unknown }>;

/** Turns evidence (with the check's verdict folded in) into the gate's verdict and a one-line reason. */
export function judge(gate: Required<GateSpec>, e: Evidence): { readonly verdict: GateVerdict; readonly reason: string } {
  const counts = `${e.done} done, ${e.failed} failed, ${e.unknown} unknown`;
  if (e.failed > 0 && e.failureRate > gate.maxFailureRate) return { verdict: 'fail', reason: `failure rate ${pct(e.failureRate)} > ${pct(gate.maxFailureRate)} (${counts})` };
  if (e.check?.verdict === 'fail') return { verdict: 'fail', reason: `the check failed (${counts})` };
  if (e.unknown > 0 && gate.onUnknown === 'fail') return { verdict: 'fail', reason: `${e.unknown} instance(s) unknown: agent lost (${counts})` };
  if (e.unknown > 0 && gate.onUnknown === 'pause') return { verdict: 'inconclusive', reason: `${e.unknown} instance(s) unknown: agent lost (${counts})` };
  if (e.check?.verdict === 'inconclusive') return { verdict: 'inconclusive', reason: `the check was inconclusive (${counts})` };
  return { verdict: 'pass', reason: counts };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

/** The part of a move worth keeping in the audit log. */
export function moveData(move: Move): Record<string, unknown> {
  switch (move.kind) {
    case 'decide':
      return { verdict: move.verdict, evidence: move.evidence, gateReason: move.reason };
    case 'resume':
      return { by: move.by };
    case 'abort':
      return { by: move.by, abortReason: move.reason };
    default:
      return {};
  }
}
