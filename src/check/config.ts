/**
 * What a lineage module can tell `hotswap check` beyond its lineages: the events to generate states
 * with. Export it as `hotswapCheck` next to the lineages.
 */
import type fc from 'fast-check';
import type { EventObject } from 'xstate';

/** Event arbitraries for one component: one for every version, or one per version number. */
export type ComponentEvents = fc.Arbitrary<EventObject> | Readonly<Record<number, fc.Arbitrary<EventObject>>>;

/**
 * The `hotswapCheck` export of a lineage module.
 *
 * @example
 * export const hotswapCheck: CheckConfig = {
 *   events: { driver: fc.oneof(fc.record({ type: fc.constant('ENQUEUE'), id: fc.string() }), fc.constant({ type: 'START' })) },
 * };
 */
export interface CheckConfig {
  /**
   * Event arbitraries by component name.
   * @defaultValue the testing kit's default: `{ type }` events of each machine's accepted event types
   * that carry no payload
   */
  readonly events?: Readonly<Record<string, ComponentEvents>>;
  /**
   * Longest generated event sequence.
   * @defaultValue 20
   */
  readonly maxEvents?: number;
}

/** True for a fast-check arbitrary (duck-typed: the module may carry its own fast-check copy). */
export function isArbitrary(value: unknown): value is fc.Arbitrary<EventObject> {
  return typeof value === 'object' && value !== null && typeof (value as { generate?: unknown }).generate === 'function';
}

/** The event arbitrary a config gives for one version of a component, if any. */
export function eventsFor(config: CheckConfig | undefined, component: string, version: number): fc.Arbitrary<EventObject> | undefined {
  const events = config?.events?.[component];
  if (events === undefined) return undefined;
  if (isArbitrary(events)) return events;
  const perVersion = (events as Readonly<Record<number, unknown>>)[version];
  return isArbitrary(perVersion) ? perVersion : undefined;
}
