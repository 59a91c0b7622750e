/**
 * One sampled state and what migrating it through a link gave: the record `hotswap check`'s
 * analyses (fields, states, timers, blockers) share, so each runs over the same samples.
 */
import type { MigrateResult } from '../../migrate/migrate.ts';
import type { CheckSample } from './samples.ts';

/** One distinct sampled state and what migrating it through the link gave. */
export interface Outcome {
  /** Position among the distinct samples; used to count each sample once. */
  readonly index: number;
  readonly sample: CheckSample;
  readonly example: readonly string[];
  readonly result: MigrateResult;
}
