/**
 * `hotswap check`: classify every link of a lineage SAFE / WARNING / UNSAFE from sampled reachable states.
 */
export { checkLineages, DEFAULT_MAX_EVENTS, DEFAULT_RUNS, DEFAULT_SEED } from './check.ts';
export type { CheckOptions } from './check.ts';
export { checkLink } from './link.ts';
export type { LinkEvidence } from './link.ts';
export type { CheckSample } from './_internal/samples.ts';
export { defineCheckConfig } from './config.ts';
export type { CheckConfig, ComponentEvents, EventsFor, TypedCheckConfig } from './config.ts';
export { applyBaseline, baselineOf, formatBaseline, parseBaseline, BASELINE_FORMAT } from './baseline.ts';
export type { Baseline, BaselineEntry, BaselineResult } from './baseline.ts';
export { formatReport, plain } from './format.ts';
export type { FormatOptions, Styler, Tone } from './format.ts';
export { gateFailures, reasonScores, verdictOf, riskOf } from './scores.ts';
export type { GateOptions } from './scores.ts';
export { ReasonKinds, Severities, Verdicts } from './types.ts';
export type { CheckReport, CheckSettings, CheckSummary, Direction, LinkReport, Reason, ReasonKind, Severity, Verdict } from './types.ts';
