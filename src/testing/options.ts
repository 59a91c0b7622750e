/** Options shared by the kit's predicates and ready-made properties. */
import type fc from 'fast-check';
import type { EventObject } from 'xstate';
import type { PersistedSnapshot } from '../xstate/persisted.ts';

/** The two ends of a migration path, as version numbers of the lineage. */
export interface PathOptions {
  /** The version the reachable states belong to. */
  readonly from: number;
  /** The version to migrate to (up or down). */
  readonly to: number;
}

/**
 * What a comparison looks at. Two states are equal when their projections are deeply equal.
 *
 * @example
 * const project: Projection = ({ context }) => (context as { queue: string[] }).queue;
 */
export type Projection = (state: PersistedSnapshot) => unknown;

/** How a ready-made property generates its reachable states (see `ReachableOptions`). */
export interface GenerationOptions<TEvent extends EventObject = EventObject> {
  /**
   * The `from` version's machine input (`createActor(machine, { input })`), for machines whose context
   * is `({ input }) => …`.
   * @defaultValue `undefined`
   */
  readonly input?: unknown;
  /**
   * Events to run the `from` version with.
   * @defaultValue bare `{ type }` events of the accepted types that need no payload
   */
  readonly events?: fc.Arbitrary<TEvent>;
  /** @defaultValue 20 */
  readonly maxEvents?: number;
  /** @defaultValue true */
  readonly fireDelays?: boolean;
}
