/**
 * The risk model: a fixed severity and score per reason kind, added up per link (in the spirit of
 * zanith's per-step risk score and budget). Kept simple on purpose, so a budget is easy to reason about.
 */
import type { CheckSummary, LinkReport, Reason, ReasonKind, Severity, Verdict } from './types.ts';

/** Severity and score of every reason kind. A link's risk is the sum over its reasons. */
export const reasonScores: { readonly [K in ReasonKind]: { readonly severity: Severity; readonly score: number } } = {
  // A reachable state the migration cannot carry: the swap would be refused (or worse, not be).
  'migration-failed': { severity: 'unsafe', score: 60 },
  'incomplete-state': { severity: 'unsafe', score: 60 },
  'invariant-violation': { severity: 'unsafe', score: 60 },
  'unmapped-state': { severity: 'unsafe', score: 60 },
  // The swap goes through, but data is gone.
  'data-loss': { severity: 'unsafe', score: 50 },
  // Review before shipping.
  irreversible: { severity: 'warning', score: 30 },
  // A rollback that loses data is still a rollback: graded below having none (`irreversible`), so the
  // report never rewards deleting a `down`.
  'lossy-down': { severity: 'warning', score: 25 },
  'round-trip': { severity: 'warning', score: 25 },
  'round-trip-state': { severity: 'warning', score: 20 },
  'type-change': { severity: 'warning', score: 20 },
  'timer-dropped': { severity: 'warning', score: 20 },
  'unverified-state': { severity: 'warning', score: 20 },
  // Nothing would catch a key a migration into this version leaves out (no shape, no schema).
  'unknown-shape': { severity: 'warning', score: 20 },
  // Too few of the source's states were reached for the evidence to mean much (events that do not
  // match the machine, a typo): the verdict would rest on almost nothing.
  'low-coverage': { severity: 'warning', score: 20 },
  // Declared on purpose: not a failure, but data does go away, so it counts towards a budget.
  'field-dropped': { severity: 'info', score: 5 },
  'field-discarded': { severity: 'info', score: 0 },
  'field-renamed': { severity: 'info', score: 0 },
  'field-added': { severity: 'info', score: 0 },
  'state-mapped': { severity: 'info', score: 0 },
  // Allowed, but a migration that meant another child than the initial one resets it: worth a look.
  'state-shorthand': { severity: 'info', score: 0 },
  coverage: { severity: 'info', score: 0 },
};

/** Evidence about how many sampled states showed a reason, and one that did. */
export interface ReasonEvidence {
  readonly subject?: string;
  readonly count?: number;
  readonly total?: number;
  readonly example?: readonly string[];
}

/** Builds a reason of the given kind with its severity and score from {@link reasonScores}. */
export function reason(kind: ReasonKind, message: string, evidence: ReasonEvidence = {}): Reason {
  const { severity, score } = reasonScores[kind];
  return {
    kind,
    severity,
    score,
    message,
    ...(evidence.subject === undefined ? {} : { subject: evidence.subject }),
    ...(evidence.count === undefined ? {} : { count: evidence.count }),
    ...(evidence.total === undefined ? {} : { total: evidence.total }),
    ...(evidence.example === undefined ? {} : { example: evidence.example }),
  };
}

const rank: Readonly<Record<Severity, number>> = { unsafe: 0, warning: 1, info: 2 };

/** Orders reasons unsafe → warning → info, keeping the given order within a severity. */
export function sortReasons(reasons: readonly Reason[]): Reason[] {
  return reasons
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => rank[a.severity] - rank[b.severity] || i - j)
    .map(([r]) => r);
}

/**
 * UNSAFE when any reason is unsafe, WARNING when any is a warning, SAFE otherwise. Reasons a baseline
 * accepted do not count.
 */
export function verdictOf(reasons: readonly Reason[]): Verdict {
  const open = reasons.filter((r) => r.accepted === undefined);
  if (open.some((r) => r.severity === 'unsafe')) return 'UNSAFE';
  if (open.some((r) => r.severity === 'warning')) return 'WARNING';
  return 'SAFE';
}

/**
 * The risk score: the sum of the scores of the reasons a baseline did not accept. For a down link with
 * no unsafe reason it is capped at the score of a missing `down`, so that a lossy rollback never scores
 * worse than none (one loss shows up both as `lossy-down` and in the round trip).
 */
export function riskOf(reasons: readonly Reason[], direction: 'up' | 'down' = 'up'): number {
  const open = reasons.filter((r) => r.accepted === undefined);
  const sum = open.reduce((total, r) => total + r.score, 0);
  if (direction === 'down' && !open.some((r) => r.severity === 'unsafe')) return Math.min(sum, reasonScores.irreversible.score);
  return sum;
}

/** Counts verdicts over link reports. */
export function summarize(links: readonly LinkReport[]): CheckSummary {
  return {
    links: links.length,
    safe: links.filter((l) => l.verdict === 'SAFE').length,
    warning: links.filter((l) => l.verdict === 'WARNING').length,
    unsafe: links.filter((l) => l.verdict === 'UNSAFE').length,
    maxRisk: links.reduce((max, l) => Math.max(max, l.risk), 0),
  };
}

/** What makes `hotswap check` fail. */
export interface GateOptions {
  /** Also fail on WARNING. @defaultValue false */
  readonly strict?: boolean;
  /** Fail when a link's risk score exceeds this. @defaultValue no budget */
  readonly budget?: number;
}

/** Why a report fails its gate, one line per failing link; empty when it passes. */
export function gateFailures(links: readonly LinkReport[], options: GateOptions = {}): string[] {
  const failures: string[] = [];
  for (const l of links) {
    const name = `${l.component} v${l.from} → v${l.to}`;
    if (l.verdict === 'UNSAFE') failures.push(`${name} is UNSAFE`);
    else if (options.strict === true && l.verdict === 'WARNING') failures.push(`${name} is WARNING (--strict)`);
    if (options.budget !== undefined && l.risk > options.budget) {
      failures.push(`${name} risk ${l.risk} exceeds the budget of ${options.budget}`);
    }
  }
  return failures;
}
