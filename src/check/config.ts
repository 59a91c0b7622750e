/**
 * What a lineage module can tell `hotswap check` beyond its lineages: the events to generate states
 * with. Export it as `hotswapCheck` next to the lineages.
 */
import type fc from 'fast-check';
import type { EventObject } from 'xstate';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { EventOf } from '../lineage/types.ts';

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

/**
 * The events a typed config may give one lineage: an arbitrary of events some version accepts (the
 * union of its versions' events), or one per version number, each of that version's events.
 */
export type EventsFor<L extends AnyLineage> =
  | fc.Arbitrary<EventOf<L['versions'][number]>>
  | { readonly [V in L['versions'][number] as V['version']]?: fc.Arbitrary<EventOf<V>> };

/** A {@link CheckConfig} typed against the lineages it is for: components by name, events by machine. */
export interface TypedCheckConfig<L extends readonly AnyLineage[]> extends Omit<CheckConfig, 'events'> {
  /** Event arbitraries by component name; a name no lineage has, or an event no version accepts, does not compile. */
  readonly events?: { readonly [K in L[number] as K['name']]?: EventsFor<K> };
}

/**
 * Types a `hotswapCheck` export against the lineages it is for: `events` keys must be their names, and
 * each arbitrary must produce events their machines accept, so `{ type: 'SETT' }` for `'SET'` or the key
 * `drivr` is a compile error rather than a quietly thin check. Returns the config as given.
 *
 * @example
 * export const hotswapCheck = defineCheckConfig([driver], {
 *   events: { driver: fc.oneof(fc.record({ type: fc.constant('ENQUEUE'), id: fc.string() }), fc.constant({ type: 'START' as const })) },
 * });
 */
export function defineCheckConfig<const L extends readonly AnyLineage[]>(lineages: L, config: TypedCheckConfig<L>): CheckConfig {
  void lineages; // only its type is needed: the check reads the lineages from the module's exports
  return config as CheckConfig;
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
