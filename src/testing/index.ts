/**
 * hotswap/testing — fast-check arbitraries and properties to prove a lineage's migrations and swaps safe.
 *
 * @packageDocumentation
 */
export { reachableSnapshots, sampleReachable, eventTypesOf } from './reachable.ts';
export type { ReachableOptions, Reachable, PendingDelayInfo, AfterEvent } from './reachable.ts';
