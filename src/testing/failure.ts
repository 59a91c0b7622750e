/**
 * The error the kit's predicates throw when a property does not hold. fast-check catches it, shrinks
 * the input, and prints its message under the seed and the counterexample.
 */
import type { Blocker } from '../blockers/blocker.ts';

/** Stable codes of {@link SwapPropertyError}: tell failures apart by `code`, never by message. */
export const SwapPropertyCodes = ['NOT_TOTAL', 'NOT_ROUND_TRIP', 'NOT_EQUIVALENT', 'NOT_SWAP_SAFE'] as const;

/** One of {@link SwapPropertyCodes}. */
export type SwapPropertyCode = (typeof SwapPropertyCodes)[number];

/**
 * A migration property that failed on one reachable state: the message names the event sequence, the
 * state, and the blockers or the differing paths.
 *
 * @example
 * try { assertTotal(driver, r, { from: 1, to: 3 }) } catch (e) { if (e instanceof SwapPropertyError) e.blockers }
 */
export class SwapPropertyError extends Error {
  override readonly name = 'SwapPropertyError';
  readonly code: SwapPropertyCode;
  /** The blockers that refused a migration (empty for a mismatch). */
  readonly blockers: readonly Blocker[];
  /** Dotted paths where the compared states differ (empty for a refusal). */
  readonly differences: readonly string[];

  constructor(code: SwapPropertyCode, message: string, data: { blockers?: readonly Blocker[]; differences?: readonly string[] } = {}) {
    super(message);
    this.code = code;
    this.blockers = data.blockers ?? [];
    this.differences = data.differences ?? [];
  }
}
