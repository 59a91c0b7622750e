/**
 * The data `hotswap check` produces: one report per link direction, with its verdict, reasons and
 * risk score. Plain data with stable keys: `--json` prints it as is.
 */

/** A link's classification, as in umbral's `checkmigrations`. */
export const Verdicts = ['SAFE', 'WARNING', 'UNSAFE'] as const;
/** One of {@link Verdicts}. */
export type Verdict = (typeof Verdicts)[number];

/** How much a reason matters: `unsafe` makes the link UNSAFE, `warning` WARNING, `info` neither. */
export const Severities = ['info', 'warning', 'unsafe'] as const;
/** One of {@link Severities}. */
export type Severity = (typeof Severities)[number];

/** Every kind of reason `hotswap check` reports. Severity and score per kind: see `scores.ts`. */
export const ReasonKinds = [
  // unsafe
  'migration-failed',
  'incomplete-state',
  'invariant-violation',
  'unmapped-state',
  'data-loss',
  // warning
  'irreversible',
  'lossy-down',
  'round-trip',
  'round-trip-state',
  'type-change',
  'timer-dropped',
  'unverified-state',
  'unknown-shape',
  'low-coverage',
  // info
  'field-dropped',
  'field-discarded',
  'field-renamed',
  'field-added',
  'state-mapped',
  'state-shorthand',
  'coverage',
] as const;
/** One of {@link ReasonKinds}. */
export type ReasonKind = (typeof ReasonKinds)[number];

/** One reason behind a verdict: one line of the report. */
export interface Reason {
  readonly kind: ReasonKind;
  readonly severity: Severity;
  /** This reason's contribution to the link's risk score. */
  readonly score: number;
  /** One line, for people. */
  readonly message: string;
  /** How many distinct sampled states showed it (absent for reasons that are not about samples). */
  readonly count?: number;
  /** Out of how many distinct sampled states. */
  readonly total?: number;
  /** The event sequence that reached one such state (event types, with payloads in `{…}`). */
  readonly example?: readonly string[];
  /**
   * What the reason is about, when it is about one thing: a field path (`note`), a state (`paused`), a
   * blocker's key. With the link and the kind it identifies a finding across runs, for baselines.
   */
  readonly subject?: string;
  /** The baseline entry's note, when a reviewed baseline accepts this finding: it then does not fail the gate. */
  readonly accepted?: string;
}

/** The direction a link is taken in. */
export type Direction = 'up' | 'down';

/** The verdict on one link in one direction. */
export interface LinkReport {
  readonly component: string;
  readonly from: number;
  readonly to: number;
  readonly direction: Direction;
  readonly verdict: Verdict;
  /**
   * Sum of the scores of the reasons not accepted by a baseline. A down link that has only warnings is
   * never scored above a missing `down` (`irreversible`): a lossy rollback is no worse than none.
   */
  readonly risk: number;
  /** Distinct sampled states of `from`, and how many of them migrated without a blocker. */
  readonly samples: { readonly total: number; readonly migrated: number };
  /** Ordered: unsafe first, then warning, then info; stable within a severity. */
  readonly reasons: readonly Reason[];
}

/** How the evidence was generated. */
export interface CheckSettings {
  /** fast-check runs per version. */
  readonly runs: number;
  readonly seed: number;
  /** Longest event sequence per run. */
  readonly maxEvents: number;
}

/** Counts over every link report. */
export interface CheckSummary {
  readonly links: number;
  readonly safe: number;
  readonly warning: number;
  readonly unsafe: number;
  /** The highest link risk score (0 without links). */
  readonly maxRisk: number;
}

/** The whole report over every lineage of a module. */
export interface CheckReport {
  readonly settings: CheckSettings;
  readonly links: readonly LinkReport[];
  readonly summary: CheckSummary;
  /**
   * Things in the module's `hotswapCheck` that had no effect, one line each: events given for a
   * component no exported lineage has, or for a version it does not have. Absent when none.
   */
  readonly warnings?: readonly string[];
}
