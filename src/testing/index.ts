/**
 * hotswap/testing — fast-check arbitraries and properties to prove a lineage's migrations and swaps safe.
 *
 * Every predicate (`assert*`) works inside any property, `fc.property` or `@fast-check/vitest`'s
 * `test.prop`; every `*Property` is ready for `fc.assert(property, { seed, numRuns })`.
 *
 * @packageDocumentation
 */
export { reachableSnapshots, sampleReachable, eventTypesOf } from './reachable.ts';
export type { ReachableOptions, Reachable, PendingDelayInfo, AfterEvent } from './reachable.ts';

export type { PathOptions, Projection, GenerationOptions } from './options.ts';
export type { InputOf } from './input.ts';
export { SwapPropertyError, SwapPropertyCodes } from './failure.ts';
export type { SwapPropertyCode } from './failure.ts';

export { assertTotal, totalityProperty } from './totality.ts';
export { assertRoundTrip, roundTripProperty } from './round-trip.ts';
export type { RoundTripOptions } from './round-trip.ts';
export { assertEquivalent, equivalenceProperty } from './equivalence.ts';
export type { EquivalenceOptions } from './equivalence.ts';

export { swapSafetyProperty, runSwapScenario } from './swap-safety.ts';
export type { SwapScenario, ScenarioKit, SwapSafetyOptions, SwapSafetyResult } from './scenario.ts';
export { swapCommands, anySwapPolicies } from './swap-commands.ts';
export type { SwapCommand, SwapTarget } from './swap-commands.ts';
export { SwapCoverage } from './swap-coverage.ts';
export type { SwapAttempt, SwapCoverageSummary, PolicyKind } from './swap-coverage.ts';
