/**
 * One place for fast-check run settings, so every property test is reproducible.
 *
 * - `FC_SEED` fixes the seed (default: a constant, so CI is deterministic); fast-check prints the seed,
 *   path and shrunk counterexample on failure — rerun with `FC_SEED=<seed>` to reproduce.
 * - `HOTSWAP_SOAK=1` (`npm run test:soak`) multiplies every run count by {@link SOAK_FACTOR}.
 */
import type { Parameters as FcParameters } from 'fast-check';

export const DEFAULT_SEED = 20261121;
export const SOAK_FACTOR = 20;

export const seed: number = process.env['FC_SEED'] === undefined ? DEFAULT_SEED : Number(process.env['FC_SEED']);
export const soak: boolean = process.env['HOTSWAP_SOAK'] === '1';

/** fast-check parameters with the project seed and `numRuns` (scaled up under soak). */
export function fcParams<T = unknown>(numRuns: number, extra: FcParameters<T> = {}): FcParameters<T> {
  return { seed, numRuns: soak ? numRuns * SOAK_FACTOR : numRuns, endOnFailure: false, ...extra };
}
