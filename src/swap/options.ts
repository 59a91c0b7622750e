/**
 * The options of a swap: deadline, preconditions, signal and one policy per kind of effect, with
 * their defaults in one place. Pinned by test/swap/policies.test.ts.
 */
import type { AnyLineage } from '../lineage/lineage.ts';
import type { LedgerInFlight } from '../ledger/ledger.ts';

/**
 * What to do with pending XState delayed events (`after`):
 * - `carry`: re-arm in the new actor with the *remaining* time, from the new definition (the mapped
 *   state must declare the same delay, else a blocker);
 * - `restart`: the same, with the full delay;
 * - `cancel`: drop them (recorded in the report);
 * - `block`: any pending delay refuses the swap.
 */
export type DelayPolicy = 'carry' | 'restart' | 'cancel' | 'block';

/** Runtime timers: `carry` keeps them pending (the new version must define the handler), `cancel`, `block`. */
export type TimerPolicy = 'carry' | 'cancel' | 'block';

/**
 * In-flight promises:
 * - `wait`: quiesce waits until they settle (within the deadline);
 * - `abort`: abort the old one (its `signal` fires) and let the new version invoke it afresh;
 * - `adopt`: route its settlement to the new version; it is not started again.
 */
export type PromisePolicy = 'wait' | 'abort' | 'adopt';

/**
 * Outstanding leases of non-transferable handles (transferable ones are always rebound):
 * - `wait`: quiesce waits for their release;
 * - `revoke`: wait until the deadline, then revoke the ones still held;
 * - `block`: refuse at once.
 */
export type LeasePolicy = 'wait' | 'revoke' | 'block';

/**
 * Invoked callback (and observable) actors: `restart` stops the old one (its cleanup runs) and lets the
 * new version invoke it afresh, recorded in `effects.restarted`; `block` refuses while one is running.
 */
export type CallbackPolicy = 'restart' | 'block';

/** Per-kind effect policies. */
export interface SwapPolicies {
  /** @defaultValue 'restart' */
  readonly callbacks?: CallbackPolicy;
  /** @defaultValue 'carry' */
  readonly delays?: DelayPolicy;
  /** @defaultValue 'carry' */
  readonly timers?: TimerPolicy;
  /** A policy for every in-flight promise, or a function choosing one per promise. @defaultValue 'wait' */
  readonly promises?: PromisePolicy | ((entry: LedgerInFlight) => PromisePolicy);
  /** @defaultValue 'wait' */
  readonly leases?: LeasePolicy;
}

/** Context handed to a precondition. */
export interface PreconditionContext {
  readonly component: string;
  readonly from: number;
  readonly to: number;
  /** The live state right now (not a cached copy). */
  readonly state: { readonly value: unknown; readonly context: unknown };
  readonly signal: AbortSignal;
}

/** A precondition: `true` to allow, a reason string (or `false`) to refuse. May be async. */
export type Precondition = (ctx: PreconditionContext) => boolean | string | Promise<boolean | string>;

/** Options of `component.swap(target, options)`. */
export interface SwapOptions {
  /**
   * How long quiescence may take (and preconditions), in ms on the runtime's clock.
   * @defaultValue 1000
   */
  readonly deadlineMs?: number;
  readonly policies?: SwapPolicies;
  /** Live evidence checked before anything pauses; any failure refuses the swap. */
  readonly preconditions?: Readonly<Record<string, Precondition>>;
  /** A newer lineage (e.g. extended by a plugin) that the target version comes from. Same name and prefix. */
  readonly lineage?: AnyLineage;
  /** Aborts the swap before the commit point. */
  readonly signal?: AbortSignal;
}

/** Default deadline for quiescence. */
export const DEFAULT_DEADLINE_MS = 1000;

/** Fills in defaults. */
export function resolvePolicies(p: SwapPolicies | undefined): Required<SwapPolicies> {
  return {
    delays: p?.delays ?? 'carry',
    timers: p?.timers ?? 'carry',
    promises: p?.promises ?? 'wait',
    leases: p?.leases ?? 'wait',
    callbacks: p?.callbacks ?? 'restart',
  };
}
