/**
 * What a swap-safety run actually tested: a property that passes because every swap was refused at
 * plan proves little. `SwapCoverage` sums the attempts of every scenario a property ran (commits,
 * refusals by phase and blocker, effects carried, adopted, aborted…, the policies that met an effect),
 * so a CI run can print it and assert it is not vacuous (test/swap/swap-safety.property.test.ts does).
 */
import type { BlockerKind } from '../blockers/blocker.ts';
import type { PromisePolicy, SwapPolicies } from '../swap/options.ts';
import type { EffectOutcomes, SwapPhase, SwapReport } from '../swap/report.ts';

/** The effect kinds a swap has a policy for, as {@link SwapPolicies} names them. */
export type PolicyKind = 'callbacks' | 'delays' | 'timers' | 'promises' | 'leases';

/** One swap attempt of a scenario, with what it met. */
export interface SwapAttempt {
  readonly report: SwapReport;
  /** The policy asked for, per kind (`'function'` for a per-promise function; defaults filled in). */
  readonly policies: Readonly<Record<PolicyKind, string>>;
  /** The kinds of effect pending when the swap was asked for. */
  readonly pending: readonly PolicyKind[];
  /** What a per-promise policy function returned, once per call. */
  readonly decisions: readonly PromisePolicy[];
  /** Asked for from inside the component (an observer, while XState processed an event). */
  readonly inside: boolean;
}

/** Plain-data totals of {@link SwapCoverage}. */
export interface SwapCoverageSummary {
  /** Scenarios recorded (fast-check runs, shrinking included). */
  readonly scenarios: number;
  readonly attempts: number;
  readonly committed: number;
  /** Refused attempts by the phase that refused them. */
  readonly refusedByPhase: Readonly<Partial<Record<SwapPhase, number>>>;
  /** Refused attempts by blocker kind (an attempt with blockers of two kinds counts for both). */
  readonly refusedByBlocker: Readonly<Partial<Record<BlockerKind, number>>>;
  /** Effects of committed swaps, by outcome (ledger ids counted). */
  readonly effects: Readonly<Record<keyof EffectOutcomes, number>>;
  /** Events held during a pause and delivered afterwards, over all attempts. */
  readonly held: number;
  /**
   * Per kind and policy: attempts that got past plan with an effect of that kind pending, i.e. where the
   * policy had something to act on. `promises.function` counts per-promise functions.
   */
  readonly policies: Readonly<Record<PolicyKind, Readonly<Record<string, number>>>>;
  /** What per-promise policy functions returned, over all their calls. */
  readonly decisions: Readonly<Partial<Record<PromisePolicy, number>>>;
  /** Attempts asked for from inside the component. */
  readonly inside: number;
  readonly sends: { readonly accepted: number; readonly refused: number };
}

/** The policies that apply when a swap names none, as `SwapPolicies` documents them. */
const DEFAULTS: Readonly<Record<PolicyKind, string>> = { callbacks: 'restart', delays: 'carry', timers: 'carry', promises: 'wait', leases: 'wait' };
const KINDS = Object.keys(DEFAULTS) as PolicyKind[];
const OUTCOMES = ['carried', 'restarted', 'cancelled', 'adopted', 'aborted', 'transferred', 'revoked'] as const;

/** The policy names of `policies`, defaults filled in. */
export function policyNames(policies: SwapPolicies): Record<PolicyKind, string> {
  const names = { ...DEFAULTS };
  for (const kind of KINDS) {
    const p = policies[kind];
    if (p !== undefined) names[kind] = typeof p === 'function' ? 'function' : p;
  }
  return names;
}

/**
 * Sums what swap-safety scenarios tested. Pass one as `coverage` to `swapSafetyProperty` (every run
 * is recorded, shrinking included), or `record()` results of `runSwapScenario` yourself.
 *
 * @example
 * const coverage = new SwapCoverage();
 * await fc.assert(swapSafetyProperty(scenario, { events, coverage }), { seed, numRuns: 300 });
 * console.log(coverage.format());
 * expect(coverage.summary().committed / coverage.summary().attempts).toBeGreaterThan(0.3);
 */
export class SwapCoverage {
  #scenarios = 0;
  #attempts: SwapAttempt[] = [];
  #accepted = 0;
  #refusedSends = 0;

  /** Adds one scenario's attempts and sends. */
  record(result: { readonly attempts: readonly SwapAttempt[]; readonly accepted: number; readonly refusedSends: number }): void {
    this.#scenarios++;
    this.#attempts.push(...result.attempts);
    this.#accepted += result.accepted;
    this.#refusedSends += result.refusedSends;
  }

  /** The totals so far. */
  summary(): SwapCoverageSummary {
    const refusedByPhase: Partial<Record<SwapPhase, number>> = {};
    const refusedByBlocker: Partial<Record<BlockerKind, number>> = {};
    const effects = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<keyof EffectOutcomes, number>;
    const policies = Object.fromEntries(KINDS.map((k) => [k, {}])) as Record<PolicyKind, Record<string, number>>;
    const decisions: Partial<Record<PromisePolicy, number>> = {};
    let committed = 0;
    let held = 0;
    let inside = 0;
    const bump = <K extends string>(into: Partial<Record<K, number>>, key: K): void => {
      into[key] = (into[key] ?? 0) + 1;
    };
    for (const a of this.#attempts) {
      const r = a.report;
      held += r.held;
      if (a.inside) inside++;
      for (const d of a.decisions) bump(decisions, d);
      if (r.outcome === 'committed') {
        committed++;
        for (const o of OUTCOMES) effects[o] += r.effects[o].length;
      } else {
        if (r.phase !== undefined) bump(refusedByPhase, r.phase);
        for (const kind of new Set(r.blockers.map((b) => b.kind))) bump(refusedByBlocker, kind);
      }
      if (r.outcome === 'committed' || r.phase !== 'plan') for (const kind of a.pending) bump(policies[kind], a.policies[kind]);
    }
    return {
      scenarios: this.#scenarios,
      attempts: this.#attempts.length,
      committed,
      refusedByPhase,
      refusedByBlocker,
      effects,
      held,
      policies,
      decisions,
      inside,
      sends: { accepted: this.#accepted, refused: this.#refusedSends },
    };
  }

  /** The totals as a few lines of text, for a test's output. */
  format(): string {
    const s = this.summary();
    const pct = (n: number): string => (s.attempts === 0 ? '–' : `${((100 * n) / s.attempts).toFixed(1)} %`);
    const list = (counts: Readonly<Record<string, number | undefined>>): string =>
      Object.entries(counts)
        .filter((e): e is [string, number] => e[1] !== undefined)
        .sort((x, y) => y[1] - x[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(' · ') || 'none';
    const refused = s.attempts - s.committed;
    return [
      `swap safety: ${s.scenarios} scenarios, ${s.attempts} swap attempts (${s.inside} from inside)`,
      `  committed ${s.committed} (${pct(s.committed)}), refused ${refused} (${pct(refused)})`,
      `  refused by phase: ${list(s.refusedByPhase)}`,
      `  refused by blocker: ${list(s.refusedByBlocker)}`,
      `  effects: ${OUTCOMES.map((o) => `${o} ${s.effects[o]}`).join(' · ')}; events held and delivered ${s.held}`,
      ...KINDS.map((k) => `  ${k} policies that met one: ${list(s.policies[k])}`),
      `  per-promise functions chose: ${list(s.decisions)}`,
      `  sends: ${s.sends.accepted} accepted, ${s.sends.refused} refused`,
    ].join('\n');
  }
}
